using ManifoldKit.Distributions;
using ManifoldKit.Settings;

namespace ManifoldKit.Experiments;

/// <summary>The latent variable of a model: Euclidean R^n, or a manifold reached by embedding-reparameterisation.</summary>
public sealed record LatentOptions
{
    /// <summary>Euclidean (a Gaussian VAE) or a manifold (ER).</summary>
    [Setting("`euclidean` (Gaussian VAE) or `manifold` (embedding-reparameterisation)")]
    public LatentKind Kind { get; init; } = LatentKind.Manifold;

    /// <summary>n for a Euclidean latent.</summary>
    [Setting("dimension of a Euclidean latent", Min = 1, Max = 1024)]
    public int Dim { get; init; } = 1;

    /// <summary>Registry name of the latent manifold.</summary>
    [Setting("registry name of the latent manifold (`manifoldkit manifolds` lists them)")]
    public string Manifold { get; init; } = "circle";

    /// <summary>Settings passed to the manifold's factory.</summary>
    [Setting("its settings: `sphere` takes `dim` (default 2) and `rotation` (`gram_schmidt` or `quaternion`); `so3` takes `rotation`; a setting the manifold does not read is an error")]
    public IReadOnlyDictionary<string, string> ManifoldSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where f comes from.</summary>
    [Setting("`exact` (the manifold's own f), `learned` (WAE-MMD, learned once per seed and cached in `OUTPUT/embeddings/`), or the path of a saved f (`manifoldkit embed`)")]
    public EmbeddingSource Embedding { get; init; } = EmbeddingSource.Exact;

    /// <summary>Whether the model has a group-action encoder a(x).</summary>
    [Setting("add the group-action encoder a(x); the decoder sees a(x)·f(z)")]
    public bool GroupAction { get; init; }

    /// <summary>A name from <see cref="PosteriorFamilies"/>; null for the kind's default (<see cref="PosteriorFamily"/>).</summary>
    [Setting("posterior family: `gaussian`, `beta` (concentrations softplus(raw) + 0.01), `beta_log` (the same family with concentrations exp(raw) + 0.01, easier to make sharp), `beta_centred` (Beta(c, c), c = exp(raw) + 0.01: centred on the cube's middle, so the group action alone places the posterior; needs `latent.group_action: true`), or, on a unit sphere (`sphere`, `circle`) with no embedding, `vmf` (von Mises–Fisher) or `power_spherical` (Power Spherical): mean direction raw/|raw| and concentration κ = exp(raw) ≤ 1e5 (docs/families.md); or a family a plugin registers",
        DefaultText = "`gaussian` for Euclidean, `beta` for manifolds", WrittenAs = nameof(PosteriorFamily))]
    public string? Posterior { get; init; }

    /// <summary>The factors of a product latent; empty when the keys above describe the one latent.</summary>
    [Setting("a product latent: a list of factors, each a mapping with the keys above (`kind`, `dim`, `manifold`, `manifold_settings`, `embedding`, `group_action`, `posterior`), e.g. `[{manifold: circle, group_action: true}, {kind: euclidean, dim: 8}]`; the KL is the sum of the factors', the decoder sees their inputs side by side, and a group action moves its own factor only. Empty: the keys above are the one factor",
        DefaultText = "none", OmitWhenDefault = true)]
    public IReadOnlyList<LatentOptions> Factors { get; init; } = [];

    /// <summary>The posterior family's name, the kind's default filled in.</summary>
    public string PosteriorFamily => Posterior ?? PosteriorFamilies.DefaultFor(Kind);

    /// <summary>
    /// Every factor with the key prefix its errors carry: the single-latent keys as one factor
    /// (<c>latent</c>) when <see cref="Factors"/> is empty, else <c>latent.factors[i]</c>.
    /// </summary>
    public IReadOnlyList<(string Key, LatentOptions Options)> FactorList() =>
        Factors.Count == 0 ? [("latent", this)] : [.. Factors.Select((f, i) => ($"latent.factors[{i}]", f))];

    /// <summary>
    /// The single-latent keys set away from their defaults (effective values, so a resolved config's
    /// written-out defaults count as defaults): with <see cref="Factors"/>, these conflict.
    /// </summary>
    public IReadOnlyList<string> SingleKeysSet()
    {
        var schema = SettingsSchema.For(typeof(LatentOptions));
        var defaults = new LatentOptions();
        return [.. schema.Items.OfType<SettingKey>().Where(k => k.Property.Name != nameof(Factors)).Where(k =>
        {
            // posterior's effective value (the kind's default filled in) is what a resolved config writes.
            var property = k.Rule.WrittenAs is { } other ? typeof(LatentOptions).GetProperty(other)! : k.Property;
            var value = property.GetValue(this);
            var fallback = property.GetValue(defaults);
            return k.Property.Name == nameof(ManifoldSettings)
                ? ManifoldSettings.Count > 0
                : !Equals(value, fallback);
        }).Select(k => $"latent.{k.Name}")];
    }
}

/// <summary>What a latent variable is.</summary>
public enum LatentKind
{
    /// <summary>R^n with a Gaussian posterior and prior: a plain VAE.</summary>
    Euclidean,

    /// <summary>A manifold reached through an embedding f of the hidden cube.</summary>
    Manifold,
}

/// <summary>Where the embedding f of a manifold latent comes from: the manifold's exact f, a WAE-MMD learned per seed, or a saved file.</summary>
public sealed record EmbeddingSource
{
    private EmbeddingSource(string text, string? path) => (Text, Path) = (text, path);

    /// <summary>The manifold's own measure-preserving f.</summary>
    public static EmbeddingSource Exact { get; } = new("exact", null);

    /// <summary>A WAE-MMD embedding, learned once per seed and cached.</summary>
    public static EmbeddingSource Learned { get; } = new("learned", null);

    /// <summary>An f saved by <c>manifoldkit embed</c>, at an absolute path.</summary>
    public static EmbeddingSource Saved(string path) => new(System.IO.Path.GetFullPath(path), System.IO.Path.GetFullPath(path));

    /// <summary>The file of a saved f; null for exact and learned.</summary>
    public string? Path { get; }

    private string Text { get; }

    /// <summary>Reads a config value: the keywords <c>exact</c> and <c>learned</c>, or a path relative to <paramref name="baseDirectory"/>.</summary>
    public static EmbeddingSource Parse(string value, string baseDirectory) => value switch
    {
        "exact" => Exact,
        "learned" => Learned,
        _ => Saved(System.IO.Path.GetFullPath(value, baseDirectory)),
    };

    /// <summary>As written in a config: <c>exact</c>, <c>learned</c>, or the absolute path.</summary>
    public override string ToString() => Text;
}
