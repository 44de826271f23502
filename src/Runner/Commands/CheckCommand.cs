using System.CommandLine;
using ManifoldKit.Data;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Plugins;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// <c>manifoldkit check CONFIG... [key=value ...]</c>: everything <c>run</c> and <c>sweep</c> check
/// before training (the file, every key, the manifolds and files it names, the memory it needs),
/// without training. One line per config; exit 0 when all pass, else the first failure's code.
/// </summary>
public static class CheckCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var targets = new Argument<string[]>("configs") { Description = "Experiment YAML files (and key=value overrides applied to each).", Arity = ArgumentArity.OneOrMore };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("check", "Check configs as run does before training, without training.") { targets, pluginDirs };
        command.SetAction(parse =>
        {
            var arguments = parse.GetValue(targets) ?? [];
            var overrides = arguments.Where(a => a.Contains('=') && !File.Exists(a)).ToList();
            var extra = parse.GetValue(pluginDirs) ?? [];
            var first = 0;
            foreach (var file in arguments.Except(overrides))
            {
                var code = CommandLine.Guard(() => Check(file, overrides, dirs => CommandLine.Catalog(dirs.Concat(extra)), Console.Out));
                if (first == 0) first = code;
            }
            return first;
        });
        return command;
    }

    /// <summary>Loads and resolves one config; prints <c>FILE: ok</c> to <paramref name="output"/>. Errors are thrown, for <see cref="CommandLine.Guard(Func{int})"/>.</summary>
    public static int Check(string file, IReadOnlyList<string> overrides, Func<IEnumerable<string>, IManifoldCatalog> catalogs, TextWriter output)
    {
        var config = ConfigLoader.Load(file, overrides);
        var catalog = catalogs(config.PluginDirs);
        RunExecutor.Validate(config, catalog);
        if (File.Exists(config.Output)) throw new ConfigException($"{file}: output is '{config.Output}', which is a file; give a folder for the runs.");
        output.WriteLine($"{file}: ok ({config.Spec.Seeds.Count} seed{(config.Spec.Seeds.Count == 1 ? "" : "s")}, {Describe(config.Spec)})");
        return 0;
    }

    /// <summary>What a spec trains on and with: "task circle, latent manifold" or "data fashion-mnist, latent circle × euclidean-8".</summary>
    public static string Describe(ExperimentSpec spec)
    {
        var data = spec.Data.Source == DataSources.Toy ? $"task {spec.Task}" : $"data {spec.Data.Source}";
        var latent = spec.Latent.Factors.Count > 0
            ? string.Join(" × ", spec.Latent.Factors.Select(Factor))
            : Factor(spec.Latent);
        return $"{data}, latent {latent}";
    }

    private static string Factor(LatentOptions f) => f.Kind == LatentKind.Euclidean ? $"euclidean-{f.Dim}" : f.Manifold + (f.GroupAction ? "+action" : "");
}
