using ManifoldKit.Settings;
namespace ManifoldKit.Embeddings;

/// <summary>WAE-MMD settings (the protocol's learned embedding f, docs/protocol.md).</summary>
public sealed record WaeOptions
{
    /// <summary>Training steps.</summary>
    [Setting("WAE-MMD steps for a learned f", Min = 1)]
    public int Steps { get; init; } = 5000;

    /// <summary>Manifold samples per step.</summary>
    [Setting("manifold samples per WAE step", Min = 2, Max = 100_000)]
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam learning rate.</summary>
    [Setting("Adam learning rate of the WAE", Min = 0, Exclusive = true, Max = 1)]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// WAEs trained, from seeds seed + r · 1,000,000; the one with the lowest held-out WAE loss is kept
    /// (<see cref="WaeMmdTrainer.HeldOutLoss"/>). The objective is unchanged. 1, a single WAE (the
    /// protocol's), by default.
    /// </summary>
    [Setting("WAEs learned, attempt r from seed + r·10⁶; the one with the lowest WAE loss on 16 fixed fresh batches is kept (the same objective; off in the paper's configs). Every WAE setting that changes f is part of the cached file's name", Min = 1, Max = Training.Trainer.MaxRestarts, OmitWhenDefault = true)]
    public int Restarts { get; init; } = 1;

    /// <summary>λ, the weight of the MMD penalty.</summary>
    [Setting("weight of the MMD penalty", Min = 0)]
    public double Lambda { get; init; } = 10;

    /// <summary>Hidden-layer width of the encoder and decoder.</summary>
    [Setting("hidden width of the WAE's encoder and decoder", Min = 1, Max = 100_000)]
    public int Width { get; init; } = 64;

    /// <summary>Seed of initialisation and sampling.</summary>
    public long Seed { get; init; }
}
