using static TorchSharp.torch;

namespace ManifoldKit;

/// <summary>
/// An embedding f : [0,1]^n → M offered by a manifold, carrying Uniform[0,1]^n to the normalised
/// volume measure of M, one-to-one on the open cube, with its inverse chart.
/// </summary>
/// <remarks>
/// For a one-to-one map, "uniform goes to uniform" is the pointwise statement
/// sqrt(det G(z)) = Vol(M) for every z (appendix 5.1: p_M(f(z)) = p(z) |det G(z)|^(-1/2)), which
/// the conformance suite checks.
/// </remarks>
public interface IExactEmbedding : IEmbedding
{
    /// <summary>
    /// The inverse chart f⁻¹ : M → [0,1]^n. <c>Chart(Embed(z)) = z</c> for z off the chart's seam
    /// (the boundary of the cube, where f glues faces together).
    /// </summary>
    /// <param name="point">Tensor of shape <c>[..., m]</c> on M.</param>
    /// <returns>Tensor of shape <c>[..., n]</c> in [0, 1]^n.</returns>
    Tensor Chart(Tensor point);
}
