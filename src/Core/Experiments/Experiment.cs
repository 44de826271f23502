using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Evaluation;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Experiments;

/// <summary>
/// Trains and evaluates one model of an <see cref="ExperimentSpec"/> for one seed, in its own
/// directory: <c>metrics.csv</c> (per report), <c>checkpoint/</c>, and at the end
/// <c>result.json</c> and <c>summary.md</c>, each written atomically; <c>result.json</c> exists only
/// for a finished run. A directory with a checkpoint and no result resumes.
/// </summary>
public static class Experiment
{
    /// <summary>Steps between checkpoints when the spec asks for none: a run must always be resumable.</summary>
    public const int DefaultCheckpointEvery = 1000;

    /// <summary>Builds a manifold from its registry name and settings.</summary>
    public delegate IManifold Resolver(string name, ManifoldSettings settings);

    /// <summary>Runs (or resumes) the experiment for <paramref name="seed"/> in <paramref name="runDirectory"/>.</summary>
    /// <param name="spec">The experiment.</param>
    /// <param name="seed">Training seed.</param>
    /// <param name="runDirectory">Where outputs go; created if missing.</param>
    /// <param name="resolve">The manifold catalogue.</param>
    /// <param name="embeddingCache">Where learned embeddings are kept for reuse across runs.</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="log">One-line messages (embedding learned or reused, resume).</param>
    /// <param name="cancellation">Stops training after the current step; a checkpoint is saved.</param>
    /// <param name="trained">Called with the trained model and its task before they are disposed (plots).</param>
    /// <exception cref="ExperimentException">The spec names something that does not fit (key given).</exception>
    public static ExperimentResult Run(ExperimentSpec spec, long seed, string runDirectory, Resolver resolve, string embeddingCache,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default,
        Action<VariationalAutoencoder, ToyTask>? trained = null)
    {
        Directory.CreateDirectory(runDirectory);
        var taskManifold = Resolve(resolve, "task", spec.Task, spec.TaskSettings);
        using var task = new ToyTask(taskManifold, spec.DataSeed, spec.NoiseStd, spec.Architecture.ObservedDim);
        var (latent, embeddingPath, quality) = BuildLatent(spec, seed, resolve, embeddingCache, log);
        var options = spec.Training with { Seed = seed, CheckpointEvery = spec.Training.CheckpointEvery > 0 ? spec.Training.CheckpointEvery : DefaultCheckpointEvery };
        using var trainer = new Trainer(() => new VariationalAutoencoder(latent, spec.Architecture), task, options);

        var metrics = new MetricsFile(Path.Combine(runDirectory, "metrics.csv"));
        if (Checkpoint.Exists(runDirectory))
        {
            var step = Checkpoint.Load(runDirectory, trainer);
            metrics.TruncateAfter(step);
            log?.Invoke($"resuming {runDirectory} from step {step}");
        }
        var clock = Stopwatch.StartNew();
        trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
        {
            metrics.Append(p);
            if (p.Step % options.CheckpointEvery == 0) metrics.Flush();   // the checkpoint follows this report
            progress?.Report(p);
        }), runDirectory, cancellation, log);
        clock.Stop();
        Checkpoint.Save(runDirectory, trainer);
        metrics.Flush();
        if (trainer.Step < options.Steps) throw new OperationCanceledException($"stopped at step {trainer.Step}; run again to resume from the checkpoint in {runDirectory}.");

        var (elbo, iwae, kl) = Evaluate(trainer.Model, task, spec.Evaluation, seed);
        trained?.Invoke(trainer.Model, task);
        var result = new ExperimentResult
        {
            Name = spec.Name,
            Seed = seed,
            Elbo = elbo,
            Iwae = iwae,
            IwaeSamples = spec.Evaluation.IwaeSamples,
            Kl = kl,
            Collapsed = kl < spec.Evaluation.CollapseKl,
            Steps = trainer.Step,
            TrainSeconds = clock.Elapsed.TotalSeconds,
            StepsPerSecond = trainer.StepsRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
            Restart = trainer.Restart,
            EmbeddingPath = embeddingPath,
            EmbeddingQuality = quality,
        };
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "result.json"), JsonSerializer.Serialize(result, JsonOptions));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "summary.md"), Summary(spec, latent, result));
        return result;
    }

    /// <summary>Test ELBO, IWAE and mean KL of a model on the task's test set.</summary>
    public static (double Elbo, double Iwae, double Kl) Evaluate(VariationalAutoencoder model, ToyTask task, EvaluationOptions evaluation, long seed)
    {
        using var scope = NewDisposeScope();
        var (test, _) = task.TestSet(evaluation.TestSize);
        var kl = Evaluator.PerPoint(model, test, 1, seed, 500, terms => terms.Kl, densities: false).mean().item<double>();
        return (Evaluator.Elbo(model, test, evaluation.ElboSamples, seed), Evaluator.Iwae(model, test, evaluation.IwaeSamples, seed), kl);
    }

    /// <summary>
    /// Rebuilds the model of a run directory from its last checkpoint (with the learned embedding the
    /// run used, when <paramref name="embeddingPath"/> is given) and evaluates it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has no checkpoint.</exception>
    public static (double Elbo, double Iwae, double Kl, int Step) Reevaluate(ExperimentSpec spec, long seed, string runDirectory, Resolver resolve,
        string embeddingCache, string? embeddingPath, EvaluationOptions evaluation, Action<VariationalAutoencoder, ToyTask>? trained = null)
    {
        if (embeddingPath is not null) spec = spec with { Latent = spec.Latent with { Embedding = embeddingPath } };
        var taskManifold = Resolve(resolve, "task", spec.Task, spec.TaskSettings);
        using var task = new ToyTask(taskManifold, spec.DataSeed, spec.NoiseStd, spec.Architecture.ObservedDim);
        var (latent, _, _) = BuildLatent(spec, seed, resolve, embeddingCache);
        using var trainer = new Trainer(() => new VariationalAutoencoder(latent, spec.Architecture), task, spec.Training with { Seed = seed });
        var step = Checkpoint.Load(runDirectory, trainer);
        var (elbo, iwae, kl) = Evaluate(trainer.Model, task, evaluation, seed);
        trained?.Invoke(trainer.Model, task);
        return (elbo, iwae, kl, step);
    }

    /// <summary>Reads a finished run's result, or null when the run has not finished.</summary>
    public static ExperimentResult? ReadResult(string runDirectory)
    {
        var path = Path.Combine(runDirectory, "result.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(path), JsonOptions) : null;
    }

    /// <summary>JSON settings for results: indented, camel-case.</summary>
    /// <remarks>NaN is written as "NaN": a metric of an embedding allowed through its checks may be one.</remarks>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Checks everything the spec names (task and latent manifolds, posterior, group action, exact
    /// embedding, saved embedding file) without training anything, so a sweep fails before it starts.
    /// </summary>
    /// <exception cref="ExperimentException">Something does not fit; the key is given.</exception>
    public static void Validate(ExperimentSpec spec, Resolver resolve)
    {
        Resolve(resolve, "task", spec.Task, spec.TaskSettings);
        Check(spec, resolve);
    }

    /// <summary>Where the quality of the embedding saved at <paramref name="embeddingPath"/> is kept.</summary>
    public static string QualityPath(string embeddingPath) => embeddingPath + ".quality.json";

    /// <summary>
    /// The quality of a learned embedding, measured once and kept beside it (<see cref="QualityPath"/>),
    /// with the WAE's encoder as the inverse for the reconstruction error.
    /// </summary>
    public static EmbeddingQuality QualityOf(LearnedEmbedding f, IManifold manifold, string path)
    {
        var file = QualityPath(path);
        if (File.Exists(file))
        {
            try
            {
                return EmbeddingQuality.FromJson(File.ReadAllText(file));
            }
            catch (JsonException)
            {
                // Unreadable (an interrupted write of an older version): measure again below.
            }
        }
        var quality = EmbeddingQuality.Measure(f, manifold, f.Encode);
        AtomicFile.WriteAllText(file, quality.ToJson());
        return quality;
    }

    /// <summary>
    /// The latent space of the spec, learning or loading f as asked, with the path and quality of a
    /// learned f; a learned f must pass <see cref="ExperimentSpec.EmbeddingChecks"/>.
    /// </summary>
    /// <exception cref="ExperimentException">Something does not fit, or the learned f fails a check (key <c>embedding_checks</c>).</exception>
    public static (LatentSpace Latent, string? EmbeddingPath, EmbeddingQuality? Quality) BuildLatent(ExperimentSpec spec, long seed, Resolver resolve, string embeddingCache, Action<string>? log = null)
    {
        var options = spec.Latent;
        var (posterior, manifold, action) = Check(spec, resolve);
        if (manifold is null) return (LatentSpace.Euclidean(options.Dim, posterior), null, null);

        string? path = null;
        IEmbedding embedding;
        switch (options.Embedding)
        {
            case "exact":
                embedding = manifold.ExactEmbedding!;
                break;
            case "learned":
                path = Path.Combine(embeddingCache, $"{CacheKey(manifold, options, spec.Wae)}-seed{seed}.bin");
                embedding = Cached(path, log) ?? Learn(manifold, spec.Wae with { Seed = seed }, path, log);
                break;
            default:
                path = options.Embedding;
                embedding = LoadSaved(path, manifold);
                break;
        }
        var quality = embedding is LearnedEmbedding learned ? QualityOf(learned, manifold, path!) : null;
        if (quality is not null) Check(quality, path!, spec.EmbeddingChecks, log);
        return (LatentSpace.Manifold(manifold.Name, embedding, action, posterior), path, quality);
    }

    private static LearnedEmbedding? Cached(string path, Action<string>? log)
    {
        if (!File.Exists(path) || !File.Exists(path + ".json")) return null;
        try
        {
            var cached = LearnedEmbedding.Load(path);
            log?.Invoke($"reusing learned embedding {path}");
            return cached;
        }
        catch (InvalidDataException error)
        {
            // A cache entry, not a user's file: an older format is learned again rather than refused.
            log?.Invoke($"not reusing {path}: {error.Message.Split(';')[0]}");
            File.Delete(QualityPath(path));
            return null;
        }
    }

    private static LearnedEmbedding Learn(IManifold manifold, WaeOptions options, string path, Action<string>? log)
    {
        var attempts = options.Restarts > 1 ? $", best of {options.Restarts}" : "";
        log?.Invoke($"learning a WAE-MMD embedding of {manifold.Name} ({options.Steps} steps, seed {options.Seed}{attempts}) into {path}");
        var learned = WaeMmdTrainer.Train(manifold, options, log: log);
        learned.SaveTo(path);
        return learned;
    }

    /// <summary>Reports a learned f's quality in one line and stops on a failed check unless the config allows it.</summary>
    private static void Check(EmbeddingQuality quality, string path, EmbeddingChecks checks, Action<string>? log)
    {
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"embedding quality: distance from {quality.Manifold} mean {quality.DistanceMean:G3} (max {quality.DistanceMax:G3}), reconstruction {quality.ReconstructionError:G3}, " +
            $"pair ratio {quality.MinPairRatio:G3}, uniformity p {quality.UniformityPValue:G3}, volume element {quality.VolumeElementMean:G4} (cv {quality.VolumeElementCv:G3}), " +
            $"coverage {quality.Coverage:G3}; all figures in {QualityPath(path)}"));
        var failures = checks.Failures(quality);
        if (failures.Count == 0) return;
        if (checks.AllowFailures)
        {
            foreach (var failure in failures) log?.Invoke($"warning: {path} fails a check, allowed by embedding_checks.allow_failures: {failure}");
            return;
        }
        throw new ExperimentException("embedding_checks",
            $"the learned embedding {path} fails {(failures.Count == 1 ? "a check" : $"{failures.Count} checks")}: {string.Join("; ", failures)}. " +
            "Learn a better f (e.g. more wae.steps), loosen the threshold, or set embedding_checks.allow_failures: true to train with it anyway.");
    }

    /// <summary>The posterior and, for a manifold latent, the manifold and its action, or the first misfit.</summary>
    private static (IPosteriorFamily Posterior, IManifold? Manifold, IGroupAction? Action) Check(ExperimentSpec spec, Resolver resolve)
    {
        var options = spec.Latent;
        var posterior = Posterior(options);
        if (spec.Training.DecaySteps is not null && spec.Training.FinalLearningRate is null)
            throw new ExperimentException("training.decay_steps",
                "training.decay_steps says how many final steps the learning rate decays over, but there is no training.final_learning_rate to decay to; set one (e.g. 1.0e-5) or remove decay_steps.");
        if (spec.Architecture.InitialPosteriorStd is { } std)
        {
            try
            {
                posterior.RawForStd(std);
            }
            catch (ArgumentOutOfRangeException error)
            {
                throw new ExperimentException("architecture.initial_posterior_std",
                    string.Create(CultureInfo.InvariantCulture, $"architecture.initial_posterior_std is {std} for the {posterior.Name} posterior: {error.Message.Split(Environment.NewLine)[0].Split(" (Parameter")[0]}."));
            }
        }
        if (posterior is CentredBetaFamily && (options.Kind != "manifold" || !options.GroupAction))
            throw new ExperimentException("latent.posterior",
                "latent.posterior is beta_centred, which centres every posterior on the cube's middle, so only a group action can place it; " +
                "use it with latent.kind: manifold and latent.group_action: true, or choose beta_log.");
        if (options.Kind == "euclidean")
        {
            if (options.Dim < 1) throw new ExperimentException("latent.dim", $"latent.dim is {options.Dim}; a Euclidean latent needs dim >= 1.");
            return (posterior, null, null);
        }
        if (options.Kind != "manifold")
            throw new ExperimentException("latent.kind", $"latent.kind is '{options.Kind}'; expected euclidean or manifold.");
        var manifold = Resolve(resolve, "latent.manifold", options.Manifold, options.ManifoldSettings);
        IGroupAction? action = null;
        if (options.GroupAction)
            action = manifold.Symmetry ?? throw new ExperimentException("latent.group_action",
                $"manifold '{manifold.Name}' offers no group action; set latent.group_action: false.");
        if (options.Embedding == "exact" && manifold.ExactEmbedding is null)
            throw new ExperimentException("latent.embedding", $"manifold '{manifold.Name}' offers no exact embedding; use latent.embedding: learned.");
        if (options.Embedding is not ("exact" or "learned"))
        {
            if (!File.Exists(options.Embedding))
                throw new ExperimentException("latent.embedding",
                    $"latent.embedding is '{options.Embedding}', which is neither exact, learned, nor an existing file; make one with 'manifoldkit embed {manifold.Name}'.");
            LoadSaved(options.Embedding, manifold).Dispose();
        }
        return (posterior, manifold, action);
    }

    /// <summary>A saved embedding, checked to fit the manifold's dimensions.</summary>
    private static LearnedEmbedding LoadSaved(string path, IManifold manifold)
    {
        try
        {
            return LearnedEmbedding.LoadFor(path, manifold);
        }
        catch (ArgumentException error)
        {
            throw new ExperimentException("latent.embedding", error.Message);
        }
    }

    private static IPosteriorFamily Posterior(LatentOptions options) => (options.Posterior ?? (options.Kind == "euclidean" ? "gaussian" : "beta")) switch
    {
        "gaussian" => new GaussianFamily(),
        "beta" => new BetaFamily(),
        "beta_log" => new BetaFamily(logScale: true),
        "beta_centred" => new CentredBetaFamily(),
        var other => throw new ExperimentException("latent.posterior", $"latent.posterior is '{other}'; expected gaussian, beta, beta_log or beta_centred."),
    };

    private static IManifold Resolve(Resolver resolve, string key, string name, IReadOnlyDictionary<string, string> settings)
    {
        try
        {
            return resolve(name, new ManifoldSettings(settings));
        }
        catch (ArgumentException error)
        {
            throw new ExperimentException(key, error.Message);
        }
    }

    private static string CacheKey(IManifold manifold, LatentOptions options, WaeOptions wae)
    {
        var settings = string.Concat(options.ManifoldSettings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"-{p.Key}{p.Value}"));
        // Settings left at their defaults stay out of the name, so caches learned before they existed still match.
        var defaults = new WaeOptions();
        var rate = wae.LearningRate == defaults.LearningRate ? "" : $"-lr{wae.LearningRate}";
        var width = wae.Width == defaults.Width ? "" : $"-width{wae.Width}";
        var restarts = wae.Restarts > 1 ? $"-best{wae.Restarts}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{manifold.Name}{settings}-wae{wae.Steps}x{wae.BatchSize}-lambda{wae.Lambda}{rate}{width}{restarts}");
    }

    private static string Summary(ExperimentSpec spec, LatentSpace latent, ExperimentResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {spec.Name}, seed {result.Seed}");
        text.AppendLine();
        text.AppendLine($"Task `{spec.Task}` (noise {spec.NoiseStd}), latent `{latent.Name}`, {result.Steps} steps at batch {spec.Training.BatchSize}.");
        text.AppendLine();
        text.AppendLine("| metric | value |");
        text.AppendLine("|---|---|");
        text.AppendLine($"| test ELBO (nats/point, {spec.Evaluation.ElboSamples} samples) | {result.Elbo:F2} |");
        text.AppendLine($"| test IWAE (k = {result.IwaeSamples}) | {result.Iwae:F2} |");
        text.AppendLine($"| mean KL | {result.Kl:F3}{(result.Collapsed ? " (collapsed)" : "")} |");
        text.AppendLine($"| training time | {result.TrainSeconds:F1} s ({result.StepsPerSecond:F0} steps/s) |");
        if (result.Restart is { } restart)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| restarts | attempt {restart.Chosen + 1} of {restart.Scores.Count} chosen; ELBO after {restart.Steps} steps: {string.Join(", ", restart.Scores.Select(e => e.ToString("F2", CultureInfo.InvariantCulture)))} |"));
        if (result.EmbeddingPath is not null) text.AppendLine($"| learned embedding | `{result.EmbeddingPath}` |");
        if (result.EmbeddingQuality is { } quality)
        {
            text.AppendLine();
            text.AppendLine("```");
            text.AppendLine(quality.Describe());
            text.AppendLine("```");
        }
        return text.ToString();
    }

}
