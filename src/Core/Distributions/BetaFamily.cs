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
    public int ParametersPerDim => 2;

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var halves = raw.chunk(2, dim: -1);
        return new BetaProduct(Concentration(halves[0]), Concentration(halves[1]));
    }

    /// <inheritdoc />
    public double?[] RawForStd(double std)
    {
        var excess = BetaProduct.SymmetricConcentration(std, concentrationFloor) - concentrationFloor;
        var raw = logScale ? Math.Log(excess) : excess + Math.Log(-double.ExpM1(-excess));
        if (logScale && raw > 20) throw new ArgumentOutOfRangeException(nameof(std), std, "a standard deviation this small needs a concentration above e^20, beyond this family's range");
        return [raw, raw];
    }

    private Tensor Concentration(Tensor raw) =>
        (logScale ? raw.clamp_max(20).exp() : nn.functional.softplus(raw)) + concentrationFloor;
}
