using FsCheck.Xunit;
using ManifoldKit.Evaluation;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Evaluation;

/// <summary>The angle-recovery measure: blind to reflection, offset and whole turns, equal to its closed form under noise, near 0 for unrelated angles.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 20, Replay = "(4455667,1234577)")]
public sealed class AngleRecoveryTests
{
    private static Tensor Uniform(Generator generator, int count) => 2 * Math.PI * rand([count], ScalarType.Float64, generator: generator);

    /// <summary>Codes that are the true angle reflected or not, offset, and wrapped by whole turns recover it exactly.</summary>
    [Property]
    public void Alignment_IsOne_ForAReflectedOffsetCopy(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var truth = Uniform(generator, 500);
        var sign = rand([1], generator: generator).item<float>() < 0.5 ? -1.0 : 1.0;
        var offset = 20 * rand([1], ScalarType.Float64, generator: generator) - 10;
        var turns = 2 * Math.PI * randint(-3, 4, [500], generator: generator).to_type(ScalarType.Float64);
        var alignment = AngleRecovery.Alignment(sign * truth + offset + turns, truth);
        Assert.True(Math.Abs(alignment - 1) < 1e-9, $"alignment {alignment} for s = {sign}");
    }

    /// <summary>
    /// Codes off the true angle by N(0, σ²) noise: the alignment is |mean e^{iε}|, whose limit is
    /// E[cos ε] = exp(−σ²/2); over 20,000 points it is within 5 standard errors of the mean cosine (plus 1/N for the sine term).
    /// </summary>
    [Property]
    public void Alignment_UnderNoise_IsTheWrappedNormalsMeanCosine(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        const int count = 20_000;
        var sigma = 0.2 + 1.3 * rand([1], ScalarType.Float64, generator: generator).item<double>();
        var truth = Uniform(generator, count);
        var noise = sigma * randn([count], ScalarType.Float64, generator: generator);
        var alignment = AngleRecovery.Alignment(truth + noise, truth);
        var cosine = Statistic.Of(noise.cos());
        var expected = Math.Exp(-sigma * sigma / 2);
        Assert.True(Math.Abs(alignment - expected) <= cosine.Tolerance + 1.0 / count, $"σ {sigma:F3}: alignment {alignment:F5}, exp(−σ²/2) {expected:F5}, tolerance {cosine.Tolerance:G3}");
    }

    /// <summary>
    /// Unrelated uniform angles: for each reflection N·R² is about exponential with mean 1, so R exceeds
    /// 5/√N with probability e^(−25) each; the measure says they carry nothing of each other.
    /// </summary>
    [Property]
    public void Alignment_OfUnrelatedAngles_IsBelowFiveOverRootN(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        const int count = 4000;
        var alignment = AngleRecovery.Alignment(Uniform(generator, count), Uniform(generator, count));
        Assert.InRange(alignment, 0, 5 / Math.Sqrt(count));
    }
}
