using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>The per-sample terms every objective and bound is built from.</summary>
/// <param name="LogLikelihood">log p(x|z), tensor of shape <c>[S, B]</c>.</param>
/// <param name="Kl">KL(q(z|x) ‖ p(z)) in closed form, <c>[B]</c>.</param>
/// <param name="LogQ">log q(z|x) in the hidden space, <c>[S, B]</c>, when densities were asked for.</param>
/// <param name="LogPrior">log p(z) in the hidden space, <c>[S, B]</c>, when densities were asked for.</param>
/// <param name="NoiseLogDensity">log π of a rejection sampler's accepted noise, <c>[S, B]</c>, or null (<see cref="Distributions.LatentSample.NoiseLogDensity"/>).</param>
public sealed record ModelTerms(Tensor LogLikelihood, Tensor Kl, Tensor? LogQ, Tensor? LogPrior, Tensor? NoiseLogDensity = null)
{
    /// <summary>
    /// Zero in value, with the gradient a rejection sampler's pathwise gradient of the mean log-likelihood
    /// lacks: mean of (g − b)·∇ log π (Naesseth et al. 2017), g = log p(x|z) per sample and b the mean of
    /// the other samples' g (a baseline free of this sample's noise, so the term stays unbiased and far
    /// less noisy than g alone, which is hundreds of nats from zero). Null without such a sampler.
    /// </summary>
    public Tensor? RejectionCorrection
    {
        get
        {
            if (NoiseLogDensity is null) return null;
            using var scope = NewDisposeScope();
            return RejectionCorrections(LogLikelihood.reshape(1, -1), NoiseLogDensity.reshape(1, -1)).squeeze(0).MoveToOuterDisposeScope();
        }
    }

    /// <summary><see cref="RejectionCorrection"/> of each row of <paramref name="logLikelihood"/> and <paramref name="noiseLogDensity"/> (<c>[G, M]</c>: a group's models, each its M samples), <c>[G]</c>.</summary>
    internal static Tensor RejectionCorrections(Tensor logLikelihood, Tensor noiseLogDensity)
    {
        using var scope = NewDisposeScope();
        var g = logLikelihood.detach();
        var count = g.shape[1];
        var baseline = count > 1 ? (g.sum(1, keepdim: true) - g) / (count - 1) : zeros_like(g);
        return ((g - baseline) * (noiseLogDensity - noiseLogDensity.detach())).mean([1]).MoveToOuterDisposeScope();
    }

    /// <summary>ELBO per point: mean over samples of log p(x|z), minus the KL. Shape <c>[B]</c>.</summary>
    public Tensor Elbo => LogLikelihood.mean([0]) - Kl;

    /// <summary>
    /// The importance-weighted bound per point, log (1/S) Σ p(x|z)p(z)/q(z|x) (Burda et al. 2016),
    /// with hidden-space densities: the log-det terms cancel as in the KL (appendix 5.3). Shape <c>[B]</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The terms were computed without densities.</exception>
    public Tensor Iwae => LogQ is null || LogPrior is null
        ? throw new InvalidOperationException("the IWAE bound needs log q and log p: compute the terms with densities.")
        : (LogLikelihood + LogPrior - LogQ).logsumexp(0) - Math.Log(LogLikelihood.shape[0]);
}
