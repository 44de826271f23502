using FsCheck.Xunit;
using ManifoldKit.Geometry;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds.Tests;

/// <summary>
/// RP² as the rank-1 projectors xxᵀ ⊂ R⁹ (x a unit vector, row-major), test-only: the smallest
/// manifold that SO(3) acts on by conjugation and not by left multiplication, so the
/// <see cref="ConjugationGroupAction"/> runs the whole <see cref="GroupActionContract"/> on it.
/// </summary>
public sealed class ProjectivePlane(RotationParameterization parameterization = RotationParameterization.GramSchmidt) : IManifold
{
    public string Name => "projective_plane";

    public int IntrinsicDim => 2;

    public int AmbientDim => 9;

    // Not needed by the suites run on it; unknown is an allowed answer.
    public double? Volume => null;

    public IExactEmbedding? ExactEmbedding => null;

    public IGroupAction? Symmetry { get; } = new ConjugationGroupAction(3, parameterization);

    public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        return Projector(Spheres.SampleUniform(count, 2, generator, ScalarType.Float64)).to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <remarks>
    /// |A − xxᵀ|² = |A|² − 2 xᵀ S x + 1 with S = (A + Aᵀ)/2, so the nearest projector is that of S's
    /// top eigenvector. Where the top eigenvalue is repeated, eigh's choice among them.
    /// </remarks>
    public Tensor Project(Tensor ambient)
    {
        using var scope = NewDisposeScope();
        var matrix = ambient.reshape([.. ambient.shape[..^1], 3, 3]);
        var symmetric = 0.5 * (matrix + matrix.transpose(-1, -2));
        var (_, vectors) = linalg.eigh(symmetric);                              // eigenvalues ascending
        return Projector(vectors.select(-1, 2)).MoveToOuterDisposeScope();
    }

    /// <summary>xxᵀ, flattened row-major: [..., 3] → [..., 9].</summary>
    public static Tensor Projector(Tensor unit) => (unit.unsqueeze(-1) * unit.unsqueeze(-2)).flatten(-2);
}

public sealed class ProjectivePlaneManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new ProjectivePlane(); }

public sealed class ConjugationSymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new ProjectivePlane(); }

public sealed class ConjugationQuaternionSymmetryTests : GroupActionContract
{
    protected override IManifold CreateManifold() => new ProjectivePlane(RotationParameterization.Quaternion);
}

/// <summary>Laws of conjugation that the general contract does not state.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 40)]
public sealed class ConjugationFacts
{
    private const int Batch = 32;
    private const double Tolerance = 1e-9;
    private readonly ConjugationGroupAction group = new(3);

    private Tensor Elements(Generator generator) =>
        group.ElementFromParameters(randn([Batch, group.ParameterDim], dtype: ScalarType.Float64, generator: generator));

    /// <summary>g·xxᵀ = (gx)(gx)ᵀ: conjugating a projector projects onto the rotated line.</summary>
    [Property]
    public void Act_OnProjector_IsProjectorOfRotatedVector(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var g = Elements(generator);
        var x = Spheres.SampleUniform(Batch, 2, generator, ScalarType.Float64);
        var gx = g.matmul(x.unsqueeze(-1)).squeeze(-1);
        TensorAssert.Close(group.Act(g, ProjectivePlane.Projector(x)), ProjectivePlane.Projector(gx), Tolerance, "g·xxᵀ vs (gx)(gx)ᵀ");
    }

    /// <summary>g X gᵀ is symmetric for symmetric X, which g X (left multiplication) is not.</summary>
    [Property]
    public void Act_KeepsSymmetricMatricesSymmetric(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var g = Elements(generator);
        var a = randn([Batch, 3, 3], dtype: ScalarType.Float64, generator: generator);
        var moved = group.Act(g, (a + a.transpose(-1, -2)).flatten(-2)).reshape(Batch, 3, 3);
        TensorAssert.Close(moved, moved.transpose(-1, -2), Tolerance, "g·X vs (g·X)ᵀ for symmetric X");
    }

    [Fact]
    public void Constructor_RejectsBadSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConjugationGroupAction(1));
        var error = Assert.Throws<ArgumentException>(() => new ConjugationGroupAction(4, RotationParameterization.Quaternion));
        Assert.Contains("SO(3) only", error.Message);
    }

    [Fact]
    public void Dimensions_AreThoseOfSOk()
    {
        var action = new ConjugationGroupAction(4);
        Assert.Equal(("SO(4)", 4, 16, 12), (action.GroupName, action.MatrixDim, action.PointDim, action.ParameterDim));
        Assert.Equal(4, new ConjugationGroupAction(3, RotationParameterization.Quaternion).ParameterDim);
    }
}
