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

    /// <summary>
    /// The log volume element ½·log det G(z), G = <see cref="MetricTensor"/>: the log of the factor by
    /// which f scales hidden volume, so log p_M(f(z)) = log p(z) − LogVolumeElement(z). By log-determinant,
    /// not det then log, so a small or large det does not under- or overflow; −∞ where G is degenerate
    /// (det ≤ 0 by rounding included). An implementation may override it with a closed form, which the
    /// conformance suite checks against autograd.
    /// </summary>
    /// <param name="hidden">Tensor of shape <c>[..., n]</c>.</param>
    /// <returns>Tensor of shape <c>[...]</c>, in the dtype of <paramref name="hidden"/>'s metric.</returns>
    Tensor LogVolumeElement(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        // The determinant in float64 whatever f's dtype: a learned f's G is float32 and nearly singular where f folds.
        var metric = MetricTensor(hidden);
        var (sign, logAbsDet) = linalg.slogdet(metric.to_type(ScalarType.Float64));
        return where(sign > 0, 0.5 * logAbsDet, double.NegativeInfinity).to_type(metric.dtype).MoveToOuterDisposeScope();
    }
}
