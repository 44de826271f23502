namespace ManifoldKit.Training;

/// <summary>Optimisation settings (the protocol, docs/protocol.md: Adam 1e-3, batch 128, 10,000 steps).</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = 10_000;

    /// <summary>Fresh data points per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Posterior samples per point in the training objective.</summary>
    public int Samples { get; init; } = 1;

    /// <summary>Seed of the initial weights, the data stream and the posterior noise.</summary>
    public long Seed { get; init; }

    /// <summary>Steps between progress reports (and metric rows).</summary>
    public int ReportEvery { get; init; } = 100;

    /// <summary>Steps between checkpoints; 0 for none.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>
    /// Steps over which the KL weight rises linearly from 0 to 1 (a warm-up that helps optimisation);
    /// 0, the paper's objective throughout, by default.
    /// </summary>
    public int KlWarmupSteps { get; init; }

    /// <summary>
    /// The learning rate at the last step: it follows a cosine from <see cref="LearningRate"/> down to
    /// this value (the same objective; a small final rate lets a fit near the noise floor settle
    /// instead of jittering at Adam's step size). Null, a constant rate (the paper's), by default.
    /// </summary>
    public double? FinalLearningRate { get; init; }

    /// <summary>
    /// Initialisations tried (a restart phase): each trains <see cref="RestartSteps"/> steps, and only
    /// the one with the best ELBO on a shared batch of fresh task data trains on to <see cref="Steps"/>.
    /// The objective is unchanged; the run is the best of several starts, chosen on training data.
    /// 1, a single start (the paper's), by default.
    /// </summary>
    public int Restarts { get; init; } = 1;

    /// <summary>
    /// Steps of each attempt before they are compared; above <see cref="Steps"/> (a shortened run,
    /// e.g. <c>training.steps=200</c> on a config made for 10,000) they are compared at the end.
    /// </summary>
    public int RestartSteps { get; init; } = 1000;

    /// <summary>
    /// The last steps, over which the rate decays to <see cref="FinalLearningRate"/>; it is constant
    /// before them. Null, the whole run, by default. A short decay at the end settles the final weights
    /// of a run that is still improving, without slowing it down before.
    /// </summary>
    public int? DecaySteps { get; init; }

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
