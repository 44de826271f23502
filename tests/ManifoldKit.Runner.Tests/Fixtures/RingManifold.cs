using ManifoldKit;
using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace Ring;

// PluginTemplateTests writes this over the template's example manifold, as a plugin author would:
// the circle of radius 2 in R², its exact embedding (log volume element from autograd) and SO(2).
public sealed class RingManifold : IManifold
{
    private const double Radius = 2;

    public string Name => "ring";

    public int IntrinsicDim => 1;

    public int AmbientDim => 2;

    public double? Volume => 2 * Math.PI * Radius;

    public IExactEmbedding? ExactEmbedding { get; } = new AngleEmbedding();

    public IGroupAction? Symmetry { get; } = new RotationGroupAction(2);

    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        return ExactEmbedding!.Embed(rand([count, 1], dtype: dtype, generator: generator)).MoveToOuterDisposeScope();
    }

    public Tensor Project(Tensor ambient)
    {
        using var scope = NewDisposeScope();
        return (Radius * Spheres.Project(ambient)).MoveToOuterDisposeScope();
    }

    private sealed class AngleEmbedding : IExactEmbedding
    {
        public int HiddenDim => 1;

        public int AmbientDim => 2;

        public Tensor Embed(Tensor hidden)
        {
            using var scope = NewDisposeScope();
            var angle = 2 * Math.PI * hidden;
            return (Radius * cat([angle.cos(), angle.sin()], dim: -1)).MoveToOuterDisposeScope();
        }

        public Tensor Chart(Tensor point)
        {
            using var scope = NewDisposeScope();
            var angle = atan2(point.select(-1, 1), point.select(-1, 0));
            return remainder(angle / (2 * Math.PI), 1.0).unsqueeze(-1).MoveToOuterDisposeScope();
        }
    }
}
