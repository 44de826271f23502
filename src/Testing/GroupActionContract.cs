using FsCheck.Xunit;
using ManifoldKit.Statistics;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Testing;

/// <summary>
/// Laws of a manifold's symmetry group: elements are rotations, the action is a group action
/// (identity, compatibility with composition, inverses), it maps M to M isometrically, and the
/// uniform and Haar measures are invariant. Inherit it only for a manifold whose
/// <see cref="IManifold.Symmetry"/> is not null.
/// </summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 40)]
public abstract class GroupActionContract : ConformanceSuite
{
    private const int Batch = 32;

    /// <summary>Its group action.</summary>
    protected IGroupAction Group =>
        Manifold.Symmetry ?? throw new InvalidOperationException($"{Manifold.Name} offers no symmetry; do not inherit {nameof(GroupActionContract)}.");

    /// <summary>Elements from generated encoder outputs (the path a VAE uses).</summary>
    protected Tensor Elements(Seed seed)
    {
        using var generator = seed.Generator(Device);
        return Group.ElementFromParameters(randn([Batch, Group.ParameterDim], dtype: ScalarType.Float64, device: Device, generator: generator));
    }

    /// <summary>Uniform points of M, independent of <see cref="Elements"/> for the same seed.</summary>
    protected Tensor Points(Seed seed, int offset = 1)
    {
        using var generator = NewGenerator((ulong)seed.Value + (ulong)offset * 1_000_003UL);
        return Manifold.SampleUniform(Batch, generator, ScalarType.Float64);
    }

    private void AssertInGroup(Tensor elements, string what)
    {
        var k = Group.MatrixDim;
        TensorAssert.Shape(elements, [Batch, k, k], what);
        var gram = elements.transpose(-1, -2).matmul(elements);
        TensorAssert.Close(gram, eye(k, dtype: ScalarType.Float64, device: Device).expand_as(gram), Tolerance, $"{what}: gᵀg vs I");
        TensorAssert.Close(linalg.det(elements), ones(Batch, dtype: ScalarType.Float64, device: Device), Tolerance, $"{what}: det g vs 1");
    }

    /// <summary>Encoder outputs map to rotations: gᵀg = I, det g = +1.</summary>
    [Property]
    public void ElementFromParameters_LiesInGroup(Seed seed)
    {
        using var scope = NewDisposeScope();
        AssertInGroup(Elements(seed), "ElementFromParameters");
    }

    /// <summary>Haar samples are rotations.</summary>
    [Property]
    public void SampleHaar_LiesInGroup(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        AssertInGroup(Group.SampleHaar(Batch, generator, ScalarType.Float64), "SampleHaar");
    }

    /// <summary>The parameterisation is differentiable: gradients of a smooth function of g are finite.</summary>
    [Property(MaxTest = 10)]
    public void ElementFromParameters_HasFiniteGradients(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var raw = randn([Batch, Group.ParameterDim], dtype: ScalarType.Float64, device: Device, generator: generator).requires_grad_(true);
        Group.ElementFromParameters(raw).pow(3).sum().backward();
        Assert.True(raw.grad is not null && isfinite(raw.grad).all().item<bool>(), "gradient of ElementFromParameters is missing or not finite");
    }

    /// <summary>e·x = x.</summary>
    [Property]
    public void Act_Identity_IsNoOp(Seed seed)
    {
        using var scope = NewDisposeScope();
        var points = Points(seed);
        TensorAssert.Close(Group.Act(Group.Identity([Batch], ScalarType.Float64), points), points, Tolerance, "e·x vs x");
    }

    /// <summary>(gh)k = g(hk).</summary>
    [Property]
    public void Compose_IsAssociative(Seed seed)
    {
        using var scope = NewDisposeScope();
        var (g, h, k) = (Elements(seed), Elements(new Seed(seed.Value ^ 0x5555)), Elements(new Seed(seed.Value ^ 0x2AAA)));
        TensorAssert.Close(Group.Compose(Group.Compose(g, h), k), Group.Compose(g, Group.Compose(h, k)), Tolerance, "(gh)k vs g(hk)");
    }

    /// <summary>g·(h·x) = (gh)·x: the action is compatible with composition.</summary>
    [Property]
    public void Act_IsCompatibleWithCompose(Seed seed)
    {
        using var scope = NewDisposeScope();
        var (g, h, x) = (Elements(seed), Elements(new Seed(seed.Value ^ 0x5555)), Points(seed));
        TensorAssert.Close(Group.Act(g, Group.Act(h, x)), Group.Act(Group.Compose(g, h), x), Tolerance, "g·(h·x) vs (gh)·x");
    }

    /// <summary>g⁻¹·(g·x) = x and g g⁻¹ = e.</summary>
    [Property]
    public void Act_Inverse_Undoes(Seed seed)
    {
        using var scope = NewDisposeScope();
        var (g, x) = (Elements(seed), Points(seed));
        TensorAssert.Close(Group.Act(Group.Inverse(g), Group.Act(g, x)), x, Tolerance, "g⁻¹·(g·x) vs x");
        TensorAssert.Close(Group.Compose(g, Group.Inverse(g)), Group.Identity([Batch], ScalarType.Float64), Tolerance, "g g⁻¹ vs e");
    }

    /// <summary>g·x stays on M.</summary>
    [Property]
    public void Act_PreservesManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        TensorAssert.Small(Manifold.Distance(Group.Act(Elements(seed), Points(seed))), Tolerance, "distance of g·x from M");
    }

    /// <summary>|g·x − g·y| = |x − y|: the group acts by isometries of the ambient space.</summary>
    [Property]
    public void Act_PreservesDistances(Seed seed)
    {
        using var scope = NewDisposeScope();
        var (g, x, y) = (Elements(seed), Points(seed, 1), Points(seed, 2));
        var before = linalg.vector_norm(x - y, dims: [-1]);
        var after = linalg.vector_norm(Group.Act(g, x) - Group.Act(g, y), dims: [-1]);
        TensorAssert.Close(after, before, Tolerance, "|g·x − g·y| vs |x − y|");
    }

    /// <summary>
    /// Every operation accepts two leading axes, as the contract says: on [3, B, ·] ElementFromParameters,
    /// Act, Compose and Inverse equal the same operation on the flattened [3B, ·], reshaped back, and
    /// Identity([3, B]) is the identity in every slot.
    /// </summary>
    [Property(MaxTest = 10)]
    public void Operations_AcceptTwoLeadingAxes(Seed seed)
    {
        using var scope = NewDisposeScope();
        const int s = 3;
        var k = Group.MatrixDim;
        var m = Manifold.AmbientDim;
        using var generator = seed.Generator(Device);
        var raw = randn([s, Batch, Group.ParameterDim], dtype: ScalarType.Float64, device: Device, generator: generator);
        var g = Group.ElementFromParameters(raw);
        TensorAssert.Close(g, Group.ElementFromParameters(raw.reshape(s * Batch, -1)).reshape(s, Batch, k, k), Tolerance, "ElementFromParameters on [3, B, p] vs flattened");
        var h = Group.Inverse(g.flip(0));
        var x = stack([Points(seed, 1), Points(seed, 2), Points(seed, 3)]);      // [3, B, m]
        Tensor Flat(Tensor t, int trailing) => t.reshape([s * Batch, .. t.shape[^trailing..]]);
        TensorAssert.Close(Group.Act(g, x), Group.Act(Flat(g, 2), Flat(x, 1)).reshape(s, Batch, m), Tolerance, "Act on [3, B, ·] vs flattened");
        TensorAssert.Close(Group.Compose(g, h), Group.Compose(Flat(g, 2), Flat(h, 2)).reshape(s, Batch, k, k), Tolerance, "Compose on [3, B, k, k] vs flattened");
        TensorAssert.Close(Group.Inverse(g), Group.Inverse(Flat(g, 2)).reshape(s, Batch, k, k), Tolerance, "Inverse on [3, B, k, k] vs flattened");
        TensorAssert.Close(Group.Identity([s, Batch], ScalarType.Float64), eye(k, dtype: ScalarType.Float64, device: Device).expand(s, Batch, k, k), 0, "Identity([3, B])");
    }

    /// <summary>
    /// Elements broadcast against points, as the VAE calls it: Act(g [B, k, k], x [S, B, m]) acts with
    /// g[b] on every x[·, b], equal to acting element-wise with g expanded to [S, B, k, k] (flattened).
    /// </summary>
    [Property(MaxTest = 10)]
    public void Act_BroadcastsElementsOverLeadingSampleAxis(Seed seed)
    {
        using var scope = NewDisposeScope();
        const int s = 3;
        var (k, m) = (Group.MatrixDim, Manifold.AmbientDim);
        var g = Elements(seed);                                                 // [B, k, k]
        var x = stack([Points(seed, 1), Points(seed, 2), Points(seed, 3)]);      // [3, B, m]
        var expanded = g.expand(s, Batch, k, k).reshape(s * Batch, k, k);
        var expected = Group.Act(expanded, x.reshape(s * Batch, m)).reshape(s, Batch, m);
        TensorAssert.Close(Group.Act(g, x), expected, Tolerance, "Act(g [B, k, k], x [3, B, m]) vs element-wise");
    }

    /// <summary>
    /// The uniform measure of M is invariant: g·X and Y, for X, Y uniform and a fixed g, agree by
    /// a two-sample test (permutation test, false-alarm rate 1e-3).
    /// </summary>
    [Fact]
    public void Act_PreservesUniformMeasure()
    {
        using var scope = NewDisposeScope();
        const int m = 1000;
        using var generator = NewGenerator(3);
        var g = Group.SampleHaar(1, generator, ScalarType.Float64);
        var moved = Group.Act(g, Manifold.SampleUniform(m, generator, ScalarType.Float64));
        var fresh = Manifold.SampleUniform(m, generator, ScalarType.Float64);
        var test = TwoSampleTest.Run(moved, fresh);
        Assert.False(test.Rejects, $"g·Uniform and Uniform differ: {test}");
    }

    /// <summary>Haar is left-invariant: g·H₁ and H₂ agree by the two-sample test, as matrices.</summary>
    [Fact]
    public void SampleHaar_IsLeftInvariant()
    {
        using var scope = NewDisposeScope();
        const int m = 1000;
        using var generator = NewGenerator(5);
        var g = Group.ElementFromParameters(randn([1, Group.ParameterDim], dtype: ScalarType.Float64, device: Device, generator: generator));
        var moved = Group.Compose(g, Group.SampleHaar(m, generator, ScalarType.Float64)).flatten(1);
        var fresh = Group.SampleHaar(m, generator, ScalarType.Float64).flatten(1);
        var test = TwoSampleTest.Run(moved, fresh);
        Assert.False(test.Rejects, $"g·Haar and Haar differ: {test}");
    }

    /// <summary>The test has power on the group: Haar differs from rotations concentrated near one element.</summary>
    [Fact]
    public void TwoSampleTest_DetectsNonHaarSample()
    {
        using var scope = NewDisposeScope();
        const int m = 1000;
        using var generator = NewGenerator(5);
        var centre = randn([1, Group.ParameterDim], dtype: ScalarType.Float64, device: Device, generator: generator);
        var raw = centre + 0.1 * linalg.vector_norm(centre) * randn([m, Group.ParameterDim], dtype: ScalarType.Float64, device: Device, generator: generator);
        var concentrated = Group.ElementFromParameters(raw).flatten(1);
        var haar = Group.SampleHaar(m, generator, ScalarType.Float64).flatten(1);
        var test = TwoSampleTest.Run(concentrated, haar);
        Assert.True(test.Rejects, $"concentrated rotations were not detected: {test}");
    }
}
