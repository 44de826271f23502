namespace ManifoldKit.Runner.Plugins;

/// <summary>The manifolds registered by the loaded plugins, by name.</summary>
public interface IManifoldCatalog
{
    /// <summary>Every registered manifold, sorted by name.</summary>
    IReadOnlyList<ManifoldEntry> Entries { get; }

    /// <summary>Problems met while loading plugins; the plugins concerned were skipped.</summary>
    IReadOnlyList<string> Diagnostics { get; }

    /// <summary>Every data source registered by a plugin, sorted by name.</summary>
    IReadOnlyList<ManifoldEntry> DataSources { get; }

    /// <summary>The factories of the plugins' data sources, by name.</summary>
    IReadOnlyDictionary<string, Func<ManifoldSettings, IDataSource>> DataSourceFactories { get; }

    /// <summary>Every posterior family registered by a plugin, sorted by name.</summary>
    IReadOnlyList<ManifoldEntry> PosteriorFamilies { get; }

    /// <summary>The factories of the plugins' posterior families, by name.</summary>
    IReadOnlyDictionary<string, Func<Distributions.IManifoldPosteriorFamily>> PosteriorFamilyFactories { get; }

    /// <summary>Builds the manifold registered as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such name (the message lists the known ones and the nearest), bad settings, or a setting the manifold does not read.</exception>
    IManifold Create(string name, ManifoldSettings settings);
}
