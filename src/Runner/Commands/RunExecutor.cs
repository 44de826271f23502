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
            return ExperimentPlan.Resolve(config.Spec, catalog.Create, catalog.DataSourceFactories);
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
    public static ExperimentResult Execute(ExperimentConfig config, ExperimentPlan plan, long seed, string directory, TextWriter log, CancellationToken cancellation)
    {
        var resolved = ConfigWriter.ToYaml(config with { Spec = config.Spec with { Seeds = [seed] } });
        var existing = Path.Combine(directory, ConfigFile);
        // Finishing or resuming a run with another config would mix two experiments in one directory.
        if (File.Exists(existing) && Comparable(File.ReadAllText(existing)) != Comparable(resolved))
            throw new ConfigException($"{directory} holds a run of a different config ({existing}); choose another directory with --out, or delete it.");
        if (RunReport.Read(directory) is { } finished)
        {
            log.WriteLine($"{directory} has finished already (delete it to train again).");
            return finished;
        }
        var created = !Directory.Exists(directory);
        // Before any WAE or training: a read-only or full folder fails now, naming itself (exit 3).
        var required = OutputCheck.RequiredBytes(config.Spec);
        OutputCheck.Writable(directory, required);
        AtomicFile.WriteAllText(existing, resolved);
        var label = $"{config.Spec.Name} seed {seed}";
        var boardDirectory = Path.Combine(directory, "tensorboard");
        if (!Checkpoint.Exists(directory) && Directory.Exists(boardDirectory))
        {
            // Training starts over without a checkpoint: the old events would show its steps twice.
            Directory.Delete(boardDirectory, recursive: true);
            log.WriteLine($"{label}: {boardDirectory}: removed the events of an earlier start that left no checkpoint");
        }
        var board = utils.tensorboard.SummaryWriter(boardDirectory);
        var printer = ProgressPrinter.ForConsole(label);
        // TensorBoard gets a report only once a checkpoint covers it: an event file cannot take back a step a resume redoes.
        void Board(TrainingProgress p)
        {
            board.add_scalar("train/elbo", (float)p.Elbo, p.Step);
            board.add_scalar("train/log_likelihood", (float)p.LogLikelihood, p.Step);
            board.add_scalar("train/kl", (float)p.Kl, p.Step);
        }
        ExperimentResult result;
        try
        {
            if (plan.Factors.Any(f => f.Manifold is not null && f.SavedEmbedding is null && f.Options.Embedding != EmbeddingSource.Exact))
                OutputCheck.Writable(Path.GetFullPath(Path.Combine(config.Output, "embeddings")), OutputCheck.MarginBytes);
            var (run, outcome) = TrainingRun.Execute(plan, seed, directory, Embeddings(config, message => log.WriteLine($"{label}: {message}")),
                new SynchronousProgress<TrainingProgress>(printer.Report), message => log.WriteLine($"{label}: {message}"), cancellation, Board);
            using (run)
            {
                RunPlots.Latent(directory, label, run.Model, run.Task, config.PlotFormat);
                RunPlots.Images(directory, run.Model, run.Task);
                RunReport.Write(directory, config.Spec, run.Latent, outcome);
            }
            result = outcome;
        }
        catch (Exception error) when (error is ExperimentException or ConfigException)
        {
            // Refused before training (e.g. a learned f failing its checks): leave no directory behind
            // that this call made, so the same command with the suggested fix can use it.
            if (created && !Checkpoint.Exists(directory)) Directory.Delete(directory, recursive: true);
            throw error is ExperimentException experiment ? config.Locate(experiment) : error;
        }
        RunPlots.Training(directory, label, config.Spec.Training, config.PlotFormat);
        board.add_scalar("test/elbo", (float)result.Elbo, result.Steps);
        board.add_scalar("test/iwae", (float)result.Iwae, result.Steps);
        log.WriteLine($"{label}: test ELBO {result.Elbo:F2}, IWAE(k={result.IwaeSamples}) {result.Iwae:F2}, KL {result.Kl:F3}{(result.Collapsed ? " (collapsed)" : "")}{(result.AngleRecovery is { } r ? $", angle recovery {r:F3}" : "")}, " +
                      $"{result.TrainSeconds:F1} s ({result.StepsPerSecond:F0} steps/s) -> {directory}");
        return result;
    }

    // The first line names the source file; runs written before action_head_init replaced
    // centre_action_head are still the same experiments.
    private static string Comparable(string yaml) => yaml[(yaml.IndexOf('\n') + 1)..]
        .Replace("\n  centre_action_head: false\n", "\n  action_head_init: drawn\n")
        .Replace("\n  centre_action_head: true\n", "\n  action_head_init: centred\n");

}
