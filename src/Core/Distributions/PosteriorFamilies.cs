using ManifoldKit.Experiments;

namespace ManifoldKit.Distributions;

/// <summary>
/// The posterior families a config can name (<c>latent.posterior</c>): the one list that the config
/// loader, the resolved-config writer and the key table read.
/// </summary>
public static class PosteriorFamilies
{
    private static readonly (string Name, Func<IPosteriorFamily> Create)[] Families =
    [
        ("gaussian", () => new GaussianFamily()),
        ("beta", () => new BetaFamily()),
        ("beta_log", () => new BetaFamily(logScale: true)),
        ("beta_centred", () => new CentredBetaFamily()),
        ("vmf", DirectionalFamily.VonMisesFisher),
        ("power_spherical", DirectionalFamily.PowerSpherical),
    ];

    /// <summary>Every family's config name, in the order the docs list them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Families.Select(f => f.Name)];

    /// <summary>
    /// The family a latent of this kind gets when the config names none. For a manifold, the protocol's
    /// Beta: <c>beta_log</c> did not do better from the default sharp start (configs/README.md).
    /// </summary>
    public static string DefaultFor(LatentKind kind) => kind == LatentKind.Euclidean ? "gaussian" : "beta";

    /// <summary>A new built-in family by config name; null for any other name (a plugin's, or a typo).</summary>
    public static IPosteriorFamily? Find(string name) => Families.FirstOrDefault(f => f.Name == name).Create?.Invoke();

    /// <summary>A new family by config name: a built-in one, or one a plugin registered.</summary>
    /// <param name="key">The key that names it, for the error: <c>latent.posterior</c> or <c>latent.factors[i].posterior</c>.</param>
    /// <param name="name">The name.</param>
    /// <param name="plugins">The families plugins registered, by name (none when null).</param>
    /// <exception cref="ExperimentException">No family has that name.</exception>
    public static IPosteriorFamily Create(string key, string name, IReadOnlyDictionary<string, Func<IManifoldPosteriorFamily>>? plugins = null)
    {
        if (Find(name) is { } family) return family;
        if (plugins?.GetValueOrDefault(name) is { } factory) return factory();
        var known = Names.Concat((plugins?.Keys ?? []).Order(StringComparer.Ordinal)).ToList();
        throw new ExperimentException(key, $"{key} is '{name}', which is neither built in nor registered by a plugin; known: {string.Join(", ", known)}.");
    }
}
