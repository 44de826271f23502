using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// A factorised posterior q(z|x) over a batch, on R^n or on the hidden cube [0,1]^n, together with
/// its prior p(z). Shapes: parameters <c>[B, n]</c>; samples <c>[S, B, n]</c>.
/// </summary>
public abstract class LatentDistribution
{
    /// <summary>Latent dimension n.</summary>
    public abstract long Dim { get; }

    /// <summary>The posterior mean, tensor of shape <c>[B, n]</c> (what plots of the latent codes show).</summary>
    public abstract Tensor Mean { get; }

    /// <summary>The standard deviation of each coordinate, tensor of shape <c>[B, n]</c>.</summary>
    public abstract Tensor Stddev { get; }

    /// <summary>Draws <paramref name="samples"/> reparameterised samples per batch row (what training needs).</summary>
    /// <returns>Tensor of shape <c>[S, B, n]</c>.</returns>
    public abstract Tensor RSample(long samples, Generator? generator);

    /// <summary>
    /// Reparameterised samples as <see cref="RSample"/> draws them, with the log density of the noise behind
    /// them when a rejection sampler drew them (<see cref="LatentSample.NoiseLogDensity"/>; null otherwise),
    /// which training needs for the gradient's correction term.
    /// </summary>
    /// <returns>Values <c>[S, B, n]</c>, and log π <c>[S, B]</c> or null.</returns>
    public virtual (Tensor Value, Tensor? NoiseLogDensity) RSampleForTraining(long samples, Generator? generator) => (RSample(samples, generator), null);

    /// <summary>
    /// Draws reparameterised samples with log q(z|x) and log p(z) of each, summed over the n
    /// coordinates (what importance weighting needs).
    /// </summary>
    /// <returns>Values <c>[S, B, n]</c>, log q <c>[S, B]</c>, log p <c>[S, B]</c>.</returns>
    public abstract LatentSample RSampleWithDensities(long samples, Generator? generator);

    /// <summary>KL(q(z|x) ‖ p(z)) in closed form, summed over coordinates.</summary>
    /// <returns>Tensor of shape <c>[B]</c>.</returns>
    public abstract Tensor KlToPrior();
}
