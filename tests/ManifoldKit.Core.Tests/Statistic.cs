using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests;

/// <summary>Mean and standard error of a sample, for tolerances derived from the sample size.</summary>
public readonly record struct Statistic(double Mean, double StandardError)
{
    /// <summary>
    /// Tolerance for comparing the mean with an exact value: 5 standard errors, a two-sided
    /// false-alarm rate of 6e-7 per comparison under a normal approximation.
    /// </summary>
    public double Tolerance => 5 * StandardError;

    /// <summary>Mean and standard error over the first axis of <paramref name="values"/> (float64).</summary>
    public static Statistic Of(Tensor values)
    {
        using var scope = NewDisposeScope();
        var v = values.to_type(ScalarType.Float64).flatten();
        return new Statistic(v.mean().item<double>(), (v.std() / Math.Sqrt(v.shape[0])).item<double>());
    }

    /// <inheritdoc />
    public override string ToString() => $"{Mean:G6} ± {StandardError:G3}";
}
