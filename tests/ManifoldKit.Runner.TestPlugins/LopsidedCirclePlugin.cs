using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.TestPlugins;

/// <summary>Registers a circle that misstates its volume, so 'verify' has a law to fail.</summary>
public sealed class LopsidedCirclePlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) => registrar.Add("lopsided", _ => new LopsidedCircle());

    private sealed class LopsidedCircle : IManifold, IExactEmbedding
    {
        public string Name => "lopsided";
        public int IntrinsicDim => 1;
        public int AmbientDim => 2;
        public int HiddenDim => 1;
        public double? Volume => 7.0;                          // wrong: the unit circle's length is 2π
        public IExactEmbedding? ExactEmbedding => this;
        public IGroupAction? Symmetry => null;

        public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
            Embed(rand([count, 1], dtype: dtype, generator: generator));

        public Tensor Project(Tensor ambient) => Spheres.Project(ambient);

        public Tensor Embed(Tensor hidden) => cat([(2 * Math.PI * hidden).cos(), (2 * Math.PI * hidden).sin()], dim: -1);

        public Tensor Chart(Tensor point) => remainder(atan2(point.select(-1, 1), point.select(-1, 0)) / (2 * Math.PI), 1.0).unsqueeze(-1);
    }
}
