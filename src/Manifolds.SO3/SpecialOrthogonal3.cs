using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds;

/// <summary>
/// The rotation group SO(3) as 3×3 matrices flattened row-major into R⁹, with the Frobenius inner
/// product. It acts on itself by left multiplication. Its volume in R⁹ is 16√2·π²: the unit
/// quaternions double-cover it (half of Vol(S³) = π²) and the covering map scales lengths by 2√2.
/// </summary>
public sealed class SpecialOrthogonal3 : IManifold
{
    /// <summary>Creates SO(3).</summary>
    /// <param name="parameterization">How the group-action encoder's outputs become rotations.</param>
    public SpecialOrthogonal3(RotationParameterization parameterization = RotationParameterization.GramSchmidt) =>
        Symmetry = new RotationGroupAction(3, columns: 3, parameterization);

    /// <inheritdoc />
    public string Name => "so3";

    /// <inheritdoc />
    public int IntrinsicDim => 3;

    /// <inheritdoc />
    public int AmbientDim => 9;

    /// <inheritdoc />
    public double? Volume => 16 * Math.Sqrt(2) * Math.PI * Math.PI;

    /// <inheritdoc />
    public IExactEmbedding ExactEmbedding { get; } = new ShoemakeEmbedding();

    IExactEmbedding? IManifold.ExactEmbedding => ExactEmbedding;

    /// <inheritdoc />
    public IGroupAction Symmetry { get; }

    IGroupAction? IManifold.Symmetry => Symmetry;

    /// <inheritdoc />
    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        return Symmetry.SampleHaar(count, generator, dtype).reshape(count, 9).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>
    /// U·diag(1, 1, det UVᵀ)·Vᵀ from the SVD M = U S Vᵀ. Where the smallest singular values tie
    /// (for example at the zero matrix) the nearest rotation is not unique and the SVD picks one.
    /// </remarks>
    public Tensor Project(Tensor ambient)
    {
        using var scope = NewDisposeScope();
        var matrix = ambient.reshape([.. ambient.shape[..^1], 3, 3]);
        var (u, _, vh) = linalg.svd(matrix, fullMatrices: false);
        var fix = ones_like(u.select(-1, 0)).clone();                           // [..., 3]
        fix.select(-1, 2).copy_(linalg.det(u.matmul(vh)));
        var rotation = (u * fix.unsqueeze(-2)).matmul(vh);
        return rotation.reshape(ambient.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Shoemake's subgroup algorithm, made one-to-one: (u₁, u₂, u₃) ↦ the unit quaternion
    /// (w, x, y, z) = (√u₁ cos πu₃, √(1−u₁) sin 2πu₂, √(1−u₁) cos 2πu₂, √u₁ sin πu₃), then its rotation.
    /// Shoemake uses 2πu₃ and covers all of S³, reaching every rotation twice (q and −q); πu₃ covers the
    /// half z ≥ 0 uniformly, which reaches each rotation once, as the KL identity needs.
    /// </summary>
    private sealed class ShoemakeEmbedding : IExactEmbedding
    {
        public int HiddenDim => 3;

        public int AmbientDim => 9;

        public Tensor Embed(Tensor hidden)
        {
            using var scope = NewDisposeScope();
            var (u1, u2, u3) = (hidden.select(-1, 0), hidden.select(-1, 1), hidden.select(-1, 2));
            var (r1, r2) = ((1 - u1).clamp_min(0).sqrt(), u1.clamp_min(0).sqrt());
            var (a, b) = (2 * Math.PI * u2, Math.PI * u3);
            var quaternion = stack([r2 * b.cos(), r1 * a.sin(), r1 * a.cos(), r2 * b.sin()], dim: -1);
            var rotation = Rotations.FromQuaternion(quaternion);
            return rotation.reshape([.. hidden.shape[..^1], 9]).MoveToOuterDisposeScope();
        }

        public Tensor Chart(Tensor point)
        {
            using var scope = NewDisposeScope();
            var q = Rotations.ToQuaternion(point.reshape([.. point.shape[..^1], 3, 3]));
            q = q * where(q.select(-1, 3) < 0, -1.0, 1.0).unsqueeze(-1);        // the z ≥ 0 half
            var (w, x, y, z) = (q.select(-1, 0), q.select(-1, 1), q.select(-1, 2), q.select(-1, 3));
            var u1 = (w * w + z * z).clamp(0, 1);
            var u2 = remainder(atan2(x, y) / (2 * Math.PI), 1.0);
            var u3 = (atan2(z, w) / Math.PI).clamp(0, 1);
            return stack([u1, u2, u3], dim: -1).MoveToOuterDisposeScope();
        }

        // Measure-preserving onto SO(3), so sqrt(det G) is its volume 16√2·π² everywhere.
        public Tensor LogVolumeElement(Tensor hidden) =>
            full(hidden.shape[..^1], Math.Log(16 * Math.Sqrt(2) * Math.PI * Math.PI), dtype: hidden.dtype, device: hidden.device);
    }
}
