using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds;

/// <summary>
/// The unit sphere S^n ⊂ R^(n+1), n ≥ 1, with SO(n+1) acting by rotation, and an exact embedding
/// [0,1]^n → S^n carrying Uniform[0,1]^n to the uniform measure for every n. S¹: z ↦ (cos 2πz, sin 2πz).
/// S²: (z₁, z₂) ↦ (sin θ cos φ, sin θ sin φ, cos θ) with cos θ = 1 − 2z₁ and φ = 2πz₂ (Archimedes:
/// z₁ is the height, linearly). n ≥ 3: built from S^(n−2) by Archimedes generalised (see
/// <see cref="ArchimedesEmbedding"/>).
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
        ExactEmbedding = ExactEmbeddingOf(dim);
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
    /// <remarks>Offered for every n; for n = 2 it is the height-and-longitude map, unchanged.</remarks>
    public IExactEmbedding ExactEmbedding { get; }

    IExactEmbedding? IManifold.ExactEmbedding => ExactEmbedding;

    /// <inheritdoc />
    public IGroupAction Symmetry { get; }

    IGroupAction? IManifold.Symmetry => Symmetry;

    /// <inheritdoc />
    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
        Spheres.SampleUniform(count, IntrinsicDim, generator, dtype);

    /// <inheritdoc />
    /// <remarks>The origin goes to e₁ = (1, 0, ..., 0).</remarks>
    public Tensor Project(Tensor ambient) => Spheres.Project(ambient);

    // Odd n recurse down to S¹, even n to S², two dimensions at a time.
    private static IExactEmbedding ExactEmbeddingOf(int n) => n switch
    {
        1 => new CircleEmbedding(),
        2 => new SphericalEmbedding(),
        _ => new ArchimedesEmbedding(n),
    };

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
            full(hidden.shape[..^1], Math.Log(4 * Math.PI), dtype: hidden.dtype, device: hidden.device);
    }

    /// <summary>S¹: z ↦ (cos 2πz, sin 2πz); its speed is 2π everywhere, the circle's length.</summary>
    private sealed class CircleEmbedding : IExactEmbedding
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

        public Tensor LogVolumeElement(Tensor hidden) =>
            full(hidden.shape[..^1], Math.Log(Spheres.Volume(1)), dtype: hidden.dtype, device: hidden.device);
    }

    /// <summary>
    /// S^n for n ≥ 3 from S^(n−2) and two more codes (a, b). Archimedes generalised: if y is uniform in
    /// the ball B^(n−1) and φ uniform on [0, 2π), then (y, √(1−|y|²) cos φ, √(1−|y|²) sin φ) is uniform
    /// on S^n. y = r·w is uniform in the ball when w is uniform on S^(n−2) (the first n − 2 codes) and
    /// r = a^(1/(n−1)); φ = 2πb.
    /// </summary>
    private sealed class ArchimedesEmbedding(int n) : IExactEmbedding
    {
        private readonly IExactEmbedding inner = ExactEmbeddingOf(n - 2);

        public int HiddenDim => n;

        public int AmbientDim => n + 1;

        public Tensor Embed(Tensor hidden)
        {
            using var scope = NewDisposeScope();
            var w = inner.Embed(hidden.narrow(-1, 0, n - 2));
            var logA = hidden.select(-1, n - 2).log();
            var r = (logA / (n - 1)).exp();
            // 1 − r² = −expm1(2 log a / (n−1)): keeps its relative precision as a → 1, where r² → 1.
            var height = (-(2.0 / (n - 1) * logA).expm1()).clamp_min(0).sqrt();
            var phi = 2 * Math.PI * hidden.select(-1, n - 1);
            return cat([r.unsqueeze(-1) * w, stack([height * phi.cos(), height * phi.sin()], dim: -1)], dim: -1)
                .MoveToOuterDisposeScope();
        }

        public Tensor Chart(Tensor point)
        {
            using var scope = NewDisposeScope();
            var y = point.narrow(-1, 0, n - 1);
            var r = linalg.vector_norm(y, dims: [-1]);
            var a = r.pow(n - 1).clamp(0, 1);
            // At r = 0 every w gives the same point; Project picks e₁ there rather than dividing by 0.
            var w = Spheres.Project(y);
            var b = remainder(atan2(point.select(-1, n), point.select(-1, n - 1)) / (2 * Math.PI), 1.0);
            return cat([inner.Chart(w), stack([a, b], dim: -1)], dim: -1).MoveToOuterDisposeScope();
        }

        // One-to-one and uniform to uniform, so sqrt(det G) = Vol(S^n) at every code.
        public Tensor LogVolumeElement(Tensor hidden) =>
            full(hidden.shape[..^1], Math.Log(Spheres.Volume(n)), dtype: hidden.dtype, device: hidden.device);
    }
}
