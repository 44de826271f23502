using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// A product of Beta(α, β) distributions on [0,1]^n with the prior Uniform[0,1]^n, as in the
/// paper's experiments (section 4).
/// </summary>
/// <remarks>
/// Sampling. TorchSharp's Beta rsample has no gradient, so z = X / (X + Y) with X ~ Gamma(α),
/// Y ~ Gamma(β), whose gradients come from libtorch's implicit reparameterisation of
/// <c>_standard_gamma</c>. Small concentrations make Gamma samples underflow to 0 (then 0/0), so X
/// is drawn as Gamma(α + 1)·U^(1/α) (the same law) in log space and z = sigmoid(log X − log Y):
/// log q and log p are then computed from that logit, never from a z rounded to 0 or 1.
/// KL. KL(Beta ‖ U) = −H = −ln B(α, β) + (α−1)ψ(α) + (β−1)ψ(β) − (α+β−2)ψ(α+β), whose terms nearly
/// cancel for sharp posteriors (α + β of 10⁴ to 10⁵ on the circle task), so it runs in float64.
/// </remarks>
public sealed class BetaProduct : LatentDistribution
{
    /// <summary>Creates the distribution from its concentrations, each <c>[B, n]</c> and positive.</summary>
    public BetaProduct(Tensor alpha, Tensor beta) => (Alpha, Beta) = (alpha, beta);

    /// <summary>α, tensor of shape <c>[B, n]</c>.</summary>
    public Tensor Alpha { get; }

    /// <summary>β, tensor of shape <c>[B, n]</c>.</summary>
    public Tensor Beta { get; }

    /// <inheritdoc />
    public override long Dim => Alpha.shape[^1];

    /// <summary>Mean α / (α + β), tensor of shape <c>[B, n]</c>.</summary>
    public override Tensor Mean => Alpha / (Alpha + Beta);

    /// <inheritdoc />
    /// <remarks>√(αβ / ((α + β)²(α + β + 1))).</remarks>
    public override Tensor Stddev => (Alpha * Beta / ((Alpha + Beta).square() * (Alpha + Beta + 1))).sqrt();

    /// <summary>
    /// The c of the symmetric Beta(c, c) whose standard deviation is <paramref name="std"/>:
    /// its variance is 1 / (4(2c + 1)), so c = (1 / (4 std²) − 1) / 2.
    /// </summary>
    /// <param name="std">Between 0 and ½ (Beta(c, c) tends to ½ as c → 0; the uniform prior, c = 1, has 1/√12 ≈ 0.289).</param>
    /// <param name="floor">The family's smallest concentration; c must exceed it.</param>
    /// <exception cref="ArgumentOutOfRangeException">No Beta(c, c) with c above the floor has that standard deviation.</exception>
    public static double SymmetricConcentration(double std, double floor)
    {
        var largest = 0.5 / Math.Sqrt(2 * floor + 1);
        if (!(std > 0 && std < largest))
            throw new ArgumentOutOfRangeException(nameof(std), std,
                $"a Beta posterior's standard deviation must lie between 0 and {largest:G4} (the uniform prior's is 0.289); 0.05 is a sharp start");
        return (1 / (4 * std * std) - 1) / 2;
    }

    /// <inheritdoc />
    /// <remarks>In the parameters' own dtype: without densities, float32 loses nothing that matters.</remarks>
    public override Tensor RSample(long samples, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return sigmoid(LogGamma(Alpha, samples, generator) - LogGamma(Beta, samples, generator)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>In float64: log q adds and subtracts terms of order 10⁶ for sharp posteriors.</remarks>
    public override LatentSample RSampleWithDensities(long samples, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var (alpha, beta) = (Alpha.to_type(ScalarType.Float64), Beta.to_type(ScalarType.Float64));
        var logit = LogGamma(alpha, samples, generator) - LogGamma(beta, samples, generator);   // [S, B, n]
        var (logZ, logOneMinusZ) = (nn.functional.logsigmoid(logit), nn.functional.logsigmoid(-logit));
        var logQ = ((alpha - 1) * logZ + (beta - 1) * logOneMinusZ - LogBetaFunction(alpha, beta)).sum(-1);
        var value = logZ.exp().to_type(Alpha.dtype);
        var result = new LatentSample(value, logQ.to_type(Alpha.dtype), zeros_like(logQ, dtype: Alpha.dtype));
        result.Value.MoveToOuterDisposeScope();
        result.LogQ.MoveToOuterDisposeScope();
        result.LogPrior.MoveToOuterDisposeScope();
        return result;
    }

    /// <inheritdoc />
    public override Tensor KlToPrior()
    {
        using var scope = NewDisposeScope();
        var (a, b) = (Alpha.to_type(ScalarType.Float64), Beta.to_type(ScalarType.Float64));
        var kl = -LogBetaFunction(a, b) + (a - 1) * a.digamma() + (b - 1) * b.digamma() - (a + b - 2) * (a + b).digamma();
        return kl.sum(-1).to_type(Alpha.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>log of a Gamma(c) sample, drawn as log Gamma(c + 1) + log(U) / c; shape <c>[S, ...c]</c>.</summary>
    private static Tensor LogGamma(Tensor concentration, long samples, Generator? generator)
    {
        var boosted = (concentration + 1).expand([samples, .. concentration.shape]);
        var gamma = _standard_gamma(boosted, generator);
        // 1 − rand lies in (0, 1]: rand can return exactly 0 (1 in 2²⁴ draws in float32), whose log would be −∞.
        var uniform = 1 - rand(boosted.shape, dtype: concentration.dtype, device: concentration.device, generator: generator);
        return gamma.log() + uniform.log() / concentration;
    }

    private static Tensor LogBetaFunction(Tensor a, Tensor b) => a.lgamma() + b.lgamma() - (a + b).lgamma();
}
