using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Training;

namespace ManifoldKit.Experiments;

/// <summary>Builds a manifold from its registry name and settings (the plugin catalogue).</summary>
public delegate IManifold ManifoldResolver(string name, ManifoldSettings settings);

/// <summary>
/// An <see cref="ExperimentSpec"/> checked and resolved against the manifold catalogue, once: the task's
/// manifold, the posterior family, and for a manifold latent its manifold, group action and saved f.
/// Everything a spec names is checked here, so a sweep fails before anything trains.
/// </summary>
public sealed class ExperimentPlan : IDisposable
{
    private ExperimentPlan(ExperimentSpec spec, IManifold task, IReadOnlyList<FactorPlan> factors, Func<ManifoldSettings, IDataSource>? pluginData) =>
        (Spec, TaskManifold, Factors, PluginData) = (spec, task, factors, pluginData);

    /// <summary>The factory of a plugin's data source when <c>data.source</c> names one; null for a built-in source.</summary>
    public Func<ManifoldSettings, IDataSource>? PluginData { get; }

    /// <summary>The experiment.</summary>
    public ExperimentSpec Spec { get; }

    /// <summary>The manifold whose uniform distribution generates the data.</summary>
    public IManifold TaskManifold { get; }

    /// <summary>The latent's factors, resolved: one for a single latent, one per <c>latent.factors</c> entry for a product.</summary>
    public IReadOnlyList<FactorPlan> Factors { get; }

    /// <summary>Validates <paramref name="spec"/> and resolves every name and file it refers to.</summary>
    /// <exception cref="ExperimentException">Something does not fit; the key is given.</exception>
    /// <param name="spec">The experiment.</param>
    /// <param name="resolve">The manifold catalogue.</param>
    /// <param name="dataSources">The plugins' data sources by name (none when null).</param>
    /// <param name="posteriorFamilies">The plugins' posterior families by name (none when null).</param>
    public static ExperimentPlan Resolve(ExperimentSpec spec, ManifoldResolver resolve, IReadOnlyDictionary<string, Func<ManifoldSettings, IDataSource>>? dataSources = null,
        IReadOnlyDictionary<string, Func<IManifoldPosteriorFamily>>? posteriorFamilies = null)
    {
        var task = Manifold(resolve, "task", spec.Task, spec.TaskSettings);
        spec.Validate();
        ComputeDevice.CheckAvailable(spec.Device);
        Func<ManifoldSettings, IDataSource>? pluginData = null;
        if (!DataSources.Names.Contains(spec.Data.Source))
        {
            var known = DataSources.Names.Concat((dataSources?.Keys ?? []).Order(StringComparer.Ordinal)).ToList();
            pluginData = dataSources?.GetValueOrDefault(spec.Data.Source)
                ?? throw new ExperimentException("data.source", $"data.source is '{spec.Data.Source}', which is neither built in nor registered by a plugin; known: {string.Join(", ", known)}.");
        }
        DataSources.Check(spec);
        var factors = new List<FactorPlan>();
        try
        {
            foreach (var (prefix, options) in spec.Latent.FactorList()) factors.Add(ResolveFactor(spec, prefix, options, resolve, posteriorFamilies));
        }
        catch
        {
            foreach (var factor in factors) factor.SavedEmbedding?.Dispose();
            throw;
        }
        return new ExperimentPlan(spec, task, factors, pluginData);
    }

    private static FactorPlan ResolveFactor(ExperimentSpec spec, string prefix, LatentOptions options, ManifoldResolver resolve,
        IReadOnlyDictionary<string, Func<IManifoldPosteriorFamily>>? posteriorFamilies)
    {
        var posterior = PosteriorFamilies.Create($"{prefix}.posterior", options.PosteriorFamily, posteriorFamilies);
        if (posterior is IManifoldPosteriorFamily) CheckOnManifold(prefix, options, posterior);
        if (options.Kind == LatentKind.Euclidean) return new FactorPlan(prefix, options, posterior, null, null, null);

        var manifold = Manifold(resolve, $"{prefix}.manifold", options.Manifold, options.ManifoldSettings);
        IGroupAction? action = null;
        if (options.GroupAction)
            action = manifold.Symmetry ?? throw new ExperimentException($"{prefix}.group_action",
                $"manifold '{manifold.Name}' offers no group action; set {prefix}.group_action: false.");
        if (posterior is IManifoldPosteriorFamily onManifold)
        {
            if (!onManifold.Supports(manifold))
                throw new ExperimentException($"{prefix}.posterior",
                    $"{prefix}.posterior is {onManifold.Name}, which does not live on manifold '{manifold.Name}'{(onManifold is DirectionalFamily ? " (it needs a unit sphere S^n in R^(n+1): sphere or circle)" : "")}; choose another manifold, or beta.");
            if (spec.Architecture.InitialPosteriorStd is { } std) ExperimentSpec.CheckInitialStd(onManifold, manifold.AmbientDim, std);
            return new FactorPlan(prefix, options, posterior, manifold, action, null);
        }
        if (options.Embedding == EmbeddingSource.Exact && manifold.ExactEmbedding is null)
            throw new ExperimentException($"{prefix}.embedding", $"manifold '{manifold.Name}' offers no exact embedding; use {prefix}.embedding: learned.");
        LearnedEmbedding? saved = null;
        if (options.Embedding.Path is { } path)
        {
            if (!File.Exists(path))
                throw new ExperimentException($"{prefix}.embedding",
                    $"{prefix}.embedding is '{path}', which is neither exact, learned, nor an existing file; make one with 'manifoldkit embed {manifold.Name}'.");
            try
            {
                saved = LearnedEmbedding.LoadFor(path, manifold);
            }
            catch (Exception error) when (error is ArgumentException or IOException or InvalidDataException or RunFileException)
            {
                // A user's file, named by the config: the key and the file's problem, not a trace.
                throw new ExperimentException($"{prefix}.embedding", $"{error.Message}{(error.Message.Contains(path, StringComparison.Ordinal) ? "" : $" ({path})")}");
            }
        }
        return new FactorPlan(prefix, options, posterior, manifold, action, saved);
    }

    /// <summary>A family that lives on the manifold itself needs a manifold latent, and has no use for an embedding.</summary>
    /// <exception cref="ExperimentException">The factor is Euclidean or names a learned or saved f.</exception>
    private static void CheckOnManifold(string prefix, LatentOptions factor, IPosteriorFamily posterior)
    {
        if (factor.Kind != LatentKind.Manifold)
            throw new ExperimentException($"{prefix}.posterior",
                $"{prefix}.posterior is {posterior.Name}, a posterior on a manifold itself, but {prefix}.kind is euclidean; use it with {prefix}.kind: manifold (e.g. {prefix}.manifold: sphere for vmf), or choose gaussian.");
        if (factor.Embedding != EmbeddingSource.Exact)
            throw new ExperimentException($"{prefix}.embedding",
                $"{prefix}.embedding is {factor.Embedding}, but the {posterior.Name} posterior lives on the manifold itself and uses no embedding f; remove {prefix}.embedding (or set it to exact).");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var factor in Factors) factor.SavedEmbedding?.Dispose();
    }

    private static IManifold Manifold(ManifoldResolver resolve, string key, string name, IReadOnlyDictionary<string, string> settings)
    {
        try
        {
            return resolve(name, new ManifoldSettings(settings));
        }
        catch (ArgumentException error)
        {
            throw new ExperimentException(key, error.Message);
        }
    }
}

/// <summary>One factor of a plan's latent, resolved.</summary>
/// <param name="Key">Its key prefix in errors: <c>latent</c> or <c>latent.factors[i]</c>.</param>
/// <param name="Options">Its settings.</param>
/// <param name="Posterior">Its posterior family.</param>
/// <param name="Manifold">Its manifold; null for a Euclidean factor.</param>
/// <param name="Action">The group acting on it when it asks for a group-action encoder.</param>
/// <param name="SavedEmbedding">The f loaded from its <c>embedding</c> key when that names a file.</param>
public sealed record FactorPlan(string Key, LatentOptions Options, IPosteriorFamily Posterior, IManifold? Manifold, IGroupAction? Action, LearnedEmbedding? SavedEmbedding);
