namespace ManifoldKit.Models;

/// <summary>Sizes of the encoder and decoder MLPs (PROTOCOL.md: 100 → 128 → 128 and back).</summary>
public sealed record ArchitectureOptions
{
    /// <summary>Dimension of an observation x.</summary>
    public int ObservedDim { get; init; } = 100;

    /// <summary>Widths of the hidden layers, applied in order by the encoder and by the decoder.</summary>
    public int[] HiddenWidths { get; init; } = [128, 128];
}
