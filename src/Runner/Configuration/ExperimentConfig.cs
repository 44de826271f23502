using ManifoldKit.Experiments;


namespace ManifoldKit.Runner.Configuration;

/// <summary>A validated experiment config.</summary>
/// <param name="Spec">The experiment.</param>
/// <param name="Output">Where runs go (<c>output</c>; default <c>runs</c>).</param>
/// <param name="PluginDirs">Extra plugin directories (<c>plugin_dirs</c>), resolved against the config's folder.</param>
/// <param name="Source">The file it came from, or <c>(default)</c>.</param>
/// <param name="Reference">A published figure to show beside the results (<c>reference</c>), e.g. the paper's ELBO.</param>
/// <param name="Lines">The line of each key given in the file, by dotted path.</param>
public sealed record ExperimentConfig(ExperimentSpec Spec, string Output, IReadOnlyList<string> PluginDirs, string Source,
    string? Reference = null, IReadOnlyDictionary<string, int>? Lines = null)
{
    /// <summary>An experiment error located in this config: file, line (when the key was in the file), key, message.</summary>
    public ConfigException Locate(ExperimentException error) =>
        new(Lines is not null && Lines.TryGetValue(error.Key, out var line)
            ? $"{Source}:{line}: {error.Key}: {error.Message}"
            : $"{Source}: {error.Key}: {error.Message}");
}
