using static TorchSharp.torch;

namespace ManifoldKit.Geometry;

/// <summary>
/// Tensor formulas for rotation matrices that several manifolds share. They live in Abstractions
/// because a manifold plugin references nothing else.
/// </summary>
public static class Rotations
{
    /// <summary>
    /// Orthonormalises k−1 vectors by Gram–Schmidt and appends the unit normal that makes the
    /// determinant +1.
    /// </summary>
    /// <param name="columns">Tensor of shape <c>[..., k, k−1]</c>, columns linearly independent.</param>
    /// <returns>Rotation matrices, tensor of shape <c>[..., k, k]</c>.</returns>
    public static Tensor FromGramSchmidt(Tensor columns)
    {
        using var scope = NewDisposeScope();
        var k = columns.shape[^2];
        var basis = new List<Tensor>();
        for (long j = 0; j < k - 1; j++)
        {
            var v = columns.select(-1, j);
            foreach (var b in basis) v = v - (v * b).sum(-1, keepdim: true) * b;
            basis.Add(v / linalg.vector_norm(v, dims: [-1], keepdim: true));
        }
        basis.Add(UnitNormal(basis, k, columns.dtype));
        return stack(basis, dim: -1).MoveToOuterDisposeScope();
    }

    /// <summary>Normalises a quaternion (w, x, y, z) and returns its rotation matrix.</summary>
    /// <param name="quaternion">Tensor of shape <c>[..., 4]</c>, non-zero.</param>
    /// <returns>Tensor of shape <c>[..., 3, 3]</c>; q and −q give the same rotation.</returns>
    public static Tensor FromQuaternion(Tensor quaternion)
    {
        using var scope = NewDisposeScope();
        var q = quaternion / linalg.vector_norm(quaternion, dims: [-1], keepdim: true);
        var (w, x, y, z) = (q.select(-1, 0), q.select(-1, 1), q.select(-1, 2), q.select(-1, 3));
        var entries = new[]
        {
            1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
            2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
            2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
        };
        var shape = quaternion.shape[..^1].Concat(new long[] { 3, 3 }).ToArray();
        return stack(entries, dim: -1).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A unit quaternion (w, x, y, z) of each rotation matrix (Shepperd's method: the pivot with the
    /// largest magnitude keeps it stable). Its sign is arbitrary; callers choose a hemisphere.
    /// </summary>
    /// <param name="rotation">Tensor of shape <c>[..., 3, 3]</c>.</param>
    /// <returns>Tensor of shape <c>[..., 4]</c>.</returns>
    public static Tensor ToQuaternion(Tensor rotation)
    {
        using var scope = NewDisposeScope();
        Tensor R(int i, int j) => rotation.select(-2, i).select(-1, j);
        var trace = R(0, 0) + R(1, 1) + R(2, 2);
        // Candidate i is 4·q_i·q computed from pivot i; its largest pivot is the best conditioned.
        var candidates = stack(new[]
        {
            stack(new[] { 1 + trace, R(2, 1) - R(1, 2), R(0, 2) - R(2, 0), R(1, 0) - R(0, 1) }, -1),
            stack(new[] { R(2, 1) - R(1, 2), 1 + R(0, 0) - R(1, 1) - R(2, 2), R(0, 1) + R(1, 0), R(0, 2) + R(2, 0) }, -1),
            stack(new[] { R(0, 2) - R(2, 0), R(0, 1) + R(1, 0), 1 - R(0, 0) + R(1, 1) - R(2, 2), R(1, 2) + R(2, 1) }, -1),
            stack(new[] { R(1, 0) - R(0, 1), R(0, 2) + R(2, 0), R(1, 2) + R(2, 1), 1 - R(0, 0) - R(1, 1) + R(2, 2) }, -1),
        }, dim: -2);                                                            // [..., 4, 4]
        var pivots = candidates.diagonal(dim1: -2, dim2: -1);                    // [..., 4]
        var batch = rotation.shape[..^2];
        var best = pivots.argmax(-1).reshape([.. batch, 1, 1]).expand([.. batch, 1, 4]);
        var chosen = candidates.gather(-2, best).squeeze(-2);
        return (chosen / linalg.vector_norm(chosen, dims: [-1], keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Draws Haar-distributed rotations: the QR decomposition of a Gaussian matrix with the signs of
    /// R's diagonal moved into Q gives Haar on O(k) (Mezzadri 2007); flipping the first column of the
    /// elements with determinant −1 maps that onto Haar on SO(k).
    /// </summary>
    /// <returns>Tensor of shape <c>[count, k, k]</c>.</returns>
    public static Tensor SampleHaar(long count, int k, Generator? generator, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var gaussian = randn([count, k, k], dtype: ScalarType.Float64, device: generator?.device, generator: generator);
        var (q, r) = linalg.qr(gaussian);
        var signs = r.diagonal(dim1: -2, dim2: -1).sign();                    // [count, k]
        q = q * signs.unsqueeze(-2);
        var flip = cat([linalg.det(q).reshape(count, 1, 1), ones([count, 1, k - 1], dtype: ScalarType.Float64, device: q.device)], dim: -1);
        return (q * flip).to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The unit vector orthogonal to k−1 orthonormal vectors, oriented for determinant +1.</summary>
    private static Tensor UnitNormal(List<Tensor> basis, long k, ScalarType dtype)
    {
        // Closed forms for the small groups training uses: a quarter turn in R², the cross product in R³.
        if (k == 2) return stack([-basis[0].select(-1, 1), basis[0].select(-1, 0)], dim: -1);
        if (k == 3) return linalg.cross(basis[0], basis[1]);
        var partial = stack(basis, dim: -1);                                   // [..., k, k-1]
        // Project each standard basis vector off the span; the one with the largest residual is stable.
        var residuals = eye(k, dtype: dtype, device: partial.device) - partial.matmul(partial.transpose(-1, -2)); // [..., k, k], columns
        var norms = linalg.vector_norm(residuals, dims: [-2]);                   // [..., k]
        var best = norms.argmax(-1, keepdim: true);                             // [..., 1]
        var index = best.unsqueeze(-2).expand(residuals.shape[..^1].Concat(new long[] { 1 }).ToArray());
        var normal = residuals.gather(-1, index).squeeze(-1);                   // [..., k]
        normal = normal / linalg.vector_norm(normal, dims: [-1], keepdim: true);
        var sign = linalg.det(cat([partial, normal.unsqueeze(-1)], dim: -1)).sign().unsqueeze(-1);
        return normal * sign;
    }
}
