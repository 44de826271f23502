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
        var task = new Argument<string>("task") { Description = "The data: a toy task's manifold (circle, sphere, so3, or a plugin's), or a data source (fashion-mnist, files, or a plugin's) whose settings --config gives." };
        var overrides = new Argument<string[]>("overrides") { Description = "Overrides for every candidate, e.g. seeds=[0,1] training.steps=2000.", Arity = ArgumentArity.ZeroOrMore };
        var latents = new Option<string>("--latents")
        {
            Description = "Comma-separated candidates: euclidean-N, the name of a manifold (with its group action unless latent.group_action=false is given), " +
                          "or a product of these joined by '+', e.g. circle+euclidean-8 (its manifold factors take latent.embedding and latent.posterior, and their group action when they have one).",
            DefaultValueFactory = _ => DefaultLatents,
        };
        var baseConfig = new Option<string?>("--config") { Description = "YAML with the settings all candidates share (default: configs/select.yaml's copy beside the executable)." };
        var group = new Option<int?>("--group")
        {
            Description = "Seeds of a candidate trained together as one stacked model, at most this many at a time. Default: all of them; 1 trains them one by one.",
        };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("select", "Choose the latent topology of a task or data set by likelihood: train every candidate latent, rank by test IWAE.")
            { task, overrides, latents, baseConfig, group, pluginDirs };
        command.SetAction((parse, cancellation) => Task.FromResult(CommandLine.Guard(() =>
        {
            if (parse.GetValue(group) is < 1 and var size)
                throw new ConfigException($"--group {size}: give the most seeds to train as one model, 1 or more (1 trains them one by one).");
            var taskName = parse.GetValue(task)!;
            var source = parse.GetValue(baseConfig) ?? DefaultConfig;
            var shared = parse.GetValue(overrides) ?? [];
            var probe = ConfigLoader.Load(source, shared);
            var catalog = CommandLine.Catalog(probe.PluginDirs.Concat(parse.GetValue(pluginDirs) ?? []));
            // A data source's name selects that data (its settings from the config); any other name is a toy task's manifold.
            var isData = taskName != Data.DataSources.Toy && (Data.DataSources.Names.Contains(taskName) || catalog.DataSourceFactories.ContainsKey(taskName));
            string[] what = isData ? [$"data.source={taskName}"] : [$"task={taskName}"];
            var baseLoaded = ConfigLoader.Load(source, [.. shared, .. what]);
            var output = Path.Combine(baseLoaded.Output, isData ? $"select-{baseLoaded.Spec.Name}" : $"select-{taskName}");

            // Every candidate is the base config with its latent swapped in; all are checked before any trains.
            var candidates = Candidates(parse.GetValue(latents)!, catalog, baseLoaded.Spec.Latent)
                .Select(c => (c.Name, c.Matches, Config: WithLatent(ConfigLoader.Load(source, [.. c.Defaults, .. shared, .. what, $"output={output}", $"name={c.Name}", .. c.Identity]), c.Latent)))
                .ToList();
            var plans = candidates.Select(candidate => RunExecutor.Resolve(candidate.Config, catalog)).ToList();
            var manifoldName = isData ? null : catalog.Create(taskName, new ManifoldSettings(baseLoaded.Spec.TaskSettings)).Name;
            var label = isData ? $"{taskName} ({baseLoaded.Spec.Name})" : taskName;
            Console.WriteLine(isData
                ? $"select {label}: {candidates.Count} latents x {baseLoaded.Spec.Seeds.Count} seeds, into {output}"
                : $"select {taskName}: {candidates.Count} latents x {baseLoaded.Spec.Seeds.Count} seeds, noise_std {baseLoaded.Spec.NoiseStd}, into {output}");

            var clock = Stopwatch.StartNew();
            var trained = new List<Selection.Candidate>();
            try
            {
                foreach (var ((name, matches, config), plan) in candidates.Zip(plans))
                {
                    // A candidate's seeds (and their starts) train together as one stacked model, --group at a time.
                    var results = config.Spec.Seeds.Chunk(parse.GetValue(group) ?? int.MaxValue)
                        .SelectMany(seeds => RunExecutor.ExecuteGroup(config, plan, [.. seeds.Select(seed => (seed, RunExecutor.DefaultDirectory(config, seed)))], Console.Out, cancellation))
                        .ToList();
                    trained.Add(new Selection.Candidate(name, manifoldName is not null && matches(manifoldName), results));
                }
            }
            finally
            {
                foreach (var plan in plans) plan.Dispose();
            }
            var ranked = Selection.Rank(trained);
            var table = Selection.Markdown(label, ranked, knownTopology: !isData)
                        + $"\n{ranked.Sum(c => c.Results.Count)} runs, wall time {clock.Elapsed.TotalMinutes:F1} min (runs finished earlier are read, not retrained).\n";
            Console.WriteLine();
            Console.Write(table);
            AtomicFile.WriteAllText(Path.Combine(output, "ranking.md"), $"# Topology selection on `{label}`\n\n" + table);
            AtomicFile.WriteAllText(Path.Combine(output, "ranking.json"), JsonSerializer.Serialize(ranked, RunReport.JsonOptions));
            using (var figure = Figures.Selection($"{label}: test IWAE per seed", ranked))
                Figures.Save(figure, Path.Combine(output, "ranking"), baseLoaded.PlotFormat, Figures.PerSeedWidth(ranked.Count));
            Console.WriteLine($"ranking written to {Path.Combine(output, "ranking.md")}, ranking.json and the figure ranking.{Extension(baseLoaded.PlotFormat)}");
            return 0;
        })));
        return command;
    }

    private static string Extension(PlotFormat format) => format == PlotFormat.Svg ? "svg" : "png";

    /// <summary>
    /// Parses the candidate list: each candidate's name, the overrides that make it what it is
    /// (applied last), its defaults (applied first, so that e.g. <c>latent.group_action=false</c> on the
    /// command line wins), and a test of whether it is the task's manifold. A product (<c>circle+euclidean-8</c>)
    /// becomes <c>latent.factors</c>, its manifold factors taking the shared embedding and posterior of <paramref name="shared"/>.
    /// </summary>
    private static IEnumerable<(string Name, string[] Defaults, string[] Identity, Func<ExperimentSpec, ExperimentSpec> Latent, Func<string, bool> Matches)> Candidates(string list, Plugins.IManifoldCatalog catalog, LatentOptions shared)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ConfigException("--latents is empty; give e.g. --latents euclidean-2,circle.");
        if (names.Distinct().Count() != names.Length) throw new ConfigException($"--latents '{list}' names a latent twice.");
        foreach (var name in names)
        {
            var parts = name.Split('+', StringSplitOptions.TrimEntries);
            if (parts.Length == 1)
            {
                var (_, defaults, identity, matches) = Single(name, catalog);
                yield return (name, defaults, identity, spec => spec, matches);
                continue;
            }
            // A product: its factors replace the latent section, manifold factors taking its embedding and posterior.
            LatentOptions[] factors = [.. parts.Select(part => Single(part, catalog).Kind switch
            {
                Factor.Euclidean(var dim) => new LatentOptions { Kind = LatentKind.Euclidean, Dim = dim, Posterior = "gaussian" },
                Factor.Manifold(var manifold, var action) => new LatentOptions
                    { Kind = LatentKind.Manifold, Manifold = manifold, Embedding = shared.Embedding, GroupAction = action, Posterior = shared.Posterior },
                _ => throw new InvalidOperationException(),
            })];
            yield return (name, [], [], spec => spec with { Latent = new LatentOptions { Factors = factors } }, _ => false);
        }
    }

    // A product candidate's factors go in after loading (the shared single-latent keys would clash with them as overrides), then are checked like a loaded spec.
    private static ExperimentConfig WithLatent(ExperimentConfig config, Func<ExperimentSpec, ExperimentSpec> latent)
    {
        var changed = config with { Spec = latent(config.Spec) };
        if (ReferenceEquals(changed.Spec.Latent, config.Spec.Latent)) return config;
        try
        {
            changed.Spec.Validate();
        }
        catch (ExperimentException error)
        {
            throw config.Locate(error);
        }
        return changed;
    }

    private abstract record Factor
    {
        public sealed record Euclidean(int Dim) : Factor;
        public sealed record Manifold(string Name, bool Action) : Factor;
    }

    private static (Factor Kind, string[] Defaults, string[] Identity, Func<string, bool> Matches) Single(string name, Plugins.IManifoldCatalog catalog)
    {
        if (name.StartsWith("euclidean-", StringComparison.Ordinal))
        {
            if (!int.TryParse(name["euclidean-".Length..], out var dim) || dim < 1)
                throw new ConfigException($"--latents: '{name}' is not euclidean-N with N >= 1, e.g. euclidean-2.");
            return (new Factor.Euclidean(dim), [], ["latent.kind=euclidean", $"latent.dim={dim}", "latent.posterior=gaussian"], _ => false);
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
        var action = manifold.Symmetry is not null;
        return (new Factor.Manifold(name, action), [$"latent.group_action={(action ? "true" : "false")}"], ["latent.kind=manifold", $"latent.manifold={name}"],
            task => task == manifold.Name);
    }
}
