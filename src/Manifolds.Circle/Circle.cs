using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds;

/// <summary>
/// The unit circle S¹ ⊂ R², with the paper's exact embedding f_proj(z) = (cos 2πz, sin 2πz)
/// (section 4) and SO(2) acting by rotation, its element read from a 2-vector.
/// </summary>
public sealed class Circle : IManifold
{
    /// <inheritdoc />
    public string Name => "circle";

    /// <inheritdoc />
    public int IntrinsicDim => 1;

    /// <inheritdoc />
    public int AmbientDim => 2;

    /// <inheritdoc />
    public double? Volume => 2 * Math.PI;

    /// <inheritdoc />
    public IExactEmbedding ExactEmbedding { get; } = new AngleEmbedding();

    IExactEmbedding? IManifold.ExactEmbedding => ExactEmbedding;

    /// <inheritdoc />
    public IGroupAction Symmetry { get; } = new RotationGroupAction(2);

    IGroupAction? IManifold.Symmetry => Symmetry;

    /// <inheritdoc />
    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        return ExactEmbedding.Embed(rand([count, 1], dtype: dtype, device: generator?.device, generator: generator)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>The origin goes to (1, 0).</remarks>
    public Tensor Project(Tensor ambient) => Spheres.Project(ambient);

    /// <summary>z ↦ (cos 2πz, sin 2πz); its speed is 2π everywhere, the circle's length.</summary>
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

        public Tensor Chart(Tensor point)
        {
            using var scope = NewDisposeScope();
            var angle = atan2(point.select(-1, 1), point.select(-1, 0));
            return remainder(angle / (2 * Math.PI), 1.0).unsqueeze(-1).MoveToOuterDisposeScope();
        }

        // Closed form, checked against autograd by the conformance suite: G = (2π)².
        public Tensor MetricTensor(Tensor hidden) =>
            full([.. hidden.shape[..^1], 1, 1], 4 * Math.PI * Math.PI, dtype: hidden.dtype, device: hidden.device);

        // ½·log det G = log 2π, checked against autograd by the conformance suite.
        public Tensor LogVolumeElement(Tensor hidden) =>
            full(hidden.shape[..^1], Math.Log(2 * Math.PI), dtype: hidden.dtype, device: hidden.device);
    }
}
