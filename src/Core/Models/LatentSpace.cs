using ManifoldKit.Distributions;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// Where the latent variable lives and what the decoder sees: z itself (a Euclidean VAE), or
/// f(z_hid) for an embedding f of the hidden cube into a manifold (ER), optionally moved by a
/// group element g = a(x) from an extra encoder head (the paper, section 3).
/// </summary>
public sealed class LatentSpace
{
    private LatentSpace(string name, int hiddenDim, int decoderInputDim, IPosteriorFamily posterior, IEmbedding? embedding, IGroupAction? action)
    {
        (Name, HiddenDim, DecoderInputDim, Posterior, Embedding, Action) = (name, hiddenDim, decoderInputDim, posterior, embedding, action);
    }

    /// <summary>A label for reports, e.g. <c>euclidean-2</c> or <c>circle+action</c>.</summary>
    public string Name { get; }

    /// <summary>n: dimension of z (Euclidean) or z_hid (ER).</summary>
    public int HiddenDim { get; }

    /// <summary>Size of the decoder's input: n, or the ambient dimension m of the manifold.</summary>
    public int DecoderInputDim { get; }

    /// <summary>The posterior family and, with it, the prior.</summary>
    public IPosteriorFamily Posterior { get; }

    /// <summary>f, or null for a Euclidean latent.</summary>
    public IEmbedding? Embedding { get; }

    /// <summary>The group acting on f(z_hid), or null when there is no group-action encoder.</summary>
    public IGroupAction? Action { get; }

    /// <summary>A Gaussian VAE latent R^n with prior N(0, I).</summary>
    public static LatentSpace Euclidean(int dim, IPosteriorFamily? posterior = null) =>
        new($"euclidean-{dim}", dim, dim, posterior ?? new GaussianFamily(), null, null);

    /// <summary>An ER latent: Beta posterior on [0,1]^n pushed through f, optionally with a group-action encoder.</summary>
    public static LatentSpace Manifold(string name, IEmbedding embedding, IGroupAction? action = null, IPosteriorFamily? posterior = null) =>
        new(action is null ? name : $"{name}+action", embedding.HiddenDim, embedding.AmbientDim, posterior ?? new BetaFamily(), embedding, action);

    /// <summary>
    /// How far codes handed to f stay from the cube's faces. A Beta sample rounds to exactly 0 or 1
    /// in float32, where charts such as Shoemake's √u or the sphere's sin θ = 2√(z(1−z)) have
    /// infinite derivatives (a NaN gradient, then NaN weights); moving such a code by 1e-6 is not.
    /// </summary>
    public const double BoundaryMargin = 1e-6;

    /// <summary>
    /// The decoder input for hidden samples: f(z) or z. f sees z moved <see cref="BoundaryMargin"/>
    /// inside the cube, with the gradient passed straight through: a plain clamp would zero the
    /// reparameterisation gradient of every sample beyond the margin, and at small concentrations
    /// that is a large share of them (Beta(0.05, 1) puts half its mass below 1e-6).
    /// </summary>
    /// <param name="hidden">Tensor of shape <c>[..., n]</c>.</param>
    /// <returns>Tensor of shape <c>[..., DecoderInputDim]</c>.</returns>
    public Tensor ToDecoderInput(Tensor hidden)
    {
        if (Embedding is null) return hidden;
        using var scope = NewDisposeScope();
        var inside = hidden + (hidden.clamp(BoundaryMargin, 1 - BoundaryMargin) - hidden).detach();
        return Embedding.Embed(inside).MoveToOuterDisposeScope();
    }
}
