using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>The per-sample terms every objective and bound is built from.</summary>
/// <param name="LogLikelihood">log p(x|z), tensor of shape <c>[S, B]</c>.</param>
/// <param name="Kl">KL(q(z|x) ‖ p(z)) in closed form, <c>[B]</c>.</param>
/// <param name="LogQ">log q(z|x) in the hidden space, <c>[S, B]</c>, when densities were asked for.</param>
/// <param name="LogPrior">log p(z) in the hidden space, <c>[S, B]</c>, when densities were asked for.</param>
public sealed record ModelTerms(Tensor LogLikelihood, Tensor Kl, Tensor? LogQ, Tensor? LogPrior)
{
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
