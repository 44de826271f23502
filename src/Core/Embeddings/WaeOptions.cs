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

    /// <summary>λ, the weight of the MMD penalty.</summary>
    public double Lambda { get; init; } = 10;

    /// <summary>Hidden-layer width of the encoder and decoder.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Seed of initialisation and sampling.</summary>
    public long Seed { get; init; }
}
