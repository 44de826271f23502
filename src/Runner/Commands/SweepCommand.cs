using System.CommandLine;
using System.Diagnostics;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit sweep CONFIG|DIR [--report FILE] [key=value ...]</c>.</summary>
public static class SweepCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "An experiment YAML, or a directory whose *.yaml files are all run (in name order)." };
        var overrides = new Argument<string[]>("overrides") { Description = "Overrides applied to every config, e.g. training.steps=500 seeds=[0,1].", Arity = ArgumentArity.ZeroOrMore };
        var report = new Option<string?>("--report") { Description = "Also write the summary table (Markdown) to this file." };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("sweep", "Run every seed of one or more configs, then print mean ± std over seeds.") { target, overrides, report, pluginDirs };
        command.SetAction((parse, cancellation) => Task.FromResult(CommandLine.Guard(() =>
        {
            var path = parse.GetValue(target)!;
            var files = Directory.Exists(path)
                ? Directory.GetFiles(path, "*.yaml").Order(StringComparer.Ordinal).ToList()
                : File.Exists(path) ? [path] : throw new ConfigException($"{path}: no such config file or directory.");
            if (files.Count == 0) throw new ConfigException($"{path} holds no *.yaml configs.");
            // Validate everything before training anything.
            var configs = files.Select(f => ConfigLoader.Load(f, parse.GetValue(overrides))).ToList();
            var catalog = CommandLine.Catalog(configs.SelectMany(c => c.PluginDirs).Concat(parse.GetValue(pluginDirs) ?? []).Distinct());
            var plans = configs.Select(config => RunExecutor.Resolve(config, catalog)).ToList();
            var clock = Stopwatch.StartNew();
            var rows = new List<SweepSummary.Row>();
            try
            {
                foreach (var (config, plan) in configs.Zip(plans))
                {
                    var results = config.Spec.Seeds.Select(seed =>
                        RunExecutor.Execute(config, plan, seed, RunExecutor.DefaultDirectory(config, seed), Console.Out, cancellation)).ToList();
                    rows.Add(new SweepSummary.Row(config.Spec.Name, results, config.Reference));
                }
            }
            finally
            {
                foreach (var plan in plans) plan.Dispose();
            }
            var table = SweepSummary.Markdown(rows);
            var footer = $"\n{rows.Sum(r => r.Results.Count)} runs, sweep wall time {clock.Elapsed.TotalMinutes:F1} min (runs finished earlier are read, not retrained).\n";
            Console.WriteLine();
            Console.Write(table + footer);
            AtomicFile.WriteAllText(Path.Combine(configs[0].Output, "summary.md"), table + footer);
            using (var figure = Figures.Sweep($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}: test ELBO per seed", rows))
                Figures.Save(figure, Path.Combine(configs[0].Output, "summary"), configs[0].PlotFormat, Figures.PerSeedWidth(rows.Count));
            if (parse.GetValue(report) is { } file) AtomicFile.WriteAllText(file, table + footer);
            return 0;
        })));
        return command;
    }
}
