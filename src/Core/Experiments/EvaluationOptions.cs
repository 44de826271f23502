using ManifoldKit.Settings;
namespace ManifoldKit.Experiments;

/// <summary>Test-set metrics (the protocol, docs/protocol.md: ELBO over 10 samples, IWAE with k = 100, 2,000 points).</summary>
public sealed record EvaluationOptions
{
    /// <summary>Posterior samples per point for the ELBO.</summary>
    [Setting("posterior samples per test point for the ELBO", Min = 1, Max = 100_000)]
    public int ElboSamples { get; init; } = 10;

    /// <summary>k, importance samples per point for the IWAE bound.</summary>
    [Setting("k of the IWAE bound", Min = 1, Max = 100_000)]
    public int IwaeSamples { get; init; } = 100;

    /// <summary>Points in the test set.</summary>
    [Setting("test points", Min = 1, Max = 10_000_000)]
    public int TestSize { get; init; } = 2000;

    /// <summary>A run whose mean test KL ends below this many nats counts as collapsed.</summary>
    [Setting("a run whose mean test KL ends below this (nats) counts as collapsed", Min = 0)]
    public double CollapseKl { get; init; } = 0.01;
}
