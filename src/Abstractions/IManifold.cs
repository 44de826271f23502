using static TorchSharp.torch;

namespace ManifoldKit;

/// <summary>
/// A compact manifold M of intrinsic dimension n embedded in the ambient space R^m.
/// Points are tensors of shape <c>[..., m]</c>; a leading batch shape is always allowed.
/// </summary>
/// <remarks>
/// Densities and volumes on M are those of the Riemannian metric induced by the ambient Euclidean
/// inner product (the paper, appendix 5.1). Implementations must be stateless and thread-safe.
/// </remarks>
public interface IManifold
{
    /// <summary>The registry and YAML key, lowercase, e.g. <c>sphere</c>.</summary>
    string Name { get; }

    /// <summary>Intrinsic dimension n: the dimension of the hidden space [0,1]^n.</summary>
    int IntrinsicDim { get; }

    /// <summary>Ambient dimension m: the size of the last axis of a point.</summary>
    int AmbientDim { get; }

    /// <summary>
    /// The n-dimensional volume of M under the induced metric (2π for the unit circle in R^2),
    /// or <c>null</c> when it is not known in closed form.
    /// </summary>
    double? Volume { get; }

    /// <summary>
    /// Draws <paramref name="count"/> independent points from the normalised volume measure of M.
    /// </summary>
    /// <param name="count">Number of points, at least 0.</param>
    /// <param name="generator">Source of randomness; the global generator when null.</param>
    /// <param name="dtype">Floating-point type of the result.</param>
    /// <returns>Tensor of shape <c>[count, m]</c>, never squeezed.</returns>
    Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32);

    /// <summary>
    /// Maps an ambient point to a nearest point of M (the metric projection). Points already on M
    /// are returned unchanged, and projecting twice equals projecting once. Each implementation
    /// documents what it returns at the points where the nearest point is not unique.
    /// </summary>
    /// <param name="ambient">Tensor of shape <c>[..., m]</c>.</param>
    /// <returns>Tensor of shape <c>[..., m]</c> on M.</returns>
    Tensor Project(Tensor ambient);

    /// <summary>Euclidean distance from an ambient point to M: |x - Project(x)|.</summary>
    /// <param name="ambient">Tensor of shape <c>[..., m]</c>.</param>
    /// <returns>Tensor of shape <c>[...]</c>, zero exactly on M.</returns>
    Tensor Distance(Tensor ambient) => linalg.vector_norm(ambient - Project(ambient), dims: [-1]);

    /// <summary>
    /// A measure-preserving embedding of [0,1]^n onto M with its inverse chart, or <c>null</c> when
    /// the manifold offers none (a learned embedding can still be used).
    /// </summary>
    IExactEmbedding? ExactEmbedding { get; }

    /// <summary>A group of isometries of M acting on its points, or <c>null</c> when none is offered.</summary>
    IGroupAction? Symmetry { get; }
}
