using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>Beta(α, β) per coordinate with α, β = softplus(raw) + floor; the prior is Uniform[0,1]^n.</summary>
/// <param name="concentrationFloor">Smallest concentration, keeping samples and the KL finite.</param>
public sealed class BetaFamily(double concentrationFloor = 1e-2) : IPosteriorFamily
{
    /// <inheritdoc />
    public string Name => "beta";

    /// <inheritdoc />
    public int ParametersPerDim => 2;

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var halves = raw.chunk(2, dim: -1);
        return new BetaProduct(nn.functional.softplus(halves[0]) + concentrationFloor, nn.functional.softplus(halves[1]) + concentrationFloor);
    }
}
