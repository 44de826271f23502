using static TorchSharp.torch;

namespace ManifoldKit.Geometry;

/// <summary>
/// SO(k) acting by left multiplication on points read as k×c matrices (row-major): c = 1 rotates
/// vectors in R^k (circle, sphere); c = k multiplies rotation matrices (SO(3) acting on itself).
/// Both actions preserve the Euclidean (Frobenius) distance of the ambient space.
/// </summary>
public sealed class RotationGroupAction : IGroupAction
{
    private readonly int columns;
    private readonly RotationParameterization parameterization;

    /// <summary>Creates the action of SO(<paramref name="k"/>) on points of size k·<paramref name="columns"/>.</summary>
    /// <param name="k">Matrix size, at least 2.</param>
    /// <param name="columns">c: 1 for vectors, k for matrices.</param>
    /// <param name="parameterization">How encoder outputs become rotations.</param>
    /// <exception cref="ArgumentException">A quaternion was asked for with k ≠ 3, or k &lt; 2.</exception>
    public RotationGroupAction(int k, int columns = 1, RotationParameterization parameterization = RotationParameterization.GramSchmidt)
    {
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), k, "SO(k) needs k >= 2.");
        if (parameterization == RotationParameterization.Quaternion && k != 3)
            throw new ArgumentException($"quaternions parameterise SO(3) only, not SO({k}); use gram_schmidt.", nameof(parameterization));
        MatrixDim = k;
        this.columns = columns;
        this.parameterization = parameterization;
    }

    /// <inheritdoc />
    public string GroupName => $"SO({MatrixDim})";

    /// <inheritdoc />
    public int MatrixDim { get; }

    /// <summary>Size of a point the group acts on: k·c.</summary>
    public int PointDim => MatrixDim * columns;

    /// <inheritdoc />
    public int ParameterDim => parameterization == RotationParameterization.Quaternion ? 4 : MatrixDim * (MatrixDim - 1);

    /// <inheritdoc />
    public Tensor ElementFromParameters(Tensor raw)
    {
        if (raw.shape[^1] != ParameterDim)
            throw new ArgumentException($"{GroupName} expects {ParameterDim} parameters per element, got {raw.shape[^1]}.", nameof(raw));
        if (parameterization == RotationParameterization.Quaternion) return Rotations.FromQuaternion(raw);
        // Column-major reading: the first k numbers are the first column.
        using var scope = NewDisposeScope();
        var vectors = raw.reshape([.. raw.shape[..^1], MatrixDim - 1, MatrixDim]).transpose(-1, -2);
        return Rotations.FromGramSchmidt(vectors).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Act(Tensor element, Tensor point)
    {
        using var scope = NewDisposeScope();
        var matrix = point.reshape([.. point.shape[..^1], MatrixDim, columns]);
        var moved = element.matmul(matrix);
        return moved.reshape([.. moved.shape[..^2], PointDim]).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Compose(Tensor left, Tensor right) => left.matmul(right);

    /// <inheritdoc />
    public Tensor Inverse(Tensor element) => element.transpose(-1, -2);

    /// <inheritdoc />
    public Tensor Identity(long[] batchShape, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        return eye(MatrixDim, dtype: dtype).expand([.. batchShape, MatrixDim, MatrixDim]).contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor SampleHaar(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
        Rotations.SampleHaar(count, MatrixDim, generator, dtype);
}
