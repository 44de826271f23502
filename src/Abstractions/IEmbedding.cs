using static TorchSharp.torch;

namespace ManifoldKit;

/// <summary>
/// A differentiable map f : [0,1]^n → R^m from hidden codes to ambient points (the paper, section 2).
/// Exact embeddings come from manifold plugins; learned ones are trained by the engine.
/// </summary>
public interface IEmbedding
{
    /// <summary>Hidden dimension n.</summary>
    int HiddenDim { get; }

    /// <summary>Ambient dimension m.</summary>
    int AmbientDim { get; }

    /// <summary>Applies f. Differentiable with respect to <paramref name="hidden"/>.</summary>
    /// <param name="hidden">Tensor of shape <c>[..., n]</c> with entries in [0, 1].</param>
    /// <returns>Tensor of shape <c>[..., m]</c>.</returns>
    Tensor Embed(Tensor hidden);

    /// <summary>
    /// The pull-back metric tensor G = JᵀJ of f at each hidden code, J = ∂f/∂z being the m×n Jacobian
    /// (appendix 5.1: G_ij = ⟨∂f/∂z_i, ∂f/∂z_j⟩). The default uses autograd; an implementation may
    /// override it with a closed form, which the conformance suite checks against autograd.
    /// </summary>
    /// <param name="hidden">Tensor of shape <c>[..., n]</c>.</param>
    /// <returns>Tensor of shape <c>[..., n, n]</c>, symmetric positive semi-definite.</returns>
    Tensor MetricTensor(Tensor hidden) => PullbackMetric.ByAutograd(Embed, hidden);
}
