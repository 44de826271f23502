using FsCheck.Xunit;
using ManifoldKit.Statistics;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Testing;

/// <summary>
/// Laws of a manifold's exact embedding f : [0,1]^n → M: it lands on M, its chart inverts it, its
/// metric tensor is JᵀJ, and it is measure-preserving, pointwise (sqrt(det G) = Vol(M)) and in
/// distribution (a two-sample test against the manifold's own sampler).
/// Inherit it only for a manifold whose <see cref="IManifold.ExactEmbedding"/> is not null.
/// </summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 40)]
public abstract class ExactEmbeddingContract : ConformanceSuite
{
    /// <summary>Its exact embedding.</summary>
    protected IExactEmbedding Embedding =>
        Manifold.ExactEmbedding ?? throw new InvalidOperationException($"{Manifold.Name} offers no exact embedding; do not inherit {nameof(ExactEmbeddingContract)}.");

    /// <summary>
    /// How far from the cube's faces interior codes stay: the chart is the inverse of f only off
    /// the seam, and the metric may degenerate on the faces (the poles of S², say).
    /// </summary>
    protected virtual double SeamMargin => 0.01;

    /// <summary>Hidden codes, uniform in the cube shrunk by <see cref="SeamMargin"/>.</summary>
    protected Tensor InteriorCodes(Seed seed, int count = 64)
    {
        using var generator = seed.Generator(Device);
        var unit = rand([count, Embedding.HiddenDim], dtype: ScalarType.Float64, device: Device, generator: generator);
        return SeamMargin + (1 - 2 * SeamMargin) * unit;
    }

    /// <summary>The embedding's dimensions match the manifold's, and M has a known volume.</summary>
    [Fact]
    public void Dimensions_MatchManifold()
    {
        Assert.Equal(Manifold.IntrinsicDim, Embedding.HiddenDim);
        Assert.Equal(Manifold.AmbientDim, Embedding.AmbientDim);
        Assert.True(Manifold.Volume is > 0, "a manifold with an exact embedding must state its volume");
    }

    /// <summary>f maps the whole closed cube onto M.</summary>
    [Property]
    public void Embed_LiesOnManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var codes = rand([64, Embedding.HiddenDim], dtype: ScalarType.Float64, device: Device, generator: generator);
        TensorAssert.Small(Manifold.Distance(Embedding.Embed(codes)), Tolerance, "distance of f(z) from M");
    }

    /// <summary>Chart(f(z)) = z off the seam.</summary>
    [Property]
    public void Chart_InvertsEmbed(Seed seed)
    {
        using var scope = NewDisposeScope();
        var codes = InteriorCodes(seed);
        TensorAssert.Close(Embedding.Chart(Embedding.Embed(codes)), codes, 1e3 * Tolerance, "Chart(f(z)) vs z");
    }

    /// <summary>f(Chart(p)) = p for points of M: the chart reaches every point, and the codes lie in the cube.</summary>
    [Property]
    public void Embed_InvertsChart(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var points = Manifold.SampleUniform(64, generator, ScalarType.Float64);
        var codes = Embedding.Chart(points);
        Assert.True(codes.min().item<double>() >= 0 && codes.max().item<double>() <= 1, "Chart returned a code outside [0, 1]^n");
        TensorAssert.Close(Embedding.Embed(codes), points, 1e3 * Tolerance, "f(Chart(p)) vs p");
    }

    /// <summary>The embedding's metric tensor equals JᵀJ computed by autograd (checks closed-form overrides).</summary>
    [Property]
    public void MetricTensor_MatchesAutograd(Seed seed)
    {
        using var scope = NewDisposeScope();
        var codes = InteriorCodes(seed);
        var expected = PullbackMetric.ByAutograd(Embedding.Embed, codes);
        TensorAssert.Close(Embedding.MetricTensor(codes), expected, 1e3 * Tolerance * (1 + TensorAssert.MaxAbs(expected)), "MetricTensor vs autograd JᵀJ");
    }

    /// <summary>
    /// Both metrics match JᵀJ of central finite differences of f: the embedding's MetricTensor (a
    /// closed form, if overridden) and JᵀJ by autograd, which checks that autograd sees the real map
    /// (a detach or custom gradient can give the right values with the wrong derivative). The message
    /// names the one that missed.
    /// </summary>
    [Property(MaxTest = 20)]
    public void MetricTensor_MatchesFiniteDifferences(Seed seed)
    {
        using var scope = NewDisposeScope();
        var codes = InteriorCodes(seed, count: 16);
        const double h = 1e-6;
        var n = Embedding.HiddenDim;
        var columns = new Tensor[n];
        for (var j = 0; j < n; j++)
        {
            var step = zeros(n, dtype: ScalarType.Float64, device: Device);
            step[j] = h;
            columns[j] = (Embedding.Embed(codes + step) - Embedding.Embed(codes - step)) / (2 * h);
        }
        var jacobian = stack(columns, dim: -1);                                 // [B, m, n]
        var numeric = jacobian.transpose(-1, -2).matmul(jacobian);
        var tolerance = 1e-6 * (1 + TensorAssert.MaxAbs(numeric));
        TensorAssert.Close(Embedding.MetricTensor(codes), numeric, tolerance, "MetricTensor vs finite differences");
        TensorAssert.Close(PullbackMetric.ByAutograd(Embedding.Embed, codes), numeric, tolerance, "autograd JᵀJ vs finite differences");
    }

    /// <summary>G is symmetric positive definite in the interior: f is an immersion there.</summary>
    [Property]
    public void MetricTensor_IsSymmetricPositiveDefinite(Seed seed)
    {
        using var scope = NewDisposeScope();
        var metric = Embedding.MetricTensor(InteriorCodes(seed));
        TensorAssert.Close(metric, metric.transpose(-1, -2), Tolerance, "G vs Gᵀ");
        var smallest = linalg.eigvalsh(metric).min().item<double>();
        Assert.True(smallest > 0, $"smallest eigenvalue of G is {smallest:G4}");
    }

    /// <summary>
    /// LogVolumeElement equals ½·log det of JᵀJ by autograd (checks closed-form overrides, and that
    /// they return one value per code).
    /// </summary>
    [Property]
    public void LogVolumeElement_MatchesAutograd(Seed seed)
    {
        using var scope = NewDisposeScope();
        var codes = InteriorCodes(seed);
        var (sign, logAbsDet) = linalg.slogdet(PullbackMetric.ByAutograd(Embedding.Embed, codes));
        Assert.True((sign > 0).all().item<bool>(), "autograd JᵀJ is singular at an interior code");
        TensorAssert.Close(Embedding.LogVolumeElement(codes), 0.5 * logAbsDet, 1e3 * Tolerance, "LogVolumeElement vs ½·log det(autograd JᵀJ)");
    }

    /// <summary>
    /// sqrt(det G(z)) = Vol(M) at every z: the pointwise form of "Uniform[0,1]^n goes to the uniform
    /// measure of M" for a one-to-one map (appendix 5.1, p_M(f(z)) = p(z) |det G|^(-1/2)).
    /// </summary>
    [Property]
    public void VolumeElement_EqualsManifoldVolume(Seed seed)
    {
        using var scope = NewDisposeScope();
        var volumeElement = Embedding.LogVolumeElement(InteriorCodes(seed)).exp();
        var volume = Manifold.Volume!.Value;
        TensorAssert.Close(volumeElement / volume, ones_like(volumeElement), 1e-7, $"sqrt(det G) / Vol(M) (Vol = {volume:G6})");
    }

    /// <summary>
    /// Embed, Chart, MetricTensor and LogVolumeElement accept any leading shape, as the contract says:
    /// on [4, 16, ·] they equal the same operation on the flattened [64, ·], reshaped back.
    /// </summary>
    [Property(MaxTest = 10)]
    public void Operations_AcceptTwoLeadingAxes(Seed seed)
    {
        using var scope = NewDisposeScope();
        var (n, m) = (Embedding.HiddenDim, Embedding.AmbientDim);
        var flatCodes = InteriorCodes(seed);
        var codes = flatCodes.reshape(4, 16, n);
        TensorAssert.Close(Embedding.Embed(codes), Embedding.Embed(flatCodes).reshape(4, 16, m), Tolerance, "Embed on [4, 16, n] vs flattened");
        TensorAssert.Close(Embedding.MetricTensor(codes), Embedding.MetricTensor(flatCodes).reshape(4, 16, n, n), Tolerance, "MetricTensor on [4, 16, n] vs flattened");
        TensorAssert.Close(Embedding.LogVolumeElement(codes), Embedding.LogVolumeElement(flatCodes).reshape(4, 16), Tolerance, "LogVolumeElement on [4, 16, n] vs flattened");
        var flatPoints = Embedding.Embed(flatCodes);
        TensorAssert.Close(Embedding.Chart(flatPoints.reshape(4, 16, m)), Embedding.Chart(flatPoints).reshape(4, 16, n), Tolerance, "Chart on [4, 16, m] vs flattened");
    }

    /// <summary>f(Uniform[0,1]^n) and SampleUniform agree by a two-sample test (permutation test, false-alarm rate 1e-3).</summary>
    [Fact]
    public void Embed_PushesUniformToUniform()
    {
        using var scope = NewDisposeScope();
        const int m = 1000;
        using var generator = NewGenerator(7);
        var pushed = Embedding.Embed(rand([m, Embedding.HiddenDim], dtype: ScalarType.Float64, device: Device, generator: generator));
        var sampled = Manifold.SampleUniform(m, generator, ScalarType.Float64);
        var test = TwoSampleTest.Run(pushed, sampled);
        Assert.False(test.Rejects, $"f(Uniform) and SampleUniform differ: {test}");
    }

    /// <summary>The same test rejects the pushforward of a non-uniform code distribution (z ↦ z³), so it has power here.</summary>
    [Fact]
    public void Embed_OfNonUniformCodes_IsDetected()
    {
        using var scope = NewDisposeScope();
        const int m = 1000;
        using var generator = NewGenerator(7);
        var pushed = Embedding.Embed(rand([m, Embedding.HiddenDim], dtype: ScalarType.Float64, device: Device, generator: generator).pow(3));
        var sampled = Manifold.SampleUniform(m, generator, ScalarType.Float64);
        var test = TwoSampleTest.Run(pushed, sampled);
        Assert.True(test.Rejects, $"a non-uniform pushforward was not detected: {test}");
    }
}
