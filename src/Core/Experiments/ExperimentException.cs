namespace ManifoldKit.Experiments;

/// <summary>An experiment cannot be built as specified; <see cref="Key"/> names the setting at fault.</summary>
public sealed class ExperimentException(string key, string message) : Exception(message)
{
    /// <summary>The config key at fault, snake_case as in YAML, e.g. <c>latent.embedding</c>.</summary>
    public string Key { get; } = key;
}
