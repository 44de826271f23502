using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>Reparameterised samples with their log densities under the posterior and the prior.</summary>
/// <param name="Value">Tensor of shape <c>[S, B, n]</c>.</param>
/// <param name="LogQ">log q(z|x), tensor of shape <c>[S, B]</c>.</param>
/// <param name="LogPrior">log p(z), tensor of shape <c>[S, B]</c>.</param>
/// <param name="NoiseLogDensity">
/// For samples drawn by acceptance–rejection, log π(ε; θ) of the accepted noise ε as a function of the
/// parameters θ (up to a constant), <c>[S, B]</c>: the pathwise gradient of E[g(z)] misses
/// E[g(z) ∇θ log π(ε; θ)] (Naesseth et al. 2017), which a training objective adds back. Null for a
/// family sampled without rejection.
/// </param>
public sealed record LatentSample(Tensor Value, Tensor LogQ, Tensor LogPrior, Tensor? NoiseLogDensity = null);
