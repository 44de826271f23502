using ManifoldKit.Runner.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ManifoldKit.Runner.Plugins;

/// <summary>The catalog over the factories plugins registered as keyed services.</summary>
internal sealed class ManifoldCatalog(IServiceProvider services, IReadOnlyList<ManifoldEntry> entries, IReadOnlyList<string> diagnostics,
    IReadOnlyList<ManifoldEntry> dataSources, IReadOnlyDictionary<string, Func<ManifoldSettings, IDataSource>> dataSourceFactories,
    IReadOnlyList<ManifoldEntry> posteriorFamilies, IReadOnlyDictionary<string, Func<Distributions.IManifoldPosteriorFamily>> posteriorFamilyFactories) : IManifoldCatalog
{
    public IReadOnlyList<ManifoldEntry> PosteriorFamilies { get; } = posteriorFamilies.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyDictionary<string, Func<Distributions.IManifoldPosteriorFamily>> PosteriorFamilyFactories { get; } = posteriorFamilyFactories;

    public IReadOnlyList<ManifoldEntry> DataSources { get; } = dataSources.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyDictionary<string, Func<ManifoldSettings, IDataSource>> DataSourceFactories { get; } = dataSourceFactories;

    public IReadOnlyList<ManifoldEntry> Entries { get; } = entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> Diagnostics { get; } = diagnostics;

    public IManifold Create(string name, ManifoldSettings settings)
    {
        var factory = services.GetKeyedService<Func<ManifoldSettings, IManifold>>(name);
        if (factory is null)
        {
            var names = Entries.Select(e => e.Name).ToList();
            // Why a plugin the user expected is not there: the loader's diagnostics, then where plugins are looked for.
            var problems = Diagnostics.Count == 0 ? "" : $" Plugin problems: {string.Join(" ", Diagnostics)}";
            const string where = " Plugins are read from the folder beside the executable, --plugin-dir DIR, MANIFOLDKIT_PLUGIN_PATH and a config's plugin_dirs.";
            throw new CatalogException(names.Count == 0
                ? $"unknown manifold '{name}': no manifold plugins are loaded (is the plugins folder beside the executable?).{problems}{where}"
                : $"unknown manifold '{name}'{Nearest.Hint(name, names)} Loaded: {string.Join(", ", names)}.{problems}{where}");
        }
        IManifold manifold;
        try
        {
            manifold = factory(settings);
        }
        catch (ArgumentException error) when (error is not CatalogException)
        {
            // The contract: a factory refuses a bad setting value with an ArgumentException.
            throw new CatalogException(error.Message, error);
        }
        // A setting nobody read is a typo or a setting of another manifold: say so rather than ignore it.
        foreach (var key in settings.Keys.Where(k => !settings.ReadKeys.Contains(k)))
            throw new CatalogException(settings.ReadKeys.Count == 0
                ? $"manifold '{name}' takes no settings, but '{key}' was given."
                : $"manifold '{name}' has no setting '{key}'{Nearest.Hint(key, settings.ReadKeys)} It reads: {string.Join(", ", settings.ReadKeys.Order(StringComparer.Ordinal))}.");
        return manifold;
    }
}

/// <summary>A manifold cannot be built as asked: unknown name, unread setting, or a value its factory refuses.</summary>
public sealed class CatalogException(string message, Exception? inner = null) : ArgumentException(message, inner);
