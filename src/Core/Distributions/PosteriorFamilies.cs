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

    /// <summary>A new family by config name.</summary>
    /// <exception cref="ExperimentException">No family has that name (key <c>latent.posterior</c>).</exception>
    public static IPosteriorFamily Create(string name) =>
        Families.FirstOrDefault(f => f.Name == name).Create?.Invoke()
        ?? throw new ExperimentException("latent.posterior", $"latent.posterior is '{name}'; expected {string.Join(", ", Names.SkipLast(1))} or {Names[^1]}.");
}
