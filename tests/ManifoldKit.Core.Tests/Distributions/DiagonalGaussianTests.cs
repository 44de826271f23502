using FsCheck.Xunit;
using ManifoldKit.Distributions;
using ManifoldKit.Testing;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Distributions;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 30)]
public sealed class DiagonalGaussianTests
{
    private static DiagonalGaussian Random(Seed seed)
    {
        using var generator = seed.Generator();
        var mean = 2 * randn([8, 3], dtype: ScalarType.Float64, generator: generator);
        var scale = exp(randn([8, 3], dtype: ScalarType.Float64, generator: generator));
        return new DiagonalGaussian(mean, scale);
    }

    /// <summary>The closed-form KL to N(0, I) matches Monte Carlo of log q − log p within 5 standard errors.</summary>
    [Property(MaxTest = 10)]
    public void KlToPrior_MatchesMonteCarlo(Seed seed)
    {
        using var scope = NewDisposeScope();
        var q = Random(seed);
        var sample = q.RSampleWithDensities(100_000, seed.Generator());
        var logRatio = sample.LogQ - sample.LogPrior;                               // [S, B]
        var analytic = q.KlToPrior();
        for (var row = 0; row < 8; row++)
        {
            var estimate = Statistic.Of(logRatio.select(1, row));
            var exact = analytic[row].item<double>();
            Xunit.Assert.True(Math.Abs(estimate.Mean - exact) <= estimate.Tolerance, $"row {row}: analytic {exact:G6}, Monte Carlo {estimate}");
        }
    }

    /// <summary>log q and log p of samples equal the normal log densities computed independently.</summary>
    [Property]
    public void RSample_LogDensitiesAreNormal(Seed seed)
    {
        using var scope = NewDisposeScope();
        var q = Random(seed);
        var sample = q.RSampleWithDensities(16, seed.Generator());
        var z = sample.Value;
        var logQ = (-0.5 * ((z - q.Mean) / q.Scale).square() - q.Scale.log() - 0.5 * Math.Log(2 * Math.PI)).sum(-1);
        var logP = (-0.5 * z.square() - 0.5 * Math.Log(2 * Math.PI)).sum(-1);
        TensorAssert.Close(sample.LogQ, logQ, 1e-10, "log q");
        TensorAssert.Close(sample.LogPrior, logP, 1e-10, "log p");
    }
}
