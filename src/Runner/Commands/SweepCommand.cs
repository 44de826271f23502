using System.CommandLine;
using System.Diagnostics;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit sweep CONFIG|DIR [--shard I/N|auto|auto/N | --jobs N] [--report FILE] [key=value ...]</c>.</summary>
public static class SweepCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "An experiment YAML, or a directory whose *.yaml files are all run (in name order)." };
        var overrides = new Argument<string[]>("overrides") { Description = "Overrides applied to every config, e.g. training.steps=500 seeds=[0,1].", Arity = ArgumentArity.ZeroOrMore };
        var report = new Option<string?>("--report") { Description = "Also write the summary table (Markdown) to this file." };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run one shard of the (config, seed) units, those numbered u with u mod N = I: I/N; auto (a Slurm job array's " +
                          $"{Shard.SlurmId} - {Shard.SlurmMin} of {Shard.SlurmCount}); auto/N (a Kubernetes Indexed Job's {Shard.JobIndex}). See docs/cluster.md.",
        };
        var jobs = new Option<int?>("--jobs")
        {
            Description = "Run the sweep as this many shard processes side by side on this machine, libtorch's threads split between them " +
                          $"(docs/cluster.md). Default: one per core, or cores / {LibTorchThreads.Variable} when that is set; 1 with --shard.",
        };
        var group = new Option<int?>("--group")
        {
            Description = "Seeds of a config trained together as one stacked model, at most this many at a time (docs/performance.md). " +
                          "Default: all of a config's seeds that this process runs; 1 trains them one by one.",
        };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("sweep", "Run every seed of one or more configs, then print mean ± std over seeds.") { target, overrides, report, shard, jobs, group, pluginDirs };
        command.SetAction((parse, cancellation) => Task.FromResult(CommandLine.Guard(() =>
        {
            var sweep = SweepTarget.Load(parse.GetValue(target)!, parse.GetValue(overrides));
            var part = Shard.Parse(parse.GetValue(shard), Environment.GetEnvironmentVariables());
            // Validate everything before training anything, this shard's units or not: every shard refuses the same bad config.
            var configs = sweep.Configs;
            var catalog = CommandLine.Catalog(configs.SelectMany(c => c.PluginDirs).Concat(parse.GetValue(pluginDirs) ?? []).Distinct());
            var plans = configs.Select(config => RunExecutor.Resolve(config, catalog)).ToList();
            var processes = parse.GetValue(jobs) ?? (part.Count > 1 ? 1 : DefaultJobs());
            if (processes < 1) throw new ConfigException($"--jobs {processes}: give the number of processes, 1 or more.");
            if (processes > 1 && part.Count > 1) throw new ConfigException($"--jobs {processes} with --shard: a shard is one process; give one of them.");
            var groupSize = parse.GetValue(group) ?? int.MaxValue;
            if (groupSize < 1) throw new ConfigException($"--group {groupSize}: give the most seeds to train as one model, 1 or more (1 trains them one by one).");
            // Only units still to train need a process: a finished sweep is read, not re-run in N children.
            processes = Math.Max(1, Math.Min(processes, sweep.Existing().Missing.Count));
            if (part.Count > 1) Console.WriteLine(sweep.Describe(part));
            var clock = Stopwatch.StartNew();
            var ran = 0;
            try
            {
                if (processes > 1)
                    SweepJobs.Run(processes, ["sweep", sweep.Path, .. parse.GetValue(overrides) ?? [], .. (parse.GetValue(pluginDirs) ?? []).SelectMany(d => new[] { "--plugin-dir", d }),
                        .. parse.GetValue(group) is { } size ? new[] { "--group", size.ToString(System.Globalization.CultureInfo.InvariantCulture) } : []], Console.Out, cancellation);
                else
                    foreach (var units in sweep.Units.Where(u => part.Owns(u.Number)).GroupBy(u => u.ConfigIndex).SelectMany(c => c.Chunk(groupSize)))
                    {
                        RunExecutor.ExecuteGroup(units[0].Config, plans[units[0].ConfigIndex], [.. units.Select(u => (u.Seed, u.Directory))], Console.Out, cancellation);
                        ran += units.Length;
                    }
            }
            finally
            {
                foreach (var plan in plans) plan.Dispose();
            }
            // A shard reports what exists so far (its own runs and other shards' finished ones), not only its own.
            var (rows, missing) = sweep.Existing();
            var table = sweep.Report(rows, missing, part.Count > 1 ? part.Count : null);
            var finished = rows.Sum(r => r.Results.Count);
            var footer = part.Count > 1
                ? $"\nshard {part.Index}/{part.Count}: {ran} runs, wall time {clock.Elapsed.TotalMinutes:F1} min; {finished} of {sweep.Units.Count} runs of the sweep finished so far ('manifoldkit report' shows them again).\n"
                : $"\n{finished} runs, sweep wall time {clock.Elapsed.TotalMinutes:F1} min{(processes > 1 ? $" in {processes} processes" : "")} (runs finished earlier are read, not retrained).\n";
            Console.WriteLine();
            Console.Write(table + footer);
            AtomicFile.WriteAllText(Path.Combine(configs[0].Output, "summary.md"), table + footer);
            if (rows.Count > 0)
                using (var figure = Figures.Sweep($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(sweep.Path))}: test ELBO per seed", rows))
                    Figures.Save(figure, Path.Combine(configs[0].Output, "summary"), configs[0].PlotFormat, Figures.PerSeedWidth(rows.Count));
            if (parse.GetValue(report) is { } file) AtomicFile.WriteAllText(file, table + footer);
            return 0;
        })));
        return command;
    }

    /// <summary>
    /// One process per core: two 1-thread trainings side by side run at nearly twice one 2-thread training
    /// (docs/cluster.md). With <see cref="LibTorchThreads.Variable"/> set, as many processes of that many threads as fit.
    /// </summary>
    private static int DefaultJobs() =>
        Math.Max(1, Environment.ProcessorCount / (int.TryParse(Environment.GetEnvironmentVariable(LibTorchThreads.Variable), out var threads) && threads > 0 ? threads : 1));
}
