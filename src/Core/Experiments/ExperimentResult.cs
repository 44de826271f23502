using ManifoldKit.Embeddings;
using ManifoldKit.Training;

namespace ManifoldKit.Experiments;

/// <summary>Final test metrics of one trained model, per data point in nats.</summary>
public sealed record ExperimentResult
{
    /// <summary>Experiment name.</summary>
    public required string Name { get; init; }

    /// <summary>Training seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Test ELBO.</summary>
    public required double Elbo { get; init; }

    /// <summary>Test IWAE bound.</summary>
    public required double Iwae { get; init; }

    /// <summary>k of the IWAE bound.</summary>
    public required int IwaeSamples { get; init; }

    /// <summary>Mean test KL(q(z|x) ‖ p(z)).</summary>
    public required double Kl { get; init; }

    /// <summary>Whether the posterior collapsed (mean KL below the threshold).</summary>
    public required bool Collapsed { get; init; }

    /// <summary>Steps trained.</summary>
    public required int Steps { get; init; }

    /// <summary>Wall time of training (this process's share when resumed), seconds.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Training throughput: optimiser steps per second, a restart phase's discarded attempts included.</summary>
    public required double StepsPerSecond { get; init; }

    /// <summary>What the restart phase chose, if the run had one (<c>training.restarts</c>).</summary>
    public RestartOutcome? Restart { get; init; }

    /// <summary>The saved learned embedding used, if any.</summary>
    public string? EmbeddingPath { get; init; }

    /// <summary>The quality of that learned embedding, if any.</summary>
    public EmbeddingQuality? EmbeddingQuality { get; init; }

    /// <summary>On data with an <c>angle</c> factor and a latent with a circle factor: how well the circle recovers the angle over the test set (<see cref="Evaluation.AngleRecovery"/>, 1 at best).</summary>
    public double? AngleRecovery { get; init; }
}
