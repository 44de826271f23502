namespace ManifoldKit.Runner.Configuration;

/// <summary>A config that cannot be used; the message names the file, the line, the key and the fix.</summary>
public sealed class ConfigException(string message) : Exception(message);
