using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds;

/// <summary>
/// The unit sphere S^n ⊂ R^(n+1), n ≥ 1, with SO(n+1) acting by rotation. For n = 2 it offers the
/// exact embedding (z₁, z₂) ↦ (sin θ cos φ, sin θ sin φ, cos θ) with cos θ = 1 − 2z₁ and φ = 2πz₂,
/// which carries Uniform[0,1]² to the uniform measure (Archimedes: z₁ is the height, linearly).
/// </summary>
public sealed class Sphere : IManifold
{
    /// <summary>Creates S^<paramref name="dim"/>.</summary>
    /// <param name="dim">Intrinsic dimension n ≥ 1.</param>
    /// <param name="parameterization">How the group-action encoder's outputs become rotations.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is below 1.</exception>
    public Sphere(int dim = 2, RotationParameterization parameterization = RotationParameterization.GramSchmidt)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "a sphere S^n needs n >= 1.");
        IntrinsicDim = dim;
        Symmetry = new RotationGroupAction(dim + 1, columns: 1, parameterization);
        ExactEmbedding = dim == 2 ? new SphericalEmbedding() : null;
    }

    /// <inheritdoc />
    public string Name => "sphere";

    /// <inheritdoc />
    public int IntrinsicDim { get; }

    /// <inheritdoc />
    public int AmbientDim => IntrinsicDim + 1;

    /// <inheritdoc />
    public double? Volume => Spheres.Volume(IntrinsicDim);

    /// <inheritdoc />
    /// <remarks>Offered for S² only.</remarks>
    public IExactEmbedding? ExactEmbedding { get; }

    /// <inheritdoc />
    public IGroupAction Symmetry { get; }

    IGroupAction? IManifold.Symmetry => Symmetry;

    /// <inheritdoc />
    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
        Spheres.SampleUniform(count, IntrinsicDim, generator, dtype);

    /// <inheritdoc />
    /// <remarks>The origin goes to e₁ = (1, 0, ..., 0).</remarks>
    public Tensor Project(Tensor ambient) => Spheres.Project(ambient);

    /// <summary>Height and longitude: sqrt(det G) = (2 / sin θ)·(2π sin θ) = 4π everywhere.</summary>
    private sealed class SphericalEmbedding : IExactEmbedding
    {
        public int HiddenDim => 2;

        public int AmbientDim => 3;

        public Tensor Embed(Tensor hidden)
        {
            using var scope = NewDisposeScope();
            var cosTheta = 1 - 2 * hidden.select(-1, 0);
            // sqrt(4z(1−z)) = sin θ, written so that it stays exact near the poles.
            var z1 = hidden.select(-1, 0);
            var sinTheta = (4 * z1 * (1 - z1)).clamp_min(0).sqrt();
            var phi = 2 * Math.PI * hidden.select(-1, 1);
            return stack([sinTheta * phi.cos(), sinTheta * phi.sin(), cosTheta], dim: -1).MoveToOuterDisposeScope();
        }

        public Tensor Chart(Tensor point)
        {
            using var scope = NewDisposeScope();
            var height = ((1 - point.select(-1, 2)) / 2).clamp(0, 1);
            var longitude = remainder(atan2(point.select(-1, 1), point.select(-1, 0)) / (2 * Math.PI), 1.0);
            return stack([height, longitude], dim: -1).MoveToOuterDisposeScope();
        }

        // log 4π everywhere (the limit at the poles too, where G itself degenerates).
        public Tensor LogVolumeElement(Tensor hidden) =>
            full(hidden.shape[..^1], Math.Log(4 * Math.PI), dtype: hidden.dtype);
    }
}
