using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Evaluation;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Experiments;

/// <summary>
/// One seed of a plan, trained (or resumed) in its directory, keeping <c>metrics.csv</c> and
/// <c>checkpoint/</c> there, then evaluated on the test set. Holds the trained model and its task
/// until disposed, so the caller can report on them (plots, geometry).
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly Trainer trainer;

    private TrainingRun(IDataSource task, Trainer trainer, LatentSpace latent, string? embeddingPath, EmbeddingQuality? quality) =>
        (Task, this.trainer, Latent, EmbeddingPath, EmbeddingQuality) = (task, trainer, latent, embeddingPath, quality);

    /// <summary>The data.</summary>
    public IDataSource Task { get; }

    /// <summary>The model's latent space.</summary>
    public LatentSpace Latent { get; }

    /// <summary>The trained model.</summary>
    public VariationalAutoencoder Model => trainer.Model;

    /// <summary>The file of a learned or saved f; null otherwise.</summary>
    public string? EmbeddingPath { get; }

    /// <summary>The quality of a learned or saved f; null otherwise.</summary>
    public EmbeddingQuality? EmbeddingQuality { get; }

    /// <summary>The step the model is at.</summary>
    public int Step => trainer.Step;

    /// <summary>
    /// Trains <paramref name="plan"/> for <paramref name="seed"/> in <paramref name="directory"/> (resuming
    /// from its checkpoint when there is one) and evaluates it.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint was saved to resume from.</exception>
    /// <exception cref="ExperimentException">A learned f fails its checks (nothing trained).</exception>
    /// <exception cref="RunFileException">The checkpoint is damaged or disagrees with the config.</exception>
    /// <param name="plan">The resolved experiment.</param>
    /// <param name="seed">The seed of this run.</param>
    /// <param name="directory">The run directory.</param>
    /// <param name="embeddings">Where f comes from.</param>
    /// <param name="progress">Each report, as it is made.</param>
    /// <param name="log">One-line messages (resume, metrics repaired, f learned or reused).</param>
    /// <param name="cancellation">Stops after the current step, with a checkpoint saved.</param>
    /// <param name="committed">Each report once a checkpoint covers it (e.g. for TensorBoard, which cannot take back a step a resume redoes).</param>
    public static (TrainingRun Run, ExperimentResult Result) Execute(ExperimentPlan plan, long seed, string directory, EmbeddingProvider embeddings,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default,
        Action<TrainingProgress>? committed = null)
    {
        var (run, sink) = Prepare(plan, seed, directory, embeddings, progress, log, committed);
        try
        {
            run.trainer.Run(sink, directory, cancellation, log);
            return (run, Finish(run, plan, seed, directory));
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>One seed of a group for <see cref="ExecuteGroup"/>: where it goes and where its reports and messages go.</summary>
    /// <param name="Seed">The seed.</param>
    /// <param name="Directory">Its run directory.</param>
    /// <param name="Progress">Each report, as it is made.</param>
    /// <param name="Log">Its one-line messages.</param>
    /// <param name="Committed">Each report once a checkpoint covers it.</param>
    public sealed record GroupSeed(long Seed, string Directory, IProgress<TrainingProgress>? Progress = null, Action<string>? Log = null,
        Action<TrainingProgress>? Committed = null);

    /// <summary>What became of one seed of a group: its run and result, or why it has none (the others are unaffected).</summary>
    public sealed record GroupOutcome(TrainingRun? Run, ExperimentResult? Result, Exception? Error);

    /// <summary>
    /// <see cref="Execute"/> for several seeds of <paramref name="plan"/> at once: each prepared (built,
    /// resumed) in its own directory, trained together as one <see cref="SeedGroup"/>, then each evaluated.
    /// A seed that cannot be prepared, diverges, or fails its evaluation has its error in its outcome and
    /// the others go on; one cancelled has a checkpoint saved and an <see cref="OperationCanceledException"/>.
    /// One seed trains alone, as <see cref="Execute"/> trains it.
    /// </summary>
    /// <param name="plan">The resolved experiment.</param>
    /// <param name="seeds">The seeds, their directories and their reporting.</param>
    /// <param name="embeddings">Where each seed's f comes from.</param>
    /// <param name="cancellation">Stops after the current step, with every seed's checkpoint saved.</param>
    /// <param name="log">Lines about the group as a whole (its restart phase).</param>
    public static IReadOnlyList<GroupOutcome> ExecuteGroup(ExperimentPlan plan, IReadOnlyList<GroupSeed> seeds, EmbeddingProvider embeddings,
        CancellationToken cancellation = default, Action<string>? log = null)
    {
        var outcomes = new GroupOutcome?[seeds.Count];
        var members = new List<(int Index, TrainingRun Run, SeedGroup.Member Member)>();
        for (var i = 0; i < seeds.Count; i++)
        {
            var seed = seeds[i];
            try
            {
                var (run, sink) = Prepare(plan, seed.Seed, seed.Directory, embeddings, seed.Progress, seed.Log, seed.Committed);
                members.Add((i, run, new SeedGroup.Member(run.trainer, sink, seed.Directory)));
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                outcomes[i] = new GroupOutcome(null, null, error);
            }
        }
        try
        {
            var failures = members.Count == 1 ? TrainAlone(members[0].Member, seeds[members[0].Index].Log, cancellation)
                : members.Count == 0 ? [] : new SeedGroup().Run([.. members.Select(m => m.Member)], cancellation, log);
            // The seeds that trained to the end are evaluated together, as they trained.
            var finished = Enumerable.Range(0, members.Count).Where(k => failures[k] is null && members[k].Run.Step >= members[k].Run.trainer.Options.Steps).ToList();
            var evaluated = new Dictionary<int, (double, double, double)>();
            if (finished.Count > 1)
            {
                // Their final checkpoints first, so nothing trained is lost if the evaluation fails.
                foreach (var k in finished) Checkpoint.Save(seeds[members[k].Index].Directory, members[k].Run.trainer);
                var values = EvaluateGroup([.. finished.Select(k => members[k].Run.Model)], members[finished[0]].Run.Task, plan.Spec.Evaluation, seeds[members[finished[0]].Index].Seed);
                for (var j = 0; j < finished.Count; j++) evaluated[finished[j]] = values[j];
            }
            for (var k = 0; k < members.Count; k++)
            {
                var (index, run, _) = members[k];
                try
                {
                    if (failures[k] is { } divergence) throw divergence;
                    outcomes[index] = new GroupOutcome(run, Finish(run, plan, seeds[index].Seed, seeds[index].Directory, evaluated.TryGetValue(k, out var value) ? value : null), null);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    run.Dispose();
                    outcomes[index] = new GroupOutcome(null, null, error);
                }
            }
        }
        catch
        {
            foreach (var (index, run, _) in members)
                if (outcomes[index]?.Run != run) run.Dispose();
            throw;
        }
        return [.. outcomes.Select(o => o!)];
    }

    // One seed trains as it always has, through its own trainer.
    private static TrainingDivergedException?[] TrainAlone(SeedGroup.Member member, Action<string>? log, CancellationToken cancellation)
    {
        try
        {
            member.Trainer.Run(member.Progress, member.CheckpointDirectory, cancellation, log);
            return [null];
        }
        catch (TrainingDivergedException divergence)
        {
            return [divergence];
        }
    }

    /// <summary>A seed's run built (and resumed from its checkpoint), its metrics file kept in step with checkpoints; the sink its reports go to.</summary>
    private static (TrainingRun Run, IProgress<TrainingProgress> Sink) Prepare(ExperimentPlan plan, long seed, string directory, EmbeddingProvider embeddings,
        IProgress<TrainingProgress>? progress, Action<string>? log, Action<TrainingProgress>? committed)
    {
        Directory.CreateDirectory(directory);
        var run = Build(plan, seed, embeddings, plan.Spec.Training with { Seed = seed });
        try
        {
            var metrics = new MetricsFile(Path.Combine(directory, "metrics.csv"), log);
            if (Checkpoint.Exists(directory))
            {
                var step = Checkpoint.Load(directory, run.trainer);
                log?.Invoke($"resuming {directory} from step {step}");
                Reconcile(metrics, step, run.trainer.Options, log);
            }
            else if (metrics.Steps.Any())
            {
                // Rows of a start whose checkpoint is gone: training starts over, so must the record.
                log?.Invoke($"{metrics.Path}: restarted, as there is no checkpoint to resume from; dropped its {Rows(metrics.TruncateAfter(0))} of an earlier start");
                metrics.Flush();
            }
            // metrics.csv is written as each checkpoint is staged, `committed` once it is saved, so
            // neither runs ahead of what a resume redoes (the file by at most one checkpoint, trimmed).
            var pending = new List<TrainingProgress>();
            run.trainer.CheckpointStaged += _ => metrics.Flush();
            run.trainer.Checkpointed += _ =>
            {
                foreach (var p in pending) committed?.Invoke(p);
                pending.Clear();
            };
            return (run, new SynchronousProgress<TrainingProgress>(p =>
            {
                metrics.Append(p);
                pending.Add(p);
                progress?.Report(p);
            }));
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Saves the final checkpoint (unless its group has, before evaluating it: <paramref name="evaluated"/>) and evaluates the trained run on the test set.</summary>
    /// <exception cref="OperationCanceledException">Training stopped early; the checkpoint resumes it.</exception>
    private static ExperimentResult Finish(TrainingRun run, ExperimentPlan plan, long seed, string directory, (double Elbo, double Iwae, double Kl)? evaluated = null)
    {
        var spec = plan.Spec;
        if (evaluated is null) Checkpoint.Save(directory, run.trainer);                 // a group's were saved before it was evaluated
        if (run.Step < run.trainer.Options.Steps) throw new OperationCanceledException($"stopped at step {run.Step}; run again to resume from the checkpoint in {directory}.");
        var (elbo, iwae, kl) = evaluated ?? Evaluate(run.Model, run.Task, spec.Evaluation, seed);
        return new ExperimentResult
        {
            Name = spec.Name,
            Seed = seed,
            Elbo = elbo,
            Iwae = iwae,
            IwaeSamples = spec.Evaluation.IwaeSamples,
            Kl = kl,
            Collapsed = kl < spec.Evaluation.CollapseKl,
            Steps = run.Step,
            // Across every session, from the time and step count each checkpoint carries.
            TrainSeconds = run.trainer.TrainingTime.TotalSeconds,
            StepsPerSecond = run.trainer.TotalStepsRun / Math.Max(run.trainer.TrainingTime.TotalSeconds, 1e-9),
            Restart = run.trainer.Restart,
            EmbeddingPath = run.EmbeddingPath,
            EmbeddingQuality = run.EmbeddingQuality,
            AngleRecovery = Evaluation.AngleRecovery.Measure(run.Model, run.Task, spec.Evaluation.TestSize),
        };
    }

    /// <summary>
    /// Makes the metrics agree with a checkpoint at <paramref name="step"/>: rows after it are dropped
    /// (they are redone); rows missing before it (the file cut, or a crash between the checkpoint's
    /// save and the file's) are reported and training goes on, since the model itself is whole.
    /// </summary>
    private static void Reconcile(MetricsFile metrics, int step, TrainingOptions options, Action<string>? log)
    {
        var dropped = metrics.TruncateAfter(step);
        if (dropped > 0) log?.Invoke($"{metrics.Path}: dropped {Rows(dropped)} after step {step}, the checkpoint's; those steps are redone");
        var expected = Enumerable.Range(1, step / options.ReportEvery).Select(k => k * options.ReportEvery).ToList();
        if (step == options.Steps && step % options.ReportEvery != 0) expected.Add(step);
        var missing = expected.Except(metrics.Steps).ToList();
        if (missing.Count > 0)
            log?.Invoke($"{metrics.Path}: {Rows(missing.Count)} before step {step}, the checkpoint's, {(missing.Count == 1 ? "is" : "are")} missing (steps {missing[0]} to {missing[^1]}); " +
                        "going on without them (they cannot be recomputed; the model resumes exactly)");
    }

    private static string Rows(int count) => count == 1 ? "1 row" : $"{count} rows";

    /// <summary>Rebuilds the model of <paramref name="directory"/> from its last checkpoint.</summary>
    /// <exception cref="FileNotFoundException">The directory has no checkpoint.</exception>
    public static TrainingRun Restore(ExperimentPlan plan, long seed, string directory, EmbeddingProvider embeddings)
    {
        var run = Build(plan, seed, embeddings, plan.Spec.Training with { Seed = seed });
        try
        {
            Checkpoint.Load(directory, run.trainer);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Test ELBO, IWAE and mean KL of a model on the task's test set.</summary>
    public static (double Elbo, double Iwae, double Kl) Evaluate(VariationalAutoencoder model, IDataSource task, EvaluationOptions evaluation, long seed)
    {
        using var scope = NewDisposeScope();
        var (test, _) = task.TestSet(evaluation.TestSize);
        var kl = Evaluator.PerPoint(model, test, 1, seed, 500, terms => terms.Kl, densities: false).mean().item<double>();
        return (Evaluator.Elbo(model, test, evaluation.ElboSamples, seed), Evaluator.Iwae(model, test, evaluation.IwaeSamples, seed), kl);
    }

    /// <summary>
    /// <see cref="Evaluate"/> for the models of a seed group at once, stacked: one pass over the test set for
    /// all, in chunks of 1/G the points, the posterior noise from one generator (seeded with
    /// <paramref name="seed"/>) for the group. One model is evaluated as <see cref="Evaluate"/> evaluates it.
    /// </summary>
    public static IReadOnlyList<(double Elbo, double Iwae, double Kl)> EvaluateGroup(IReadOnlyList<VariationalAutoencoder> models, IDataSource task, EvaluationOptions evaluation, long seed)
    {
        if (models.Count == 1) return [Evaluate(models[0], task, evaluation, seed)];
        using var scope = NewDisposeScope();
        using var stacked = new StackedAutoencoder(models);
        var (test, _) = task.TestSet(evaluation.TestSize);
        var g = models.Count;
        double[] Mean(Tensor perPoint) => perPoint.mean([1]).data<double>().ToArray();
        var kl = Mean(Evaluator.PerPoint(stacked, test, 1, seed, Math.Max(1, 500 / g), terms => terms.Kl, densities: false));
        var elbo = Mean(Evaluator.PerPoint(stacked, test, evaluation.ElboSamples, seed, Math.Max(1, 500 / g), terms => terms.Elbo, densities: false));
        var iwae = Mean(Evaluator.PerPoint(stacked, test, evaluation.IwaeSamples, seed, Math.Max(1, Evaluator.ChunkPoints(evaluation.IwaeSamples) / g), terms => terms.Iwae));
        return [.. Enumerable.Range(0, g).Select(m => (elbo[m], iwae[m], kl[m]))];
    }

    /// <summary>
    /// The mean test KL of each factor of a product latent (in factor order; one value for a single
    /// latent): which factor carries the information the codes hold.
    /// </summary>
    public static double[] FactorKl(VariationalAutoencoder model, IDataSource task, EvaluationOptions evaluation)
    {
        return model.Evaluating<double[]>(() =>
        {
            using var scope = NewDisposeScope();
            var (test, _) = task.TestSet(evaluation.TestSize);
            var sums = new double[model.Latent.Factors.Count];
            for (long start = 0; start < test.shape[0]; start += 500)
            {
                using var batchScope = NewDisposeScope();
                var posterior = model.Encode(ComputeDevice.Move(test.narrow(0, start, Math.Min(500, test.shape[0] - start)), model.Device));
                IReadOnlyList<LatentDistribution> parts = posterior is ProductDistribution product ? product.Parts : [posterior];
                for (var i = 0; i < parts.Count; i++) sums[i] += parts[i].KlToPrior().to_type(ScalarType.Float64).sum().item<double>();
            }
            return [.. sums.Select(s => s / test.shape[0])];
        });
    }

    /// <summary>The latent space of <paramref name="plan"/> for <paramref name="seed"/>, with the path and quality of a learned or saved f.</summary>
    public static (LatentSpace Latent, string? EmbeddingPath, EmbeddingQuality? Quality) BuildLatent(ExperimentPlan plan, long seed, EmbeddingProvider embeddings)
    {
        var factors = new List<LatentSpace>();
        (string? Path, EmbeddingQuality? Quality) first = (null, null);
        foreach (var factor in plan.Factors)
        {
            if (factor.Manifold is not { } manifold)
            {
                factors.Add(LatentSpace.Euclidean(factor.Options.Dim, factor.Posterior));
                continue;
            }
            if (factor.Posterior is IManifoldPosteriorFamily onManifold)
            {
                factors.Add(LatentSpace.OnManifold(manifold, onManifold, factor.Action));
                continue;
            }
            var (embedding, path, quality) = embeddings.Provide(plan, factor, seed);
            // A run reports one f file: the first learned or saved factor's.
            if (first.Path is null) first = (path, quality);
            factors.Add(LatentSpace.Manifold(manifold.Name, embedding, factor.Action, factor.Posterior));
        }
        // A single latent stays itself (its name and reports as before); a one-factor product would compute the same numbers.
        return (factors.Count == 1 && plan.Spec.Latent.Factors.Count == 0 ? factors[0] : LatentSpace.Product(factors), first.Path, first.Quality);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        trainer.Dispose();
        Task.Dispose();
    }

    /// <summary>A plugin's source from its settings; a value it refuses, or a setting it does not read, names data.settings.</summary>
    private static IDataSource PluginSource(Func<ManifoldSettings, IDataSource> factory, IReadOnlyDictionary<string, string> values)
    {
        var settings = new ManifoldSettings(values);
        IDataSource source;
        try
        {
            source = factory(settings);
        }
        catch (ArgumentException error)
        {
            throw new ExperimentException("data.settings", error.Message);
        }
        if (settings.Keys.FirstOrDefault(k => !settings.ReadKeys.Contains(k)) is { } unread)
        {
            source.Dispose();
            throw new ExperimentException("data.settings", $"data source '{source.Name}' has no setting '{unread}'; it reads: {string.Join(", ", settings.ReadKeys.Order(StringComparer.Ordinal))}.");
        }
        return source;
    }

    // The task is made before f: learning f draws from the global generator, as it always has.
    private static TrainingRun Build(ExperimentPlan plan, long seed, EmbeddingProvider embeddings, TrainingOptions options)
    {
        var spec = plan.Spec;
        var task = plan.PluginData is { } plugin ? PluginSource(plugin, spec.Data.Settings) : DataSources.Create(spec, plan.TaskManifold);
        if (task.ObservationDim != spec.Architecture.ObservedDim)
        {
            var (name, dim) = (task.Name, task.ObservationDim);
            task.Dispose();
            throw new ExperimentException("architecture.observed_dim",
                $"architecture.observed_dim is {spec.Architecture.ObservedDim}, but {name}'s observations have {dim} values; set architecture.observed_dim: {dim}.");
        }
        try
        {
            var (latent, path, quality) = BuildLatent(plan, seed, embeddings);
            var trainer = new Trainer(() => new VariationalAutoencoder(latent, spec.Architecture), task, options, ComputeDevice.Parse(spec.Device));
            return new TrainingRun(task, trainer, latent, path, quality);
        }
        catch
        {
            task.Dispose();
            throw;
        }
    }
}
