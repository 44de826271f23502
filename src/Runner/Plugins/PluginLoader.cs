using System.Reflection;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace ManifoldKit.Runner.Plugins;

/// <summary>
/// Finds manifold plugins and registers their manifolds into a service collection. A plugin is a
/// folder <c>NAME/</c> holding <c>NAME.dll</c> (its build output); a plugin directory holds such
/// folders, or is one. Each assembly is loaded in its own context sharing the host's contracts and
/// TorchSharp types; only public types implementing <see cref="IManifoldPlugin"/> are instantiated.
/// A broken plugin becomes a diagnostic and the others still load.
/// </summary>
public static class PluginLoader
{
    /// <summary>The environment variable listing extra plugin directories, separated by ':'.</summary>
    public const string PathVariable = "MANIFOLDKIT_PLUGIN_PATH";

    /// <summary>The built-in folder beside the executable, then <see cref="PathVariable"/>, then <paramref name="extra"/>.</summary>
    public static IReadOnlyList<string> Directories(IEnumerable<string> extra)
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable(PathVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new[] { Path.Combine(AppContext.BaseDirectory, "plugins") }.Concat(fromEnvironment).Concat(extra)
            .Select(Path.GetFullPath).Distinct().ToList();
    }

    /// <summary>
    /// Plugin assemblies in <paramref name="directory"/> and its immediate subfolders: <c>NAME/NAME.dll</c>,
    /// or any <c>X.dll</c> beside its <c>X.deps.json</c> (so a plugin's build output folder works as it is).
    /// </summary>
    public static IEnumerable<string> FindAssemblies(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        return new[] { directory }.Concat(Directory.EnumerateDirectories(directory))
            .SelectMany(folder =>
            {
                var named = Path.Combine(folder, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) + ".dll");
                var withDeps = Directory.EnumerateFiles(folder, "*.deps.json")
                    .Select(deps => deps[..^".deps.json".Length] + ".dll").Where(File.Exists);
                return (File.Exists(named) ? [named] : Enumerable.Empty<string>()).Concat(withDeps);
            })
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Loads every plugin in <paramref name="directories"/> and adds the catalog to <paramref name="services"/>.</summary>
    public static void Load(IServiceCollection services, IEnumerable<string> directories)
    {
        var registrar = new Registrar(services);
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                if (directory != Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "plugins")))
                    registrar.Diagnostics.Add($"plugin directory {directory} does not exist; skipped.");
                continue;
            }
            foreach (var assemblyPath in FindAssemblies(directory)) LoadOne(assemblyPath, registrar);
        }
        services.AddSingleton<IManifoldCatalog>(provider => new ManifoldCatalog(provider, registrar.Entries, registrar.Diagnostics, registrar.DataEntries, registrar.DataFactories,
            registrar.PosteriorEntries, registrar.PosteriorFactories));
    }

    private static void LoadOne(string assemblyPath, Registrar registrar)
    {
        Type[] types;
        try
        {
            var loader = McMaster.NETCore.Plugins.PluginLoader.CreateFromAssemblyFile(assemblyPath, sharedTypes: [typeof(IManifoldPlugin), typeof(TorchSharp.torch.Tensor)]);
            var assembly = loader.LoadDefaultAssembly();
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException error)
        {
            var first = error.LoaderExceptions.FirstOrDefault(e => e is not null);
            registrar.Diagnostics.Add($"plugin {assemblyPath} failed to load its types: {first?.Message ?? error.Message} (a dependency missing from its folder, or built against another ManifoldKit.Abstractions?)");
            return;
        }
        catch (Exception error) when (error is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            registrar.Diagnostics.Add($"plugin {assemblyPath} is not a .NET assembly that can be loaded: {error.Message}");
            return;
        }
        var plugins = types.Where(t => t is { IsPublic: true, IsAbstract: false } && typeof(IManifoldPlugin).IsAssignableFrom(t)).ToList();
        if (plugins.Count == 0)
        {
            registrar.Diagnostics.Add($"plugin {assemblyPath} has no public type implementing IManifoldPlugin; skipped.");
            return;
        }
        foreach (var type in plugins)
        {
            registrar.Begin(assemblyPath, type.FullName!);
            try
            {
                if (type.GetConstructor(Type.EmptyTypes) is null)
                    throw new MissingMethodException($"{type.FullName} has no public parameterless constructor");
                ((IManifoldPlugin)Activator.CreateInstance(type)!).Register(registrar);
                registrar.Commit();
            }
            catch (Exception error)
            {
                registrar.Rollback();
                var cause = error is TargetInvocationException { InnerException: { } inner } ? inner : error;
                registrar.Diagnostics.Add($"plugin {assemblyPath} ({type.FullName}) failed while registering: {cause.GetType().Name}: {cause.Message}");
            }
        }
    }

    /// <summary>Maps a plugin's registrations onto keyed DI services; a plugin's names land all or none.</summary>
    private sealed class Registrar(IServiceCollection services) : IManifoldRegistrar
    {
        private readonly List<(string Name, Func<ManifoldSettings, IManifold> Factory)> pending = [];
        private readonly List<(string Name, Func<ManifoldSettings, IDataSource> Factory)> pendingData = [];
        private readonly List<(string Name, Func<Distributions.IManifoldPosteriorFamily> Factory)> pendingPosteriors = [];
        private (string Path, string Type) current;

        public List<ManifoldEntry> Entries { get; } = [];

        public List<ManifoldEntry> DataEntries { get; } = [];

        public Dictionary<string, Func<ManifoldSettings, IDataSource>> DataFactories { get; } = [];

        public List<ManifoldEntry> PosteriorEntries { get; } = [];

        public Dictionary<string, Func<Distributions.IManifoldPosteriorFamily>> PosteriorFactories { get; } = [];

        public List<string> Diagnostics { get; } = [];

        public void Begin(string path, string type)
        {
            current = (path, type);
            pending.Clear();
            pendingData.Clear();
            pendingPosteriors.Clear();
        }

        public IManifoldRegistrar Add(string name, Func<ManifoldSettings, IManifold> factory)
        {
            pending.Add((CheckName(name, factory, "manifold"), factory));
            return this;
        }

        public IManifoldRegistrar AddDataSource(string name, Func<ManifoldSettings, IDataSource> factory)
        {
            pendingData.Add((CheckName(name, factory, "data source"), factory));
            return this;
        }

        public IManifoldRegistrar AddPosteriorFamily(string name, Func<Distributions.IManifoldPosteriorFamily> factory)
        {
            pendingPosteriors.Add((CheckName(name, factory, "posterior family"), factory));
            return this;
        }

        // A registry name is the YAML value that selects it: present, with a factory, lowercase.
        private static string CheckName(string name, object factory, string what)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentNullException.ThrowIfNull(factory);
            if (name != name.ToLowerInvariant()) throw new ArgumentException($"{what} names are lowercase; got '{name}'.", nameof(name));
            return name;
        }

        public void Commit()
        {
            foreach (var (name, factory) in pendingData)
            {
                if (ManifoldKit.Data.DataSources.Names.Contains(name))
                    Diagnostics.Add($"plugin {current.Path} ({current.Type}) registers the data source '{name}', which is built in; skipped.");
                else if (DataEntries.FirstOrDefault(e => e.Name == name) is { } owner)
                    Diagnostics.Add($"plugin {current.Path} ({current.Type}) registers the data source '{name}', already registered by {owner.AssemblyPath}; the first one is kept.");
                else
                {
                    DataFactories[name] = factory;
                    DataEntries.Add(new ManifoldEntry(name, current.Path, current.Type));
                }
            }
            pendingData.Clear();
            foreach (var (name, factory) in pendingPosteriors)
            {
                if (Distributions.PosteriorFamilies.Names.Contains(name))
                    Diagnostics.Add($"plugin {current.Path} ({current.Type}) registers the posterior family '{name}', which is built in; skipped.");
                else if (PosteriorEntries.FirstOrDefault(e => e.Name == name) is { } owner)
                    Diagnostics.Add($"plugin {current.Path} ({current.Type}) registers the posterior family '{name}', already registered by {owner.AssemblyPath}; the first one is kept.");
                else
                {
                    PosteriorFactories[name] = factory;
                    PosteriorEntries.Add(new ManifoldEntry(name, current.Path, current.Type));
                }
            }
            pendingPosteriors.Clear();
            foreach (var (name, factory) in pending)
            {
                if (Entries.FirstOrDefault(e => e.Name == name) is { } owner)
                {
                    Diagnostics.Add($"plugin {current.Path} ({current.Type}) registers '{name}', already registered by {owner.AssemblyPath}; the first one is kept.");
                    continue;
                }
                services.AddKeyedSingleton(name, factory);
                Entries.Add(new ManifoldEntry(name, current.Path, current.Type));
            }
            pending.Clear();
        }

        public void Rollback()
        {
            pending.Clear();
            pendingData.Clear();
            pendingPosteriors.Clear();
        }
    }
}
