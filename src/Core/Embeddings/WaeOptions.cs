namespace ManifoldKit.Embeddings;

/// <summary>WAE-MMD settings (the protocol's learned embedding f, docs/protocol.md).</summary>
public sealed record WaeOptions
{
    /// <summary>Training steps.</summary>
    public int Steps { get; init; } = 5000;

    /// <summary>Manifold samples per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

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
}
