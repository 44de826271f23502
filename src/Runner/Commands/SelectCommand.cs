using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit select TASK [--latents LIST] [--config BASE] [key=value ...]</c>.</summary>
public static class SelectCommand
{
    /// <summary>The candidates the protocol names (docs/protocol.md): Euclidean with 1, 2 and 3 dimensions, S¹, S², SO(3).</summary>
    public const string DefaultLatents = "euclidean-1,euclidean-2,euclidean-3,circle,sphere,so3";

    /// <summary>The shared settings when none are given: <c>select.yaml</c> beside the executable (a copy of configs/select.yaml).</summary>
    public static string DefaultConfig => Path.Combine(AppContext.BaseDirectory, "select.yaml");

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "The data's manifold: circle, sphere, so3, or a plugin's." };
        var overrides = new Argument<string[]>("overrides") { Description = "Overrides for every candidate, e.g. seeds=[0,1] training.steps=2000.", Arity = ArgumentArity.ZeroOrMore };
        var latents = new Option<string>("--latents")
        {
            Description = "Comma-separated candidates: euclidean-N, or the name of a manifold (with its group action unless latent.group_action=false is given).",
            DefaultValueFactory = _ => DefaultLatents,
        };
        var baseConfig = new Option<string?>("--config") { Description = "YAML with the settings all candidates share (default: configs/select.yaml's copy beside the executable)." };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("select", "Choose the latent topology of a task by likelihood: train every candidate latent, rank by test IWAE.")
            { task, overrides, latents, baseConfig, pluginDirs };
        command.SetAction((parse, cancellation) => Task.FromResult(CommandLine.Guard(() =>
        {
            var taskName = parse.GetValue(task)!;
            var source = parse.GetValue(baseConfig) ?? DefaultConfig;
            var shared = parse.GetValue(overrides) ?? [];
            var baseLoaded = ConfigLoader.Load(source, [.. shared, $"task={taskName}"]);
            var catalog = CommandLine.Catalog(baseLoaded.PluginDirs.Concat(parse.GetValue(pluginDirs) ?? []));
            var output = Path.Combine(baseLoaded.Output, $"select-{taskName}");

            // Every candidate is the base config with its latent swapped in; all are checked before any trains.
            var candidates = Candidates(parse.GetValue(latents)!, catalog)
                .Select(c => (c.Name, c.Matches, Config: ConfigLoader.Load(source, [.. c.Defaults, .. shared, $"task={taskName}", $"output={output}", $"name={c.Name}", .. c.Identity])))
                .ToList();
            var plans = candidates.Select(candidate => RunExecutor.Resolve(candidate.Config, catalog)).ToList();
            var manifoldName = catalog.Create(taskName, new ManifoldSettings(baseLoaded.Spec.TaskSettings)).Name;
            Console.WriteLine($"select {taskName}: {candidates.Count} latents x {baseLoaded.Spec.Seeds.Count} seeds, noise_std {baseLoaded.Spec.NoiseStd}, into {output}");

            var clock = Stopwatch.StartNew();
            var trained = new List<Selection.Candidate>();
            try
            {
                foreach (var ((name, matches, config), plan) in candidates.Zip(plans))
                {
                    var results = config.Spec.Seeds.Select(seed =>
                        RunExecutor.Execute(config, plan, seed, RunExecutor.DefaultDirectory(config, seed), Console.Out, cancellation)).ToList();
                    trained.Add(new Selection.Candidate(name, matches(manifoldName), results));
                }
            }
            finally
            {
                foreach (var plan in plans) plan.Dispose();
            }
            var ranked = Selection.Rank(trained);
            var table = Selection.Markdown(taskName, ranked)
                        + $"\n{ranked.Sum(c => c.Results.Count)} runs, wall time {clock.Elapsed.TotalMinutes:F1} min (runs finished earlier are read, not retrained).\n";
            Console.WriteLine();
            Console.Write(table);
            AtomicFile.WriteAllText(Path.Combine(output, "ranking.md"), $"# Topology selection on `{taskName}`\n\n" + table);
            AtomicFile.WriteAllText(Path.Combine(output, "ranking.json"), JsonSerializer.Serialize(ranked, RunReport.JsonOptions));
            Console.WriteLine($"ranking written to {Path.Combine(output, "ranking.md")} and ranking.json");
            return 0;
        })));
        return command;
    }

    /// <summary>
    /// Parses the candidate list: each candidate's name, the overrides that make it what it is
    /// (applied last), its defaults (applied first, so that e.g. <c>latent.group_action=false</c> on the
    /// command line wins), and a test of whether it is the task's manifold.
    /// </summary>
    private static IEnumerable<(string Name, string[] Defaults, string[] Identity, Func<string, bool> Matches)> Candidates(string list, Plugins.IManifoldCatalog catalog)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ConfigException("--latents is empty; give e.g. --latents euclidean-2,circle.");
        if (names.Distinct().Count() != names.Length) throw new ConfigException($"--latents '{list}' names a latent twice.");
        foreach (var name in names)
        {
            if (name.StartsWith("euclidean-", StringComparison.Ordinal))
            {
                if (!int.TryParse(name["euclidean-".Length..], out var dim) || dim < 1)
                    throw new ConfigException($"--latents: '{name}' is not euclidean-N with N >= 1, e.g. euclidean-2.");
                yield return (name, [], ["latent.kind=euclidean", $"latent.dim={dim}", "latent.posterior=gaussian"], _ => false);
                continue;
            }
            IManifold manifold;
            try
            {
                manifold = catalog.Create(name, new ManifoldSettings(new Dictionary<string, string>()));
            }
            catch (ArgumentException error)
            {
                throw new ConfigException($"--latents: {error.Message}");
            }
            // With a symmetry the posterior family gets the manifold's symmetry too (the paper, section 3).
            yield return (name, [$"latent.group_action={(manifold.Symmetry is not null ? "true" : "false")}"], ["latent.kind=manifold", $"latent.manifold={name}"],
                task => task == manifold.Name);
        }
    }
}
