using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// The Power Spherical distribution on S^(p−1) (De Cao and Aziz 2020): density ∝ (1 + μᵀz)^κ, so
/// (1 + t)/2 ~ Beta(α, β) with α = (p − 1)/2 + κ and β = (p − 1)/2. Sampled without rejection; the
/// Beta comes from two Gamma draws, whose gradients are libtorch's implicit reparameterisation.
/// </summary>
/// <remarks>
/// log normaliser: −[(α + β) log 2 + β log π + log Γ(α) − log Γ(α + β)];
/// E[log(1 + t)] = log 2 + ψ(α) − ψ(α + β), which gives the entropy and the KL to the uniform in
/// closed form, with no Bessel function.
/// </remarks>
public sealed class PowerSpherical(Tensor direction, Tensor concentration) : DirectionalDistribution(direction, concentration)
{
    private double Beta => (Dim - 1) / 2.0;

    private Tensor Alpha => Kappa + Beta;

    /// <inheritdoc />
    public override (Tensor First, Tensor Second) MomentsOfT()
    {
        using var scope = NewDisposeScope();
        var (a, sum) = (Alpha, Alpha + Beta);
        var first = (a - Beta) / sum;
        var second = 1 - 4 * a * Beta / (sum * (sum + 1));
        return (first.MoveToOuterDisposeScope(), second.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    protected override Marginal SampleMarginal(long samples, Generator? generator)
    {
        var alpha = Alpha.expand([samples, .. Concentration.shape]);
        var x = _standard_gamma(alpha, generator);
        var y = _standard_gamma(full_like(alpha, Beta), generator);
        var sum = x + y;
        return new Marginal((x - y) / sum, 4 * x * y / sum.square(), 2 * x / sum, null);
    }

    /// <inheritdoc />
    protected override Tensor LogNormaliser() =>
        -((Alpha + Beta) * Math.Log(2) + Beta * Math.Log(Math.PI) + Alpha.lgamma() - (Alpha + Beta).lgamma());

    /// <inheritdoc />
    protected override Tensor LogKernel(Tensor t, Tensor onePlusT) => Kappa * onePlusT.log();

    /// <inheritdoc />
    protected override Tensor ExpectedLogKernel() => Kappa * (Math.Log(2) + Alpha.digamma() - (Alpha + Beta).digamma());
}
