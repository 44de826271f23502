using ManifoldKit.Runner.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace ManifoldKit;

/// <summary>Wires ManifoldKit's host services.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Loads manifold plugins (built-in folder, MANIFOLDKIT_PLUGIN_PATH, then <paramref name="pluginDirs"/>) and adds the catalog.</summary>
    public static IServiceCollection AddManifoldKit(this IServiceCollection services, IEnumerable<string>? pluginDirs = null)
    {
        PluginLoader.Load(services, PluginLoader.Directories(pluginDirs ?? []));
        return services;
    }
}
