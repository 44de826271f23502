namespace ManifoldKit.Runner.Plugins;

/// <summary>A registered manifold: its name, and the plugin assembly and type that registered it.</summary>
public sealed record ManifoldEntry(string Name, string AssemblyPath, string PluginType);
