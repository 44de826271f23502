using ManifoldKit.Settings;

namespace ManifoldKit.Training;

/// <summary>Optimisation settings (the protocol, docs/protocol.md: Adam 1e-3, batch 128, 10,000 steps).</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimiser steps.</summary>
    [Setting("Adam steps, each on fresh data", Min = 1)]
    public int Steps { get; init; } = 10_000;

    /// <summary>Fresh data points per step.</summary>
    [Setting("points per step", Min = 1, Max = 1_000_000)]
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam learning rate.</summary>
    [Setting("Adam learning rate (above 1 Adam moves every weight by more than 1 per step)", Min = 0, Exclusive = true, Max = 1)]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Posterior samples per point in the training objective.</summary>
    [Setting("posterior samples per point in the objective", Min = 1, Max = 10_000)]
    public int Samples { get; init; } = 1;

    /// <summary>Seed of the initial weights, the data stream and the posterior noise.</summary>
    public long Seed { get; init; }

    /// <summary>Steps between progress reports (and metric rows).</summary>
    [Setting("steps per metrics row and progress line", Min = 1)]
    public int ReportEvery { get; init; } = 100;

    /// <summary>Steps between checkpoints when the trainer is given a directory; 0 for none.</summary>
    [Setting("steps per checkpoint", Min = 1)]
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>
    /// Steps over which the KL weight rises linearly from 0 to 1 (a warm-up that helps optimisation);
    /// 0, the paper's objective throughout, by default.
    /// </summary>
    [Setting("steps over which the KL weight rises from 0 to 1 (off in the paper's configs)", Min = 0)]
    public int KlWarmupSteps { get; init; }

    /// <summary>
    /// The learning rate at the last step: it follows a cosine from <see cref="LearningRate"/> down to
    /// this value (the same objective; a small final rate lets a fit near the noise floor settle
    /// instead of jittering at Adam's step size). Null, a constant rate (the paper's), by default.
    /// </summary>
    [Setting("if set, the learning rate follows a cosine from `learning_rate` down to this value at the last step (off in the paper's configs)", Min = 0, Max = 1, OmitWhenDefault = true)]
    public double? FinalLearningRate { get; init; }

    /// <summary>
    /// The last steps, over which the rate decays to <see cref="FinalLearningRate"/>; it is constant
    /// before them. Null, the whole run, by default. A short decay at the end settles the final weights
    /// of a run that is still improving, without slowing it down before.
    /// </summary>
    [Setting("with `final_learning_rate`: the cosine runs over only the last this-many steps, the rate being constant before them (none: over the whole run). A short final decay settles the last weights of a run that is still improving without slowing it before", Min = 1, OmitWhenDefault = true)]
    public int? DecaySteps { get; init; }

    /// <summary>
    /// Initialisations tried (a restart phase): each trains <see cref="RestartSteps"/> steps, and only
    /// the one with the best ELBO on a shared batch of fresh task data trains on to <see cref="Steps"/>.
    /// The objective is unchanged; the run is the best of several starts, chosen on training data.
    /// 1, a single start (the paper's), by default.
    /// </summary>
    [Setting("initialisations tried: each trains `restart_steps` steps, and only the one with the best ELBO on 4,096 fresh task points trains on (the same objective; attempt r starts from seed + r·10⁶; off in the paper's configs)", Min = 1, Max = Trainer.MaxRestarts, OmitWhenDefault = true)]
    public int Restarts { get; init; } = 1;

    /// <summary>
    /// Steps of each attempt before they are compared; above <see cref="Steps"/> (a shortened run,
    /// e.g. <c>training.steps=200</c> on a config made for 10,000) they are compared at the end.
    /// </summary>
    [Setting("steps of each attempt before the comparison; above `steps` (a shortened run), the attempts are compared at the end", Min = 1, WrittenWith = "restarts")]
    public int RestartSteps { get; init; } = 1000;

    /// <summary>The learning rate of step <paramref name="step"/> (1-based).</summary>
    public double LearningRateAt(int step)
    {
        if (FinalLearningRate is not { } final) return LearningRate;
        var decay = Math.Min(DecaySteps ?? Steps, Steps);
        var into = Math.Min(step, Steps) - (Steps - decay) - 1;                // 0 at the decay's first step
        if (into < 0) return LearningRate;
        return decay <= 1 ? final : final + 0.5 * (LearningRate - final) * (1 + Math.Cos(Math.PI * into / (decay - 1)));
    }
}
