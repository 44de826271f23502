using static TorchSharp.torch;

namespace ManifoldKit;

/// <summary>
/// A compact matrix group G acting on a manifold by isometries. Elements are k×k matrices,
/// tensors of shape <c>[..., k, k]</c>; points are those of the manifold, <c>[..., m]</c>.
/// </summary>
/// <remarks>
/// Laws every implementation satisfies (checked by <c>GroupActionContract</c>): e·x = x,
/// g·(h·x) = (gh)·x, g⁻¹·(g·x) = x, g·x ∈ M for x ∈ M, |g·x − g·y| = |x − y|, and the Haar measure
/// is invariant under left multiplication.
/// </remarks>
public interface IGroupAction
{
    /// <summary>Human-readable group name, e.g. <c>SO(3)</c>.</summary>
    string GroupName { get; }

    /// <summary>k: elements are k×k matrices.</summary>
    int MatrixDim { get; }

    /// <summary>Size p of the unconstrained parameter vector an encoder head must output.</summary>
    int ParameterDim { get; }

    /// <summary>
    /// Maps unconstrained encoder outputs to group elements (the group-action encoder a(x) of the
    /// paper, section 3). Differentiable; defined for almost every input.
    /// </summary>
    /// <param name="raw">Tensor of shape <c>[..., p]</c>.</param>
    /// <returns>Tensor of shape <c>[..., k, k]</c>.</returns>
    Tensor ElementFromParameters(Tensor raw);

    /// <summary>The action g·x.</summary>
    /// <param name="element">Tensor of shape <c>[..., k, k]</c>.</param>
    /// <param name="point">Tensor of shape <c>[..., m]</c>, batch shape broadcastable with the element's.</param>
    /// <returns>Tensor of shape <c>[..., m]</c>.</returns>
    Tensor Act(Tensor element, Tensor point);

    /// <summary>The group product gh (apply h first, then g).</summary>
    /// <param name="left">g, tensor of shape <c>[..., k, k]</c>.</param>
    /// <param name="right">h, tensor of shape <c>[..., k, k]</c>.</param>
    /// <returns>Tensor of shape <c>[..., k, k]</c>.</returns>
    Tensor Compose(Tensor left, Tensor right);

    /// <summary>The inverse element.</summary>
    /// <param name="element">Tensor of shape <c>[..., k, k]</c>.</param>
    /// <returns>Tensor of shape <c>[..., k, k]</c>.</returns>
    Tensor Inverse(Tensor element);

    /// <summary>The identity element repeated over a batch shape.</summary>
    /// <param name="batchShape">Leading shape; empty for a single element.</param>
    /// <param name="dtype">Floating-point type of the result.</param>
    /// <returns>Tensor of shape <c>[*batchShape, k, k]</c>.</returns>
    Tensor Identity(long[] batchShape, ScalarType dtype = ScalarType.Float32);

    /// <summary>Draws elements from the normalised Haar measure.</summary>
    /// <param name="count">Number of elements.</param>
    /// <param name="generator">Source of randomness; the global generator when null.</param>
    /// <param name="dtype">Floating-point type of the result.</param>
    /// <returns>Tensor of shape <c>[count, k, k]</c>.</returns>
    Tensor SampleHaar(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32);
}
