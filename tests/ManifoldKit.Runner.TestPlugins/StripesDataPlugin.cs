using static TorchSharp.torch;

namespace ManifoldKit.Runner.TestPlugins;

/// <summary>A data source from a plugin: binary stripes of a random offset round a ring of pixels (a circular factor).</summary>
public sealed class StripesDataPlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) =>
        registrar.AddDataSource("stripes", settings => new Stripes(settings.GetInt32("dim", 16, min: 2, max: 4096)));

    private sealed class Stripes(int dim) : IDataSource
    {
        public string Name => "stripes";
        public int ObservationDim => dim;
        public IReadOnlyList<string> FactorNames => ["offset"];
        public long? TrainSize => null;
        public long? TestSize => null;

        public (Tensor X, Tensor Factors) TrainingBatch(long step, int size, Generator generator) => Sample(size, generator);

        public (Tensor X, Tensor Factors) Sample(long count, Generator? generator)
        {
            using var scope = NewDisposeScope();
            var offset = randint(dim, [count, 1], generator: generator);
            var x = remainder(arange(dim).unsqueeze(0) - offset, dim).lt(dim / 2).to_type(ScalarType.Float32);
            return (x.MoveToOuterDisposeScope(), offset.to_type(ScalarType.Float32).MoveToOuterDisposeScope());
        }

        public (Tensor X, Tensor Factors) TestSet(long count)
        {
            using var generator = new Generator(12345);
            return Sample(count, generator);
        }

        public void Dispose() { }
    }
}
