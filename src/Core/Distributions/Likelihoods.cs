using ManifoldKit.Experiments;

namespace ManifoldKit.Distributions;

/// <summary>
/// The observation models a config can name (<c>architecture.likelihood</c>): the one list that the
/// config loader, the resolved-config writer and the key table read.
/// </summary>
public static class Likelihoods
{
    private static readonly (string Name, bool UnitInterval, Func<int, ILikelihood> Create)[] Families =
    [
        ("gaussian", false, dim => new GaussianLikelihood(dim)),
        ("bernoulli", true, _ => new BernoulliLikelihood()),
    ];

    /// <summary>Every likelihood's config name, the default first.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Families.Select(f => f.Name)];

    /// <summary>Whether the likelihood of this name models data in [0, 1] only.</summary>
    /// <exception cref="ExperimentException">No likelihood has that name.</exception>
    public static bool ModelsUnitInterval(string name) => Find(name).UnitInterval;

    /// <summary>A new likelihood, with fresh parameters, for <paramref name="observedDim"/> dimensions.</summary>
    /// <exception cref="ExperimentException">No likelihood has that name (key <c>architecture.likelihood</c>).</exception>
    public static ILikelihood Create(string name, int observedDim) => Find(name).Create(observedDim);

    private static (string Name, bool UnitInterval, Func<int, ILikelihood> Create) Find(string name) =>
        Families.FirstOrDefault(f => f.Name == name) is { Create: not null } family
            ? family
            : throw new ExperimentException("architecture.likelihood", $"architecture.likelihood is '{name}'; expected {string.Join(", ", Names.SkipLast(1))} or {Names[^1]}.");
}
