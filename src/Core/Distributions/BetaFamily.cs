using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// Beta(α, β) per coordinate; the prior is Uniform[0,1]^n. α, β = softplus(raw) + floor (<c>beta</c>),
/// or floor + exp(min(raw, 20)) (<c>beta_log</c>): the same family, but a sharp posterior
/// (α + β of 10⁴ on the circle task) is then a raw output near 9 instead of 10⁴, which Adam reaches
/// in far fewer steps.
/// </summary>
/// <param name="concentrationFloor">Smallest concentration, keeping samples and the KL finite.</param>
/// <param name="logScale">Parameterise the concentrations in log space.</param>
public sealed class BetaFamily(double concentrationFloor = 1e-2, bool logScale = false) : IPosteriorFamily
{
    /// <inheritdoc />
    public string Name => logScale ? "beta_log" : "beta";

    /// <inheritdoc />
    public int RawDim(int dim) => 2 * dim;

    /// <inheritdoc />
    public Tensor SamplePrior(long count, int dim, Generator? generator) => rand([count, dim], device: generator?.device, generator: generator);   // Uniform[0,1]^n

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var halves = raw.chunk(2, dim: -1);
        return new BetaProduct(Concentration(halves[0]), Concentration(halves[1]));
    }

    /// <inheritdoc />
    public double?[] RawForStd(int dim, double std)
    {
        var raw = logScale
            ? LogScaleRaw(std, concentrationFloor)
            : Softplus.Inverse(BetaProduct.SymmetricConcentration(std, concentrationFloor) - concentrationFloor);
        return PerCoordinate.Layout([raw, raw], dim);
    }

    /// <summary>floor + exp(min(raw, 20)), the concentration of the log-scale families (<c>beta_log</c>, <c>beta_centred</c>).</summary>
    internal static Tensor LogScaleConcentration(Tensor raw, double floor) => raw.clamp_max(MaxLogConcentration).exp() + floor;

    /// <summary>The raw output at which <see cref="LogScaleConcentration"/> gives the Beta(c, c) of standard deviation <paramref name="std"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such Beta, or its c is beyond e^20.</exception>
    internal static double LogScaleRaw(double std, double floor)
    {
        var raw = Math.Log(BetaProduct.SymmetricConcentration(std, floor) - floor);
        if (raw > MaxLogConcentration)
            throw new ArgumentOutOfRangeException(nameof(std), std, "a standard deviation this small needs a concentration above e^20, beyond this family's range");
        return raw;
    }

    // Concentrations stop at e^20 (about 5·10⁸), far beyond the sharpest posterior trained here.
    private const double MaxLogConcentration = 20;

    private Tensor Concentration(Tensor raw) =>
        logScale ? LogScaleConcentration(raw, concentrationFloor) : nn.functional.softplus(raw) + concentrationFloor;
}
