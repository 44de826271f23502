using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// The von Mises–Fisher distribution on S^(p−1): density C_p(κ)·exp(κ μᵀz) with
/// C_p(κ) = κ^ν / ((2π)^(p/2) I_ν(κ)), ν = p/2 − 1 (the S-VAE's posterior, Davidson et al. 2018).
/// </summary>
/// <remarks>
/// Sampling: Wood's (1994) rejection sampler for t = μᵀz, t = h(ε, κ) = (1 − (1 + b)ε)/(1 − (1 − b)ε)
/// with ε ~ Beta((p − 1)/2, (p − 1)/2), accepted ε held fixed and κ reaching t through b. That pathwise
/// gradient alone is biased; the correction E[g ∇κ log π(ε; κ)], π the density of accepted ε
/// (Naesseth et al. 2017), is what <see cref="LatentSample.NoiseLogDensity"/> carries to the trainer.
/// The log normaliser and E[t] = A_p(κ) = I_(ν+1)/I_ν come from <see cref="BesselI"/> on the tensor's
/// own device. 1 − t and 1 − t² are formed from ε and b directly, so κ = 10⁵ keeps its digits.
/// </remarks>
public sealed class VonMisesFisher : DirectionalDistribution
{
    /// <summary>Rounds before the sampler gives up: its acceptance rate is above 0.65 for p from 2 to 64 and κ from 10⁻³ to 10⁵ (lowest at p = 2, κ ≈ 100), so this only stops a NaN κ.</summary>
    private const int MaxAttempts = 1000;

    // The Bessel terms every method needs, computed once (they are most of a training step's extra cost).
    private readonly Tensor logScaled;
    private readonly Tensor ratioOverKappa;

    /// <summary>Creates the distribution from a unit mean direction <c>[B, p]</c> and a concentration <c>[B]</c>.</summary>
    public VonMisesFisher(Tensor direction, Tensor concentration) : base(direction, concentration)
    {
        logScaled = BesselI.LogScaled(Nu, Kappa);
        ratioOverKappa = BesselI.RatioOverKappa(Nu, Kappa, logScaled);
    }

    private double Nu => Dim / 2.0 - 1;

    /// <inheritdoc />
    public override (Tensor First, Tensor Second) MomentsOfT() => (Kappa * ratioOverKappa, 1 - (Dim - 1) * ratioOverKappa);

    /// <inheritdoc />
    protected override Marginal SampleMarginal(long samples, Generator? generator)
    {
        var p1 = Dim - 1.0;
        var kappa = Kappa.expand([samples, .. Concentration.shape]);
        var b = p1 / (2 * kappa + (4 * kappa.square() + p1 * p1).sqrt());
        var (epsilon, complement) = AcceptedNoise(b.detach(), kappa.detach(), generator);
        var denominator = 1 - (1 - b) * epsilon;
        var t = (1 - (1 + b) * epsilon) / denominator;
        var oneMinusTSquared = 4 * b * epsilon * complement / denominator.square();
        // log π(ε; κ) = log q_t(h(ε, κ); κ) + log |∂h/∂ε|, dropping terms free of κ.
        var noise = LogNormaliser() + kappa * t + (Dim - 3) / 2.0 * oneMinusTSquared.log() + b.log() - 2 * denominator.log();
        return new Marginal(t, oneMinusTSquared, 2 * complement / denominator, noise);
    }

    /// <inheritdoc />
    protected override Tensor LogNormaliser() =>
        -Dim / 2.0 * Math.Log(2 * Math.PI) + Nu * Math.Log(2) + BesselI.LogGamma(Nu + 1) - logScaled;

    /// <inheritdoc />
    protected override Tensor LogKernel(Tensor t, Tensor onePlusT) => Kappa * t;

    /// <inheritdoc />
    protected override Tensor ExpectedLogKernel() => Kappa.square() * ratioOverKappa;

    /// <summary>
    /// Wood's accepted ε and 1 − ε, <c>[S, B]</c>, for b and κ of that shape: each round draws for the
    /// samples still pending only. Accept when κ(t − x₀) + (p − 1)(log(1 − x₀t) − log(1 − x₀²)) ≥ log U,
    /// x₀ = (1 − b)/(1 + b), every difference written so it does not cancel.
    /// </summary>
    private (Tensor Epsilon, Tensor Complement) AcceptedNoise(Tensor b, Tensor kappa, Generator? generator)
    {
        using var gradients = no_grad();
        var p1 = Dim - 1.0;
        var (bs, ks) = (b.reshape(-1), kappa.reshape(-1));
        var oneMinusX0 = 2 * bs / (1 + bs);
        var x0 = 1 - oneMinusX0;
        var logOneMinusX0Squared = (4 * bs).log() - 2 * bs.log1p();
        var epsilon = zeros_like(bs);
        var complement = zeros_like(bs);
        var pending = arange(bs.shape[0], dtype: ScalarType.Int64, device: bs.device);
        for (var attempt = 0; attempt < MaxAttempts && pending.shape[0] > 0; attempt++)
        {
            var count = pending.shape[0];
            var x = _standard_gamma(full([count], p1 / 2, dtype: ScalarType.Float64, device: bs.device), generator);
            var y = _standard_gamma(full([count], p1 / 2, dtype: ScalarType.Float64, device: bs.device), generator);
            var logU = (1 - rand([count], dtype: ScalarType.Float64, device: bs.device, generator: generator)).log();
            var (e, c) = (x / (x + y), y / (x + y));
            var (bp, kp) = (bs.index_select(0, pending), ks.index_select(0, pending));
            var (ax0, a1x0, alc) = (x0.index_select(0, pending), oneMinusX0.index_select(0, pending), logOneMinusX0Squared.index_select(0, pending));
            var oneMinusT = 2 * bp * e / (1 - (1 - bp) * e);
            var accept = kp * (a1x0 - oneMinusT) + p1 * ((a1x0 + ax0 * oneMinusT).log() - alc) >= logU;
            var taken = pending.masked_select(accept);
            epsilon.index_copy_(0, taken, e.masked_select(accept));
            complement.index_copy_(0, taken, c.masked_select(accept));
            pending = pending.masked_select(accept.logical_not());
        }
        if (pending.shape[0] > 0)
            throw new InvalidOperationException($"Wood's sampler accepted no draw in {MaxAttempts} attempts for {pending.shape[0]} samples; κ may be NaN.");
        return (epsilon.reshape(b.shape), complement.reshape(b.shape));
    }
}
