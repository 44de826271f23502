using System.Diagnostics;
using ManifoldKit.Data;
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

    private TrainingRun(ToyTask task, Trainer trainer, LatentSpace latent, string? embeddingPath, EmbeddingQuality? quality) =>
        (Task, this.trainer, Latent, EmbeddingPath, EmbeddingQuality) = (task, trainer, latent, embeddingPath, quality);

    /// <summary>The data.</summary>
    public ToyTask Task { get; }

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
    public static (TrainingRun Run, ExperimentResult Result) Execute(ExperimentPlan plan, long seed, string directory, EmbeddingProvider embeddings,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default)
    {
        var spec = plan.Spec;
        Directory.CreateDirectory(directory);
        var run = Build(plan, seed, embeddings, spec.Training with { Seed = seed });
        try
        {
            var metrics = new MetricsFile(Path.Combine(directory, "metrics.csv"));
            if (Checkpoint.Exists(directory))
            {
                var step = Checkpoint.Load(directory, run.trainer);
                metrics.TruncateAfter(step);
                log?.Invoke($"resuming {directory} from step {step}");
            }
            var options = run.trainer.Options;
            var clock = Stopwatch.StartNew();
            run.trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
            {
                metrics.Append(p);
                if (p.Step % options.CheckpointEvery == 0) metrics.Flush();   // the checkpoint follows this report
                progress?.Report(p);
            }), directory, cancellation, log);
            clock.Stop();
            Checkpoint.Save(directory, run.trainer);
            metrics.Flush();
            if (run.Step < options.Steps) throw new OperationCanceledException($"stopped at step {run.Step}; run again to resume from the checkpoint in {directory}.");

            var (elbo, iwae, kl) = Evaluate(run.Model, run.Task, spec.Evaluation, seed);
            var result = new ExperimentResult
            {
                Name = spec.Name,
                Seed = seed,
                Elbo = elbo,
                Iwae = iwae,
                IwaeSamples = spec.Evaluation.IwaeSamples,
                Kl = kl,
                Collapsed = kl < spec.Evaluation.CollapseKl,
                Steps = run.Step,
                TrainSeconds = clock.Elapsed.TotalSeconds,
                StepsPerSecond = run.trainer.StepsRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
                Restart = run.trainer.Restart,
                EmbeddingPath = run.EmbeddingPath,
                EmbeddingQuality = run.EmbeddingQuality,
            };
            return (run, result);
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

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
    public static (double Elbo, double Iwae, double Kl) Evaluate(VariationalAutoencoder model, ToyTask task, EvaluationOptions evaluation, long seed)
    {
        using var scope = NewDisposeScope();
        var (test, _) = task.TestSet(evaluation.TestSize);
        var kl = Evaluator.PerPoint(model, test, 1, seed, 500, terms => terms.Kl, densities: false).mean().item<double>();
        return (Evaluator.Elbo(model, test, evaluation.ElboSamples, seed), Evaluator.Iwae(model, test, evaluation.IwaeSamples, seed), kl);
    }

    /// <summary>The latent space of <paramref name="plan"/> for <paramref name="seed"/>, with the path and quality of a learned or saved f.</summary>
    public static (LatentSpace Latent, string? EmbeddingPath, EmbeddingQuality? Quality) BuildLatent(ExperimentPlan plan, long seed, EmbeddingProvider embeddings)
    {
        if (plan.LatentManifold is not { } manifold) return (LatentSpace.Euclidean(plan.Spec.Latent.Dim, plan.Posterior), null, null);
        var (embedding, path, quality) = embeddings.Provide(plan, seed);
        return (LatentSpace.Manifold(manifold.Name, embedding, plan.Action, plan.Posterior), path, quality);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        trainer.Dispose();
        Task.Dispose();
    }

    // The task is made before f: learning f draws from the global generator, as it always has.
    private static TrainingRun Build(ExperimentPlan plan, long seed, EmbeddingProvider embeddings, TrainingOptions options)
    {
        var spec = plan.Spec;
        var task = new ToyTask(plan.TaskManifold, spec.DataSeed, spec.NoiseStd, spec.Architecture.ObservedDim);
        try
        {
            var (latent, path, quality) = BuildLatent(plan, seed, embeddings);
            var trainer = new Trainer(() => new VariationalAutoencoder(latent, spec.Architecture), task, options);
            return new TrainingRun(task, trainer, latent, path, quality);
        }
        catch
        {
            task.Dispose();
            throw;
        }
    }
}
