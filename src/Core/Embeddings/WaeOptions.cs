using ManifoldKit.Training;

namespace ManifoldKit.Embeddings;

/// <summary>WAE-MMD settings (PROTOCOL.md, learned embedding f).</summary>
public sealed record WaeOptions
{
    /// <summary>Training steps.</summary>
    public int Steps { get; init; } = 5000;

    /// <summary>Manifold samples per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// The learning rate of the last step, reached by a cosine over the last <see cref="DecaySteps"/>
    /// (as <see cref="TrainingOptions.FinalLearningRate"/>): at a constant rate the WAE's loss still
    /// swings at the end, so the f it returns is a draw from that swing. Null, a constant rate (the
    /// protocol's), by default.
    /// </summary>
    public double? FinalLearningRate { get; init; }

    /// <summary>The last steps over which the rate decays to <see cref="FinalLearningRate"/>; null for the whole run.</summary>
    public int? DecaySteps { get; init; }

    /// <summary>
    /// WAEs trained, from seeds seed + r · 1,000,000; the one with the lowest held-out WAE loss is kept
    /// (<see cref="WaeMmdTrainer.HeldOutLoss"/>). The objective is unchanged. 1, a single WAE (the
    /// protocol's), by default.
    /// </summary>
    public int Restarts { get; init; } = 1;

    /// <summary>λ, the weight of the MMD penalty.</summary>
    public double Lambda { get; init; } = 10;

    /// <summary>Hidden-layer width of the encoder and decoder.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Seed of initialisation and sampling.</summary>
    public long Seed { get; init; }

    /// <summary>The learning rate of step <paramref name="step"/> (1-based).</summary>
    public double LearningRateAt(int step) => LearningRateSchedule.At(step, Steps, LearningRate, FinalLearningRate, DecaySteps);
}
