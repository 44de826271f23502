using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.TestPlugins;

/// <summary>Registers a manifold with a bug deep inside (its sampler throws an ArgumentException), so a test can check that a bug is not reported as a usage error.</summary>
public sealed class BuggyPlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) => registrar.Add("buggy", _ => new Buggy());

    private sealed class Buggy : IManifold
    {
        public string Name => "buggy";
        public int IntrinsicDim => 1;
        public int AmbientDim => 2;
        public double? Volume => 2 * Math.PI;
        public IExactEmbedding? ExactEmbedding => null;
        public IGroupAction? Symmetry => null;

        public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
            throw new ArgumentException("index out of range in a plugin's sampler (a simulated bug)");

        public Tensor Project(Tensor ambient) => Spheres.Project(ambient);
    }
}
