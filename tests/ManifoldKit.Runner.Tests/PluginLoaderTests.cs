using ManifoldKit.Runner.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Tests;

public sealed class PluginLoaderTests : IDisposable
{
    private static readonly string BuiltIns = Path.Combine(Repository.Output("src/Runner"), "plugins");
    private readonly string extra = Directory.CreateTempSubdirectory("mk-plugins").FullName;

    public void Dispose() => Directory.Delete(extra, recursive: true);

    private static IManifoldCatalog Load(params string[] directories)
    {
        var services = new ServiceCollection();
        PluginLoader.Load(services, directories);
        return services.BuildServiceProvider().GetRequiredService<IManifoldCatalog>();
    }

    [Fact]
    public void BuiltIns_LoadAsPlugins_SharingTheHostsTensorType()
    {
        var catalog = Load(BuiltIns);
        Assert.Equal(["circle", "so3", "sphere"], catalog.Entries.Select(e => e.Name));
        Assert.Empty(catalog.Diagnostics);
        var sample = catalog.Create("sphere", ManifoldSettings.Empty).SampleUniform(4);
        Assert.IsType<Tensor>(sample);                       // the host's Tensor type, not a copy from the plugin's context
        Assert.Equal([4L, 3L], sample.shape);
        Assert.DoesNotContain(typeof(IManifold).Assembly, AppDomain.CurrentDomain.GetAssemblies().Where(a => a != typeof(IManifold).Assembly && a.GetName().Name == "ManifoldKit.Abstractions"));
    }

    [Fact]
    public void PluginFolders_ShipNoTorchSharpOrLibtorch()
    {
        var offenders = Directory.GetDirectories(BuiltIns).Append(Repository.Output("plugins/Torus"))
            .SelectMany(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories))
            .Select(Path.GetFileName)
            .Where(f => f!.StartsWith("TorchSharp", StringComparison.Ordinal) || f.StartsWith("libtorch", StringComparison.Ordinal)
                        || f.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || f.StartsWith("ManifoldKit.Abstractions", StringComparison.Ordinal));
        Assert.Empty(offenders);
    }

    [Fact]
    public void BrokenPlugins_AreReportedWithTheirPath_AndTheOthersStillLoad()
    {
        var garbage = Directory.CreateDirectory(Path.Combine(extra, "Garbage")).FullName;
        File.WriteAllText(Path.Combine(garbage, "Garbage.dll"), "not an assembly");
        var broken = Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", extra);
        Repository.InstallPlugin("plugins/Torus", "ManifoldKit.Plugins.Torus", extra);

        var catalog = Load(BuiltIns, extra, Path.Combine(extra, "missing"));

        Assert.Equal(["buggy", "circle", "lopsided", "so3", "sphere", "torus"], catalog.Entries.Select(e => e.Name));
        var brokenDll = Path.Combine(broken, "ManifoldKit.Runner.TestPlugins.dll");
        Assert.Equal(
        [
            $"plugin {brokenDll} (ManifoldKit.Runner.TestPlugins.DuplicateNamePlugin) registers 'circle', already registered by {Path.Combine(BuiltIns, "ManifoldKit.Manifolds.Circle", "ManifoldKit.Manifolds.Circle.dll")}; the first one is kept.",
            $"plugin {brokenDll} (ManifoldKit.Runner.TestPlugins.ThrowingPlugin) failed while registering: InvalidOperationException: boom",
            $"plugin directory {Path.Combine(extra, "missing")} does not exist; skipped.",
        ], catalog.Diagnostics.Where(d => !d.Contains("Garbage")).OrderBy(d => d.Contains("directory")).ThenBy(d => d, StringComparer.Ordinal));
        Assert.Contains(catalog.Diagnostics, d => d.StartsWith($"plugin {Path.Combine(garbage, "Garbage.dll")} is not a .NET assembly that can be loaded: ", StringComparison.Ordinal));
        Assert.Equal("circle", catalog.Create("circle", ManifoldSettings.Empty).Name);   // the built-in, not the impostor
    }

    [Fact]
    public void SettingsTheManifoldDoesNotRead_AreRejected()
    {
        var catalog = Load(BuiltIns);
        Assert.Equal(3, catalog.Create("sphere", new ManifoldSettings(new Dictionary<string, string> { ["dim"] = "2" })).AmbientDim);
        Assert.Equal("manifold 'sphere' has no setting 'dimm'; did you mean 'dim'? It reads: dim, rotation.",
            Assert.Throws<CatalogException>(() => catalog.Create("sphere", new ManifoldSettings(new Dictionary<string, string> { ["dimm"] = "3" }))).Message);
        Assert.Equal("manifold 'circle' takes no settings, but 'dim' was given.",
            Assert.Throws<CatalogException>(() => catalog.Create("circle", new ManifoldSettings(new Dictionary<string, string> { ["dim"] = "3" }))).Message);
    }

    [Fact]
    public void UnknownManifold_ListsTheLoadedOnes_AndSuggestsTheNearest()
    {
        var catalog = Load(BuiltIns);
        Assert.Equal("unknown manifold 'sphear'; did you mean 'sphere'? Loaded: circle, so3, sphere. Plugins are read from the folder beside the executable, --plugin-dir DIR, MANIFOLDKIT_PLUGIN_PATH and a config's plugin_dirs.",
            Assert.Throws<CatalogException>(() => catalog.Create("sphear", ManifoldSettings.Empty)).Message);
        Assert.Equal("unknown manifold 'hyperboloid'. Loaded: circle, so3, sphere. Plugins are read from the folder beside the executable, --plugin-dir DIR, MANIFOLDKIT_PLUGIN_PATH and a config's plugin_dirs.",
            Assert.Throws<CatalogException>(() => catalog.Create("hyperboloid", ManifoldSettings.Empty)).Message);
    }
}
