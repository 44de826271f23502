namespace ManifoldKit.Models;

/// <summary>Sizes of the encoder and decoder MLPs (PROTOCOL.md: 100 → 128 → 128 and back).</summary>
public sealed record ArchitectureOptions
{
    /// <summary>Dimension of an observation x.</summary>
    public int ObservedDim { get; init; } = 100;

    /// <summary>Widths of the hidden layers, applied in order by the encoder and by the decoder.</summary>
    public int[] HiddenWidths { get; init; } = [128, 128];

    /// <summary>
    /// Before training, shift the group-action head's bias so that its outputs average zero over a
    /// batch of data (a data-dependent initialisation; the objective is unchanged). The element is a
    /// normalisation of those outputs, so on the data manifold x ↦ a(x) is a map M → M with a degree;
    /// an uncentred head starts at degree 0 (it covers a small part of M), and gradient descent rarely
    /// crosses the singularity at 0 that changing the degree needs. Off by default (PROTOCOL.md).
    /// </summary>
    public bool CentreActionHead { get; init; }

    /// <summary>
    /// Before training, set the posterior head's bias so that every coordinate of q(z|x) starts with
    /// this standard deviation in the hidden space (a Beta centred on ½, a Gaussian at its drawn mean);
    /// null leaves the bias as drawn. A drawn Beta head starts near Beta(1, 1) (Beta(0.7, 0.7) for
    /// <c>beta</c>), as broad as the uniform prior: the code then says almost nothing about x, and a
    /// group-action encoder gets almost no gradient until the posterior sharpens. The
    /// objective is unchanged. Off by default (PROTOCOL.md says nothing of it).
    /// </summary>
    public double? InitialPosteriorStd { get; init; }
}
