using ManifoldKit.Experiments;
using ManifoldKit.Runner.Reporting;


namespace ManifoldKit.Runner.Configuration;

/// <summary>A validated experiment config.</summary>
/// <param name="Spec">The experiment.</param>
/// <param name="Output">Where runs go (<c>output</c>; default <c>runs</c>).</param>
/// <param name="PluginDirs">Extra plugin directories (<c>plugin_dirs</c>), resolved against the config's folder.</param>
/// <param name="Source">The file it came from, or <c>(default)</c>.</param>
/// <param name="Reference">A published figure to show beside the results (<c>reference</c>), e.g. the paper's ELBO.</param>
/// <param name="Locations">Where each key given was set, by dotted path: <c>file:line</c>, or <c>command line: key=value</c> for an override.</param>
/// <param name="PlotFormat">The figures' file format (<c>plot_format</c>).</param>
public sealed record ExperimentConfig(ExperimentSpec Spec, string Output, IReadOnlyList<string> PluginDirs, string Source,
    string? Reference = null, IReadOnlyDictionary<string, string>? Locations = null, PlotFormat PlotFormat = PlotFormat.Png)
{
    /// <summary>An experiment error located in this config: where the key was set (or the file, when it was not), key, message.</summary>
    public ConfigException Locate(ExperimentException error) =>
        new(Where(error.Key) is { } where
            ? $"{where}: {error.Key}: {error.Message}"
            : $"{Source}: {error.Key}: {error.Message}");

    // The key's own line, else the nearest enclosing one given (a factor's default names its list item's key).
    private string? Where(string key)
    {
        // Only a factor's key climbs (to its item); other keys keep their old fallback, the file without a line.
        if (!key.Contains('[')) return Locations is not null && Locations.TryGetValue(key, out var own) ? own : null;
        for (var path = key; path.Contains('['); path = path[..Math.Max(0, path.LastIndexOfAny(['.', '[']))])
            if (Locations is not null && Locations.TryGetValue(path, out var where)) return where;
        return null;
    }
}
