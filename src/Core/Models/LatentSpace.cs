using ManifoldKit.Distributions;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// Where the latent variable lives and what the decoder sees: z itself (a Euclidean VAE, or a
/// posterior on a sphere itself such as von Mises–Fisher), or f(z_hid) for an embedding f of the
/// hidden cube into a manifold (ER), optionally moved by a group element g = a(x) from an extra
/// encoder head (the paper, section 3).
/// </summary>
public sealed class LatentSpace
{
    private LatentSpace(string name, int hiddenDim, int decoderInputDim, int? manifoldDim, IPosteriorFamily posterior, IEmbedding? embedding, IGroupAction? action,
        IReadOnlyList<LatentSpace>? factors = null)
    {
        (Name, HiddenDim, DecoderInputDim, ManifoldDim, Posterior, Embedding, Action) = (name, hiddenDim, decoderInputDim, manifoldDim, posterior, embedding, action);
        Factors = factors ?? [this];
        IsProduct = factors is not null;
    }

    /// <summary>The factors of a product latent; a single latent is its own one factor.</summary>
    public IReadOnlyList<LatentSpace> Factors { get; }

    /// <summary>Whether this latent was built by <see cref="Product"/> (then <see cref="Action"/> is null: actions belong to factors).</summary>
    public bool IsProduct { get; }

    /// <summary>Raw encoder outputs the posterior reads.</summary>
    public int PosteriorParameters => Posterior.RawDim(HiddenDim);

    /// <summary>A label for reports, e.g. <c>euclidean-2</c> or <c>circle+action</c>.</summary>
    public string Name { get; }

    /// <summary>The width of the posterior's samples: n for z in R^n or z_hid in ER's cube, m for z on a manifold in R^m sampled directly (<see cref="OnManifold"/>).</summary>
    public int HiddenDim { get; }

    /// <summary>The manifold's intrinsic dimension; null for a Euclidean latent or a product.</summary>
    public int? ManifoldDim { get; }

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
        new($"euclidean-{dim}", dim, dim, null, posterior ?? new GaussianFamily(), null, null);

    /// <summary>An ER latent: Beta posterior on [0,1]^n pushed through f, optionally with a group-action encoder.</summary>
    public static LatentSpace Manifold(string name, IEmbedding embedding, IGroupAction? action = null, IPosteriorFamily? posterior = null) =>
        new(action is null ? name : $"{name}+action", embedding.HiddenDim, embedding.AmbientDim, embedding.HiddenDim, posterior ?? new BetaFamily(), embedding, action);

    /// <summary>
    /// A latent on <paramref name="manifold"/> with a posterior that lives there itself (no f), e.g. von
    /// Mises–Fisher on a sphere: samples are points of R^m, and the decoder sees z, or a(x)·z with a
    /// group-action encoder. Named e.g. <c>sphere[vmf]+action</c>.
    /// </summary>
    /// <param name="manifold">The manifold, which <paramref name="posterior"/> supports.</param>
    /// <param name="posterior">The family.</param>
    /// <param name="action">The group acting on the manifold, or null.</param>
    public static LatentSpace OnManifold(IManifold manifold, IManifoldPosteriorFamily posterior, IGroupAction? action = null) =>
        new($"{manifold.Name}[{posterior.Name}]{(action is null ? "" : "+action")}", manifold.AmbientDim, manifold.AmbientDim, manifold.IntrinsicDim, posterior, null, action);

    /// <summary>
    /// The product of <paramref name="factors"/> (single latents): the posterior factorises, the KL and
    /// log densities are sums over factors, the decoder sees the factors' inputs side by side, and each
    /// factor's group action moves its own slice only. f is the product of the factors' f when every
    /// factor has one (so its metric is block-diagonal), else null.
    /// </summary>
    /// <exception cref="ArgumentException">No factors, or a factor that is itself a product.</exception>
    public static LatentSpace Product(IReadOnlyList<LatentSpace> factors)
    {
        if (factors.Count == 0) throw new ArgumentException("a product needs at least one factor", nameof(factors));
        if (factors.Any(f => f.IsProduct)) throw new ArgumentException("a factor of a product cannot itself be a product", nameof(factors));
        var posterior = new ProductFamily([.. factors.Select(f => (f.Posterior, f.HiddenDim))]);
        var embedding = factors.All(f => f.Embedding is not null) ? new ProductEmbedding([.. factors.Select(f => f.Embedding!)]) : null;
        return new LatentSpace(string.Join(" × ", factors.Select(f => f.Name)), factors.Sum(f => f.HiddenDim), factors.Sum(f => f.DecoderInputDim), null,
            posterior, embedding, null, [.. factors]);
    }

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
    public Tensor ToDecoderInput(Tensor hidden) => ToDecoderInput(hidden, null);

    /// <summary>
    /// As <see cref="ToDecoderInput(Tensor)"/>, with each factor's image moved by its group element from
    /// <paramref name="elements"/> (index i for factor i, null for a factor without an action).
    /// </summary>
    /// <param name="hidden">Tensor of shape <c>[..., n]</c>.</param>
    /// <param name="elements">Group elements <c>[B, k, k]</c> per factor, or null for none at all.</param>
    public Tensor ToDecoderInput(Tensor hidden, IReadOnlyList<Tensor?>? elements)
    {
        if (!IsProduct)
        {
            var input = Embed(hidden);
            return elements?[0] is { } element && Action is not null ? Action.Act(element, input) : input;
        }
        var parts = new List<Tensor>(Factors.Count);
        var offset = 0L;
        for (var i = 0; i < Factors.Count; i++)
        {
            parts.Add(Factors[i].ToDecoderInput(hidden.narrow(-1, offset, Factors[i].HiddenDim), elements is null ? null : [elements[i]]));
            offset += Factors[i].HiddenDim;
        }
        return parts.Count == 1 ? parts[0] : cat(parts, -1);
    }

    private Tensor Embed(Tensor hidden)
    {
        if (Embedding is null) return hidden;
        using var scope = NewDisposeScope();
        var inside = hidden + (hidden.clamp(BoundaryMargin, 1 - BoundaryMargin) - hidden).detach();
        return Embedding.Embed(inside).MoveToOuterDisposeScope();
    }
}
