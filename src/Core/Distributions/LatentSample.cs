using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>Reparameterised samples with their log densities under the posterior and the prior.</summary>
/// <param name="Value">Tensor of shape <c>[S, B, n]</c>.</param>
/// <param name="LogQ">log q(z|x), tensor of shape <c>[S, B]</c>.</param>
/// <param name="LogPrior">log p(z), tensor of shape <c>[S, B]</c>.</param>
public sealed record LatentSample(Tensor Value, Tensor LogQ, Tensor LogPrior);
