namespace ManifoldKit.Models;

/// <summary>Sizes of the encoder and decoder MLPs (the protocol, docs/protocol.md: 100 → 128 → 128 and back).</summary>
public sealed record ArchitectureOptions
{
    /// <summary>Dimension of an observation x.</summary>
    public int ObservedDim { get; init; } = 100;

    /// <summary>Widths of the hidden layers, applied in order by the encoder and by the decoder.</summary>
    public int[] HiddenWidths { get; init; } = [128, 128];

    /// <summary>
    /// How the group-action head starts (a data-dependent initialisation; the objective is unchanged).
    /// The element is a normalisation of the head's outputs, so on the data manifold x ↦ a(x) is a map
    /// M → M with a degree, and a good model needs the degree of the data's own parametrisation. A drawn
    /// head covers a small part of M (degree 0). Drawn by default (the protocol's start, docs/protocol.md).
    /// </summary>
    public ActionHeadInit ActionHeadInit { get; init; }

    /// <summary>
    /// Before training, set the posterior head's bias so that every coordinate of q(z|x) starts with
    /// this standard deviation in the hidden space (a Beta centred on ½, a Gaussian at its drawn mean);
    /// null leaves the bias as drawn. A drawn Beta head starts near Beta(1, 1) (Beta(0.7, 0.7) for
    /// <c>beta</c>), as broad as the uniform prior: the code then says almost nothing about x, and a
    /// group-action encoder gets almost no gradient until the posterior sharpens. The
    /// objective is unchanged. Off by default (the protocol, docs/protocol.md, says nothing of it).
    /// </summary>
    public double? InitialPosteriorStd { get; init; }

    /// <summary>
    /// How the likelihood starts (a data-dependent initialisation; the objective is unchanged).
    /// The protocol's log-scale of 0 (σ = 1) is far above the data's spread, and Adam moves it by
    /// about the learning rate per step, so the first thousands of steps only shrink σ.
    /// </summary>
    public ObservationInit ObservationInit { get; init; }
}

/// <summary>How the Gaussian likelihood starts (<see cref="ArchitectureOptions.ObservationInit"/>).</summary>
public enum ObservationInit
{
    /// <summary>Log-scale 0 and the decoder's output bias as drawn (the protocol's start, docs/protocol.md).</summary>
    Unit,

    /// <summary>
    /// σ and the decoder's output at the data's per-dimension standard deviation and mean over a batch
    /// of data, the output layer's weights at zero: the fit of the model that ignores z.
    /// </summary>
    Data,
}

/// <summary>How the group-action head starts (<see cref="ArchitectureOptions.ActionHeadInit"/>).</summary>
public enum ActionHeadInit
{
    /// <summary>As drawn, like every other layer.</summary>
    Drawn,

    /// <summary>Its bias shifted so that its outputs average zero over a batch of data.</summary>
    Centred,

    /// <summary>
    /// Its outputs are the encoder's features projected onto their top principal directions over a
    /// batch of data, centred and whitened, at the drawn head's scale: a(x) starts as the largest
    /// linear variation of the data, which goes once round a loop like the data's own (as PCA
    /// initialisation does for t-SNE and UMAP).
    /// </summary>
    Principal,
}
