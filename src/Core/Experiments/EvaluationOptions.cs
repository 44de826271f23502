namespace ManifoldKit.Experiments;

/// <summary>Test-set metrics (the protocol, docs/protocol.md: ELBO over 10 samples, IWAE with k = 100, 2,000 points).</summary>
public sealed record EvaluationOptions
{
    /// <summary>Posterior samples per point for the ELBO.</summary>
    public int ElboSamples { get; init; } = 10;

    /// <summary>k, importance samples per point for the IWAE bound.</summary>
    public int IwaeSamples { get; init; } = 100;

    /// <summary>Points in the test set.</summary>
    public int TestSize { get; init; } = 2000;

    /// <summary>A run whose mean test KL ends below this many nats counts as collapsed.</summary>
    public double CollapseKl { get; init; } = 0.01;
}
