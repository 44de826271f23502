using static TorchSharp.torch;

namespace ManifoldKit.Geometry;

/// <summary>
/// SO(k) acting by conjugation, g·X = g X gᵀ, on points read as k×k matrices (row-major, size k²):
/// the action on symmetric matrices, and so on manifolds of projectors — RP^(k−1) as rank-1
/// projectors xxᵀ (where x and −x are one point, so left multiplication of x is not defined),
/// Grassmannians as rank-r projectors. It preserves the Frobenius distance, symmetry, trace and rank.
/// </summary>
public sealed class ConjugationGroupAction : IGroupAction
{
    // The group is that of left multiplication; only Act differs, so everything else is delegated.
    private readonly RotationGroupAction rotations;

    /// <summary>Creates the action of SO(<paramref name="k"/>) by conjugation on points of size k².</summary>
    /// <param name="k">Matrix size, at least 2.</param>
    /// <param name="parameterization">How encoder outputs become rotations.</param>
    /// <exception cref="ArgumentException">A quaternion was asked for with k ≠ 3, or k &lt; 2.</exception>
    public ConjugationGroupAction(int k, RotationParameterization parameterization = RotationParameterization.GramSchmidt) =>
        rotations = new RotationGroupAction(k, columns: 1, parameterization);

    /// <inheritdoc />
    public string GroupName => rotations.GroupName;

    /// <inheritdoc />
    public int MatrixDim => rotations.MatrixDim;

    /// <summary>Size of a point the group acts on: k².</summary>
    public int PointDim => MatrixDim * MatrixDim;

    /// <inheritdoc />
    public int ParameterDim => rotations.ParameterDim;

    /// <inheritdoc />
    public Tensor ElementFromParameters(Tensor raw) => rotations.ElementFromParameters(raw);

    /// <inheritdoc />
    public Tensor Act(Tensor element, Tensor point)
    {
        using var scope = NewDisposeScope();
        var matrix = point.reshape([.. point.shape[..^1], MatrixDim, MatrixDim]);
        var moved = element.matmul(matrix).matmul(element.transpose(-1, -2));
        return moved.reshape([.. moved.shape[..^2], PointDim]).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Compose(Tensor left, Tensor right) => rotations.Compose(left, right);

    /// <inheritdoc />
    public Tensor Inverse(Tensor element) => rotations.Inverse(element);

    /// <inheritdoc />
    public Tensor Identity(long[] batchShape, ScalarType dtype = ScalarType.Float32) => rotations.Identity(batchShape, dtype);

    /// <inheritdoc />
    public Tensor SampleHaar(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
        rotations.SampleHaar(count, generator, dtype);
}
