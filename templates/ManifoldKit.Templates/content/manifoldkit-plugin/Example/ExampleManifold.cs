using ManifoldKit;
using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace Example;

/// <summary>
/// An example to edit: the unit circle S¹ ⊂ R², its exact embedding z ↦ (cos 2πz, sin 2πz) and the
/// rotations SO(2). For your manifold change the dimensions, the volume, the sampler, the projection,
/// the embedding and the group; the conformance tests say what does not yet hold.
/// </summary>
public sealed class ExampleManifold : IManifold
{
    public string Name => "example";

    // n, the dimension of the manifold and of the hidden cube [0,1]^n; m, of the space it sits in.
    public int IntrinsicDim => 1;

    public int AmbientDim => 2;

    // The circle's length. Required with an exact embedding; otherwise null when unknown.
    public double? Volume => 2 * Math.PI;

    // null when there is no closed form: ManifoldKit then learns an embedding (WAE-MMD).
    public IExactEmbedding? ExactEmbedding { get; } = new AngleEmbedding();

    // null when there is no symmetry (and drop GroupActionContract from the tests). Rotation groups
    // SO(k) are ready-made; any other group implements IGroupAction.
    public IGroupAction? Symmetry { get; } = new RotationGroupAction(2);

    // Uniform points, [count, m]. Pushing uniform codes through an embedding that keeps the measure is
    // the simplest way; the laws compare the two distributions.
    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        return ExactEmbedding!.Embed(rand([count, IntrinsicDim], dtype: dtype, generator: generator)).MoveToOuterDisposeScope();
    }

    // The nearest point on the manifold, for any leading axes [..., m]; the origin goes to (1, 0).
    public Tensor Project(Tensor ambient) => Spheres.Project(ambient);

    /// <summary>f : [0,1]^n → M, one-to-one on the open cube, carrying the uniform measure to the uniform one.</summary>
    private sealed class AngleEmbedding : IExactEmbedding
    {
        public int HiddenDim => 1;

        public int AmbientDim => 2;

        public Tensor Embed(Tensor hidden)
        {
            using var scope = NewDisposeScope();
            var angle = 2 * Math.PI * hidden;
            return cat([angle.cos(), angle.sin()], dim: -1).MoveToOuterDisposeScope();
        }

        // The inverse of Embed on the manifold.
        public Tensor Chart(Tensor point)
        {
            using var scope = NewDisposeScope();
            var angle = atan2(point.select(-1, 1), point.select(-1, 0));
            return remainder(angle / (2 * Math.PI), 1.0).unsqueeze(-1).MoveToOuterDisposeScope();
        }

        // ½·log det G, optional (autograd computes it otherwise); the laws check it against autograd.
        // Constant here: the speed of Embed is 2π everywhere.
        public Tensor LogVolumeElement(Tensor hidden) =>
            full(hidden.shape[..^1], Math.Log(2 * Math.PI), dtype: hidden.dtype);
    }
}
