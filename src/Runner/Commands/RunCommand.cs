using System.CommandLine;
using ManifoldKit.Runner.Configuration;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit run [CONFIG|RUN_DIR] [--out DIR] [--seed N] [key=value ...]</c>.</summary>
public static class RunCommand
{
    /// <summary>The config used when none is given: <c>default.yaml</c> beside the executable (a copy of configs/default.yaml).</summary>
    public static string DefaultConfig => Path.Combine(AppContext.BaseDirectory, "default.yaml");

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var target = new Argument<string?>("config") { Description = "Experiment YAML, or an interrupted run directory to resume. Default: the built-in default config (about a minute).", Arity = ArgumentArity.ZeroOrOne };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides key=value, e.g. training.steps=500 seeds=[1].", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--out") { Description = "Run directory (default: OUTPUT/NAME/seedN)." };
        var seed = new Option<long?>("--seed") { Description = "Training seed (default: the config's first)." };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("run", "Train and evaluate one experiment for one seed.") { target, overrides, output, seed, pluginDirs };
        command.SetAction((parse, cancellation) => Task.FromResult(CommandLine.Guard(() =>
        {
            var path = parse.GetValue(target);
            var extra = parse.GetValue(overrides) ?? [];
            string? directory = parse.GetValue(output);
            // A run folder is an interrupted run: its resolved config says everything.
            var isRun = path is not null && Directory.Exists(path);
            if (isRun) directory = path;
            if (directory is not null && File.Exists(directory)) throw new ConfigException($"--out {directory} is a file; give a folder for the run (made if missing).");
            var config = isRun ? RunExecutor.LoadRun(path!, extra) : ConfigLoader.Load(path ?? DefaultConfig, extra);
            var runSeed = parse.GetValue(seed) ?? config.Spec.Seeds[0];
            var catalog = CommandLine.Catalog(config.PluginDirs.Concat(parse.GetValue(pluginDirs) ?? []));
            using var plan = RunExecutor.Resolve(config, catalog);
            RunExecutor.Execute(config, plan, runSeed, directory ?? RunExecutor.DefaultDirectory(config, runSeed), Console.Out, cancellation);
            return 0;
        })));
        return command;
    }
}
