using FsCheck.Xunit;
using ManifoldKit.Distributions;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Distributions;

/// <summary><see cref="IPosteriorFamily.RawForStd"/> and <see cref="LatentDistribution.Stddev"/>, behind <c>architecture.initial_posterior_std</c>.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 30)]
public sealed class InitialPosteriorStdTests
{
    private static readonly IPosteriorFamily[] Families = [new GaussianFamily(), new BetaFamily(), new BetaFamily(logScale: true), new CentredBetaFamily()];

    /// <summary>Raw outputs laid out as <see cref="IPosteriorFamily.Create"/> reads them, [1, p·n]; a location gets <paramref name="location"/>.</summary>
    private static Tensor Raw(IPosteriorFamily family, double std, int n, double location) =>
        tensor(family.RawForStd(n, std).Select(value => value ?? location).ToArray(), dtype: ScalarType.Float64).unsqueeze(0);

    /// <summary>
    /// Every family turns <c>RawForStd(s)</c> into a posterior whose every coordinate has standard
    /// deviation s, for s log-uniform over the Beta range [1e-4, 0.45] (and up to 5 for the
    /// Gaussian); the Beta families centre it on ½, the Gaussian keeps the drawn location.
    /// </summary>
    [Property]
    public void RawForStd_GivesThatStandardDeviation(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        foreach (var family in Families)
        {
            var largest = family is GaussianFamily ? 5.0 : 0.45;
            var std = Math.Exp(Math.Log(1e-4) + random.NextDouble() * (Math.Log(largest) - Math.Log(1e-4)));
            var location = random.NextDouble() * 4 - 2;
            var q = family.Create(Raw(family, std, 3, location));
            var relative = ((q.Stddev - std).abs() / std).max().item<double>();
            Assert.True(relative < 1e-9, $"{family.Name}: std {std:G6} came out {q.Stddev.ToString(TorchSharp.TensorStringStyle.Numpy)}");
            var expectedMean = family is GaussianFamily ? location : 0.5;
            Assert.True((q.Mean - expectedMean).abs().max().item<double>() < 1e-9, $"{family.Name}: mean {q.Mean.ToString(TorchSharp.TensorStringStyle.Numpy)}");
        }
    }

    /// <summary>Beta(c, c) has standard deviation 1/(2√(2c + 1)): the uniform prior (c = 1) 1/√12, c = 4.5 gives 0.15.</summary>
    [Theory]
    [InlineData(1.0, 0.28867513459481287)]
    [InlineData(4.5, 0.15811388300841897)]
    [InlineData(54.0, 0.047891314261057)]
    public void SymmetricConcentration_KnownValues(double c, double std) =>
        Assert.Equal(c, BetaProduct.SymmetricConcentration(std, floor: 0), 10);

    /// <summary>Spreads no member has: a Beta at or beyond ½ or at 0, a Gaussian at its floor, a log-scale Beta beyond e^20.</summary>
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(0, 1e-4)]
    [InlineData(1, 0.5)]
    [InlineData(1, 0.0)]
    [InlineData(2, -0.1)]
    [InlineData(2, 1e-5)]
    [InlineData(3, 0.6)]
    [InlineData(3, 1e-5)]
    public void RawForStd_OutOfRange_Throws(int family, double std) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Families[family].RawForStd(3, std));

    /// <summary>
    /// <see cref="LatentDistribution.Stddev"/> matches the standard deviation of 40,000 samples, from
    /// U-shaped to sharp Betas and for a Gaussian. Tolerance: 5 standard errors of the sample
    /// variance, √((m₄ − s⁴)/N) from the sample's own fourth moment.
    /// </summary>
    [Fact]
    public void Stddev_MatchesSamples()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var alpha = tensor(new[] { 0.3, 1.0, 2.0, 40.0, 500.0 }, dtype: ScalarType.Float64).unsqueeze(0);
        var beta = tensor(new[] { 0.3, 1.0, 7.0, 3.0, 500.0 }, dtype: ScalarType.Float64).unsqueeze(0);
        LatentDistribution[] distributions =
        [
            new BetaProduct(alpha, beta),
            new DiagonalGaussian(tensor(new[] { 0.0, 3.0 }, dtype: ScalarType.Float64).unsqueeze(0), tensor(new[] { 0.01, 2.0 }, dtype: ScalarType.Float64).unsqueeze(0)),
        ];
        const int count = 40_000;
        foreach (var q in distributions)
        {
            var z = q.RSample(count, generator).squeeze(1);                     // [N, n]
            var centred = z - z.mean([0L]);
            var variance = centred.square().mean([0L]);
            var error = ((centred.pow(4).mean([0L]) - variance.square()) / count).sqrt();
            var expected = q.Stddev.squeeze(0).square();
            Assert.True(((variance - expected).abs() <= 5 * error).all().item<bool>(),
                $"variance {variance.ToString(TorchSharp.TensorStringStyle.Numpy)} against Stddev² {expected.ToString(TorchSharp.TensorStringStyle.Numpy)}");
        }
    }
}
