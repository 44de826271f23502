using System.Text.RegularExpressions;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Plugins;
using ManifoldKit.Runner.Reporting;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Commands;

/// <summary>Runs one seed of a config into its directory, as <c>run</c> and <c>sweep</c> both do.</summary>
public static class RunExecutor
{
    /// <summary>The resolved config written into every run directory.</summary>
    public const string ConfigFile = "config.yaml";

    /// <summary>Where a seed's run goes by default: <c>OUTPUT/NAME/seedN</c>.</summary>
    public static string DefaultDirectory(ExperimentConfig config, long seed) => Path.Combine(config.Output, config.Spec.Name, $"seed{seed}");

    /// <summary>Checks the names and files a config refers to against the catalog; errors point into the file.</summary>
    /// <exception cref="ConfigException">Something the config names does not exist or does not fit.</exception>
    public static void Validate(ExperimentConfig config, IManifoldCatalog catalog) => Resolve(config, catalog).Dispose();

    /// <summary>The config's plan: every name and file it refers to resolved once; errors point into the file.</summary>
    /// <exception cref="ConfigException">Something the config names does not exist or does not fit.</exception>
    public static ExperimentPlan Resolve(ExperimentConfig config, IManifoldCatalog catalog)
    {
        try
        {
            return ExperimentPlan.Resolve(config.Spec, catalog.Create, catalog.DataSourceFactories, catalog.PosteriorFamilyFactories);
        }
        catch (ExperimentException error)
        {
            throw config.Locate(error);
        }
    }

    /// <summary>The learned-f cache of a config's output folder.</summary>
    public static EmbeddingProvider Embeddings(ExperimentConfig config, Action<string>? log) =>
        new(Path.GetFullPath(Path.Combine(config.Output, "embeddings")), log);

    /// <summary>
    /// Trains (or resumes) and evaluates one seed of <paramref name="plan"/>, the config resolved once by
    /// <see cref="Resolve"/> for all its seeds; returns the result, or the stored one if the run had finished.
    /// </summary>
    public static ExperimentResult Execute(ExperimentConfig config, ExperimentPlan plan, long seed, string directory, TextWriter log, CancellationToken cancellation) =>
        ExecuteGroup(config, plan, [(seed, directory)], log, cancellation)[0];

    /// <summary>
    /// <see cref="Execute"/> for several seeds of one config, trained together as one stacked model
    /// (<see cref="SeedGroup"/>); a single seed trains alone, exactly as it always has. Seeds that had
    /// finished are read. Every seed's run directory ends as <see cref="Execute"/> leaves it; a seed that
    /// fails does not stop the others, and the first failure is thrown once they are done.
    /// </summary>
    public static IReadOnlyList<ExperimentResult> ExecuteGroup(ExperimentConfig config, ExperimentPlan plan, IReadOnlyList<(long Seed, string Directory)> seeds,
        TextWriter log, CancellationToken cancellation)
    {
        var results = new ExperimentResult?[seeds.Count];
        var errors = new Exception?[seeds.Count];
        var pending = new List<(int Index, Prepared Run)>();
        for (var i = 0; i < seeds.Count; i++)
        {
            var (seed, directory) = seeds[i];
            var resolved = CheckSameConfig(config, seed, directory, "choose another directory with --out, or delete it");
            if (RunReport.Read(directory) is { } finished)
            {
                log.WriteLine($"{directory} has finished already (delete it to train again).");
                results[i] = finished;
                continue;
            }
            pending.Add((i, Prepare(config, seed, directory, resolved, log)));
        }
        if (pending.Count > 0)
        {
            if (plan.Factors.Any(f => f.Manifold is not null && f.SavedEmbedding is null && f.Options.Embedding != EmbeddingSource.Exact))
                OutputCheck.Writable(Path.GetFullPath(Path.Combine(config.Output, "embeddings")), OutputCheck.MarginBytes);
            // A group prints one progress line a report (its first seed still training); every seed's result line follows.
            var printer = ProgressPrinter.ForConsole(pending.Count == 1
                ? pending[0].Run.Label
                : $"{config.Spec.Name} seeds {string.Join(",", pending.Select(p => seeds[p.Index].Seed))} as one model");
            var printed = -1;
            var progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Step <= printed) return;
                printed = p.Step;
                printer.Report(p);
            });
            var groupLog = pending.Count == 1 ? pending[0].Run.Log : message => log.WriteLine($"{config.Spec.Name}: {message}");
            var outcomes = TrainingRun.ExecuteGroup(plan,
                [.. pending.Select(p => new TrainingRun.GroupSeed(seeds[p.Index].Seed, seeds[p.Index].Directory, progress, p.Run.Log, p.Run.Board))],
                Embeddings(config, groupLog), cancellation, groupLog);
            for (var k = 0; k < pending.Count; k++)
            {
                var (index, run) = pending[k];
                try
                {
                    results[index] = Complete(config, run, outcomes[k], log);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    errors[index] = error;
                }
            }
        }
        // The first failure ends the command; the others are named here, so none goes unseen.
        var failed = errors.Select((e, i) => (Error: e, Seed: seeds[i].Seed)).Where(f => f.Error is not null).ToList();
        foreach (var (error, seed) in failed.Skip(1)) log.WriteLine($"{config.Spec.Name} seed {seed} failed too: {error!.Message}");
        if (failed.Count > 0) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed[0].Error!);
        return [.. results.Select(r => r!)];
    }

    /// <summary>A seed's directory made ready to train: checked, its config written, its TensorBoard writer.</summary>
    private sealed record Prepared(long Seed, string Directory, string Label, bool Created, TorchSharp.Modules.SummaryWriter BoardWriter, Action<string> Log)
    {
        // TensorBoard gets a report only once a checkpoint covers it: an event file cannot take back a step a resume redoes.
        public void Board(TrainingProgress p)
        {
            BoardWriter.add_scalar("train/elbo", (float)p.Elbo, p.Step);
            BoardWriter.add_scalar("train/log_likelihood", (float)p.LogLikelihood, p.Step);
            BoardWriter.add_scalar("train/kl", (float)p.Kl, p.Step);
        }
    }

    private static Prepared Prepare(ExperimentConfig config, long seed, string directory, string resolved, TextWriter log)
    {
        var created = !Directory.Exists(directory);
        // Before any WAE or training: a read-only or full folder fails now, naming itself (exit 3).
        OutputCheck.Writable(directory, OutputCheck.RequiredBytes(config.Spec));
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), resolved);
        var label = $"{config.Spec.Name} seed {seed}";
        var boardDirectory = Path.Combine(directory, "tensorboard");
        if (!Checkpoint.Exists(directory) && Directory.Exists(boardDirectory))
        {
            // Training starts over without a checkpoint: the old events would show its steps twice.
            Directory.Delete(boardDirectory, recursive: true);
            log.WriteLine($"{label}: {boardDirectory}: removed the events of an earlier start that left no checkpoint");
        }
        return new Prepared(seed, directory, label, created, utils.tensorboard.SummaryWriter(boardDirectory), message => log.WriteLine($"{label}: {message}"));
    }

    /// <summary>A trained seed's plots, report and result line; its error, located in the config, when it has none.</summary>
    private static ExperimentResult Complete(ExperimentConfig config, Prepared prepared, TrainingRun.GroupOutcome outcome, TextWriter log)
    {
        var (directory, label) = (prepared.Directory, prepared.Label);
        if (outcome.Error is { } error)
        {
            if (error is ExperimentException or ConfigException)
            {
                // Refused before training (e.g. a learned f failing its checks): leave no directory behind
                // that this call made, so the same command with the suggested fix can use it.
                if (prepared.Created && !Checkpoint.Exists(directory)) Directory.Delete(directory, recursive: true);
                if (error is ExperimentException experiment) throw config.Locate(experiment);
            }
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        var result = outcome.Result!;
        using (var run = outcome.Run!)
        {
            // A finite test set larger than evaluation.test_size is evaluated in part: say so, with the key that takes it all.
            if (run.Task.TestSize is { } available && available > config.Spec.Evaluation.TestSize)
                log.WriteLine($"{label}: evaluated on the first {config.Spec.Evaluation.TestSize} of {available} test points; evaluation.test_size: {available} evaluates them all");
            RunPlots.Latent(directory, label, run.Model, run.Task, config.PlotFormat);
            RunPlots.Images(directory, run.Model, run.Task);
            RunReport.Write(directory, config.Spec, run.Latent, result);
        }
        RunPlots.Training(directory, label, config.Spec.Training, config.PlotFormat);
        prepared.BoardWriter.add_scalar("test/elbo", (float)result.Elbo, result.Steps);
        prepared.BoardWriter.add_scalar("test/iwae", (float)result.Iwae, result.Steps);
        log.WriteLine($"{label}: test ELBO {result.Elbo:F2}, IWAE(k={result.IwaeSamples}) {result.Iwae:F2}, KL {result.Kl:F3}{(result.Collapsed ? " (collapsed)" : "")}{(result.AngleRecovery is { } r ? $", angle recovery {r:F3}" : "")}, " +
                      $"{result.TrainSeconds:F1} s ({result.StepsPerSecond:F0} steps/s) -> {directory}");
        return result;
    }

    /// <summary>
    /// The resolved config of one seed, after checking that <paramref name="directory"/> holds no run of
    /// another: finishing, resuming or reporting it would mix two experiments.
    /// </summary>
    /// <param name="config">The config.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="directory">The run directory, which may not exist yet.</param>
    /// <param name="fix">What the user should do if it holds another config's run.</param>
    /// <exception cref="ConfigException">The directory's config.yaml is another config's.</exception>
    public static string CheckSameConfig(ExperimentConfig config, long seed, string directory, string fix)
    {
        var resolved = ConfigWriter.ToYaml(config with { Spec = config.Spec with { Seeds = [seed] } });
        var existing = Path.Combine(directory, ConfigFile);
        if (File.Exists(existing) && Comparable(File.ReadAllText(existing)) != Comparable(resolved))
            throw new ConfigException($"{directory} holds a run of a different config ({existing}); {fix}.");
        return resolved;
    }

    /// <summary>
    /// A resolved config as <see cref="Execute"/> compares it: the first line (the source file) dropped,
    /// and run folders written by earlier versions read as what they meant: centre_action_head before
    /// action_head_init replaced it, and no initial_posterior_std (as drawn) before 0.05 became its default.
    /// </summary>
    public static string Comparable(string yaml) => LegacyDrawnStart.Replace(yaml[(yaml.IndexOf('\n') + 1)..]
        .Replace("\n  centre_action_head: false\n", "\n  action_head_init: drawn\n")
        .Replace("\n  centre_action_head: true\n", "\n  action_head_init: centred\n"), "$1  initial_posterior_std: null\n");

    private static readonly Regex LegacyDrawnStart = new(@"(\n  action_head_init: \w+\n)(?!  initial_posterior_std:)", RegexOptions.Compiled);

    /// <summary>
    /// The resolved config of the run folder <paramref name="directory"/>, read as it was meant: one
    /// written before initial_posterior_std defaulted to 0.05 has no such line and used the drawn head.
    /// </summary>
    /// <exception cref="ConfigException">The folder has no config.yaml, or it is not a valid config.</exception>
    public static ExperimentConfig LoadRun(string directory, IEnumerable<string>? overrides = null)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) throw new ConfigException($"{directory} is a directory without {ConfigFile}; give a config file or a run directory made by 'manifoldkit run'.");
        string[] legacy = LegacyDrawnStart.IsMatch(File.ReadAllText(path)) ? ["architecture.initial_posterior_std=null"] : [];
        return ConfigLoader.Load(path, [.. legacy, .. overrides ?? []]);
    }

    /// <summary>
    /// The model of <paramref name="run"/> as its last checkpoint holds it, with the config and plan it was
    /// built from (the caller disposes both): the learned f the run recorded in result.json, as eval finds it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has no checkpoint.</exception>
    public static (ExperimentConfig Config, ExperimentPlan Plan, TrainingRun Run) Restore(string run, IEnumerable<string> pluginDirs)
    {
        var config = LoadRun(run);
        var embeddingPath = RunReport.Read(run)?.EmbeddingPath;
        // A product's factors each have their own f and the result records one: they come from the cache (or their saved files) again.
        if (embeddingPath is not null && config.Spec.Latent.Factors.Count == 0)
            config = config with { Spec = config.Spec with { Latent = config.Spec.Latent with { Embedding = EmbeddingSource.Saved(embeddingPath) } } };
        var plan = RunExecutor.Resolve(config, CommandLine.Catalog(config.PluginDirs.Concat(pluginDirs)));
        try
        {
            return (config, plan, TrainingRun.Restore(plan, config.Spec.Seeds[0], run, Embeddings(config, null)));
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }
}
