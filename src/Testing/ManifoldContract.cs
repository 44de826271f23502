using FsCheck.Xunit;
using ManifoldKit.Statistics;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Testing;

/// <summary>
/// Laws every <see cref="IManifold"/> obeys. Inherit it in a test project and return your manifold:
/// <code>public sealed class TorusTests : ManifoldContract { protected override IManifold CreateManifold() =&gt; new Torus(); }</code>
/// Properties run in float64 over generated seeds.
/// </summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 40)]
public abstract class ManifoldContract : ConformanceSuite
{
    /// <summary>Points per generated batch.</summary>
    protected virtual int BatchSize => 64;

    /// <summary>Ambient points spread around M: Gaussian, scaled by a per-point factor in (0, 3].</summary>
    protected Tensor AmbientPoints(Seed seed)
    {
        using var generator = seed.Generator(Device);
        var scale = rand([BatchSize, 1], dtype: ScalarType.Float64, device: Device, generator: generator) * 3;
        return randn([BatchSize, Manifold.AmbientDim], dtype: ScalarType.Float64, device: Device, generator: generator) * scale;
    }

    /// <summary>Uniform points of M.</summary>
    protected Tensor PointsOn(Seed seed)
    {
        using var generator = seed.Generator(Device);
        return Manifold.SampleUniform(BatchSize, generator, ScalarType.Float64);
    }

    /// <summary>The manifold's declared dimensions are consistent.</summary>
    [Fact]
    public void Dimensions_AreConsistent()
    {
        Assert.InRange(Manifold.IntrinsicDim, 1, Manifold.AmbientDim);
        Assert.Equal(Manifold.Name.ToLowerInvariant(), Manifold.Name);
        if (Manifold.Volume is { } volume) Assert.True(volume > 0, $"volume {volume} is not positive");
    }

    /// <summary>SampleUniform returns [count, m] in the requested dtype.</summary>
    [Property]
    public void SampleUniform_ShapeIsCountByAmbientDim(byte count)
    {
        using var scope = NewDisposeScope();
        var sample = Manifold.SampleUniform(count % 20, dtype: ScalarType.Float64);
        TensorAssert.Shape(sample, [count % 20, Manifold.AmbientDim], "SampleUniform");
        Assert.Equal(ScalarType.Float64, sample.dtype);
    }

    /// <summary>Uniform samples lie on M.</summary>
    [Property]
    public void SampleUniform_LiesOnManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        TensorAssert.Small(Manifold.Distance(PointsOn(seed)), Tolerance, "distance of SampleUniform from M");
    }

    /// <summary>The same generator seed gives the same sample.</summary>
    [Property]
    public void SampleUniform_IsReproducibleFromGenerator(Seed seed)
    {
        using var scope = NewDisposeScope();
        TensorAssert.Close(PointsOn(seed), PointsOn(seed), 0, "two samples from one seed");
    }

    /// <summary>Projections land on M.</summary>
    [Property]
    public void Project_LiesOnManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        TensorAssert.Small(Manifold.Distance(Manifold.Project(AmbientPoints(seed))), Tolerance, "distance of Project(x) from M");
    }

    /// <summary>Projecting twice equals projecting once.</summary>
    [Property]
    public void Project_IsIdempotent(Seed seed)
    {
        using var scope = NewDisposeScope();
        var once = Manifold.Project(AmbientPoints(seed));
        TensorAssert.Close(Manifold.Project(once), once, Tolerance, "Project(Project(x)) vs Project(x)");
    }

    /// <summary>Points of M are fixed by the projection.</summary>
    [Property]
    public void Project_FixesPointsOnManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        var points = PointsOn(seed);
        TensorAssert.Close(Manifold.Project(points), points, Tolerance, "Project(p) vs p for p on M");
    }

    /// <summary>
    /// The projection is nearest: no uniform sample of M is closer to x than Project(x), and
    /// Distance(x) is that nearest distance.
    /// </summary>
    [Property]
    public void Project_IsNearestPoint(Seed seed)
    {
        using var scope = NewDisposeScope();
        var x = AmbientPoints(seed);
        var candidates = Manifold.SampleUniform(512, seed.Generator(Device), ScalarType.Float64);
        var toCandidates = cdist(x, candidates).min(1).values;                   // [B]
        var distance = Manifold.Distance(x);
        TensorAssert.Close(distance, linalg.vector_norm(x - Manifold.Project(x), dims: [-1]), Tolerance, "Distance vs |x - Project(x)|");
        TensorAssert.Small((distance - toCandidates).clamp_min(0), Tolerance, "Distance(x) above the distance to a sampled point of M");
    }

    /// <summary>Projecting a batch equals projecting each row alone.</summary>
    [Property(MaxTest = 10)]
    public void Project_IsBatchConsistent(Seed seed)
    {
        using var scope = NewDisposeScope();
        var x = AmbientPoints(seed);
        var rows = Enumerable.Range(0, (int)x.shape[0]).Select(i => Manifold.Project(x[i])).ToArray();
        TensorAssert.Close(Manifold.Project(x), stack(rows), Tolerance, "batched vs row-by-row Project");
    }

    /// <summary>
    /// Project and Distance accept any leading shape, as the contract says: on [2, B, m] (ambient
    /// points and points of M) they equal the same operation on the flattened [2B, m], reshaped back.
    /// </summary>
    [Property(MaxTest = 10)]
    public void PointOperations_AcceptTwoLeadingAxes(Seed seed)
    {
        using var scope = NewDisposeScope();
        var x = stack([AmbientPoints(seed), PointsOn(seed)]);                   // [2, B, m]
        var flat = x.reshape(-1, Manifold.AmbientDim);
        TensorAssert.Close(Manifold.Project(x), Manifold.Project(flat).reshape(x.shape), Tolerance, "Project on [2, B, m] vs flattened");
        TensorAssert.Close(Manifold.Distance(x), Manifold.Distance(flat).reshape(x.shape[..^1]), Tolerance, "Distance on [2, B, m] vs flattened");
    }

    /// <summary>
    /// Distance in every direction: it is zero on M, and for p on M, a random ambient direction u and a
    /// random scale t in [1e-4, 1], x = p + t·u has 0 ≤ Distance(x) = |x − Project(x)| ≤ t (p is a point
    /// of M at distance t). Distance is 1-Lipschitz, as a distance to a set is.
    /// </summary>
    [Property]
    public void Distance_IsZeroOnlyOnManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        var points = PointsOn(seed);
        TensorAssert.Small(Manifold.Distance(points), Tolerance, "Distance on M");
        using var generator = NewGenerator((ulong)seed.Value + 1);
        var u = randn(points.shape, dtype: ScalarType.Float64, device: Device, generator: generator);
        u /= linalg.vector_norm(u, dims: [-1], keepdim: true);
        var t = pow(10.0, -4 * rand([BatchSize], dtype: ScalarType.Float64, device: Device, generator: generator));
        var x = points + t.unsqueeze(-1) * u;
        var distance = Manifold.Distance(x);
        Assert.True(distance.min().item<double>() >= 0, "Distance is negative off M");
        TensorAssert.Close(distance, linalg.vector_norm(x - Manifold.Project(x), dims: [-1]), Tolerance, "Distance vs |x - Project(x)|");
        TensorAssert.Small((distance - t).clamp_min(0), Tolerance, "Distance(p + t·u) above t for p on M");
        var y = AmbientPoints(seed);
        var lipschitz = (Manifold.Distance(y) - distance).abs() - linalg.vector_norm(y - x, dims: [-1]);
        TensorAssert.Small(lipschitz.clamp_min(0), Tolerance, "|Distance(x) − Distance(y)| above |x − y|");
    }

    /// <summary>
    /// Distance is positive off M in any direction with a normal part, and first-order exact:
    /// Distance(p + t·d) = t·|d_N| + O(κt²), κ the curvature of M. d mixes a random unit normal ν and a
    /// random unit tangent τ at a random angle α up to 80°, so |d_N| = cos α ≥ 0.17. T_pM is the range of
    /// Project's Jacobian at p (central differences, step h = 1e-4, error O(κ²h²)), orthonormalised by
    /// SVD, so an oblique (not nearest) Project still fails. At t = 1e-5 the relative error allowed,
    /// 1e-2, covers κ up to about 100.
    /// </summary>
    [Property]
    public void Distance_GrowsWithNormalPartOfStep(Seed seed)
    {
        using var scope = NewDisposeScope();
        const double h = 1e-4, t = 1e-5;
        var p = PointsOn(seed);                                                  // [B, m]
        var axes = eye(Manifold.AmbientDim, dtype: ScalarType.Float64, device: Device).unsqueeze(1);     // [m, 1, m]
        var jacobian = (Manifold.Project(p + h * axes) - Manifold.Project(p - h * axes)) / (2 * h);   // [m in, B, m out]
        var (u, _, _) = linalg.svd(jacobian.permute(1, 2, 0), fullMatrices: false);
        var basis = u.narrow(-1, 0, Manifold.IntrinsicDim);                   // [B, m, n], orthonormal basis of T_pM
        Tensor Tangent(Tensor v) => basis.matmul(basis.transpose(-1, -2).matmul(v.unsqueeze(-1))).squeeze(-1);
        Tensor Unit(Tensor v) => v / linalg.vector_norm(v, dims: [-1], keepdim: true);
        using var generator = NewGenerator((ulong)seed.Value + 2);
        var (a, b) = (randn(p.shape, dtype: ScalarType.Float64, device: Device, generator: generator), randn(p.shape, dtype: ScalarType.Float64, device: Device, generator: generator));
        var normal = Unit(a - Tangent(a));
        var tangent = Unit(Tangent(b));
        var angle = 80 * Math.PI / 180 * rand([BatchSize, 1], dtype: ScalarType.Float64, device: Device, generator: generator);
        var d = angle.cos() * normal + angle.sin() * tangent;
        var expected = t * angle.cos().squeeze(-1);
        var distance = Manifold.Distance(p + t * d);
        Assert.True(distance.min().item<double>() > 0, "a point off M in a direction with a normal part has distance 0");
        TensorAssert.Small((distance / expected - 1).abs(), 1e-2, "Distance(p + t·d) / (t·|d_N|) − 1");
    }

    /// <summary>
    /// The two-sample test used by the statistical laws can tell the uniform measure from a
    /// concentrated one on this manifold (so those laws do not pass vacuously).
    /// </summary>
    [Fact]
    public void TwoSampleTest_DetectsNonUniformSample()
    {
        using var scope = NewDisposeScope();
        const int m = 1000;
        using var generator = NewGenerator(11);
        var uniform = Manifold.SampleUniform(m, generator, ScalarType.Float64);
        var basePoint = Manifold.SampleUniform(1, generator, ScalarType.Float64);
        var concentrated = Manifold.Project(Manifold.SampleUniform(m, generator, ScalarType.Float64) + 1.5 * basePoint);
        var test = TwoSampleTest.Run(uniform, concentrated);
        Assert.True(test.Rejects, $"a concentrated sample was not detected: {test}");
    }
}
