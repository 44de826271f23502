using ManifoldKit.Distributions;
using ManifoldKit.Settings;
namespace ManifoldKit.Models;

/// <summary>Sizes of the encoder and decoder MLPs (the protocol, docs/protocol.md: 100 → 128 → 128 and back).</summary>
[ReplacedSetting("centre_action_head", "'action_head_init: centred' for true, nothing (or 'drawn') for false")]
public sealed record ArchitectureOptions
{
    /// <summary>Dimension of an observation x.</summary>
    [Setting("dimension of x", Min = 1, Max = 1_000_000)]
    public int ObservedDim { get; init; } = 100;

    /// <summary>Widths of the hidden layers, applied in order by the encoder and by the decoder.</summary>
    [Setting("hidden layers of the encoder and of the decoder", Min = 1, Max = 100_000)]
    public int[] HiddenWidths { get; init; } = [128, 128];

    /// <summary>
    /// How the group-action head starts (a data-dependent initialisation; the objective is unchanged).
    /// The element is a normalisation of the head's outputs, so on the data manifold x ↦ a(x) is a map
    /// M → M with a degree, and a good model needs the degree of the data's own parametrisation. A drawn
    /// head covers a small part of M (degree 0). Drawn by default (the protocol's start, docs/protocol.md).
    /// </summary>
    [Setting("how the group-action head starts (a data-dependent initialisation; the objective is unchanged): `drawn` like every layer (it then covers a small arc, degree 0); `centred`, its bias shifted so its outputs average zero over a batch of data (degree ±1 for about 60 of 100 seeds on the circle task); `principal`, its outputs the encoder features' top principal directions over a batch of data, centred and whitened (degree ±1 for 100 of 100). See docs/table1.md. Replaces `centre_action_head` (`true` is `centred`)")]
    public ActionHeadInit ActionHeadInit { get; init; }

    /// <summary>
    /// Before training, set the posterior head's bias so that every coordinate of q(z|x) starts with
    /// this standard deviation in the hidden space (a Beta centred on ½, a Gaussian at its drawn mean);
    /// null leaves the bias as drawn (the protocol's start, docs/protocol.md). A drawn Beta head starts
    /// near Beta(1, 1), as broad as the uniform prior: the code then says almost nothing about x, and a
    /// group-action encoder gets almost no gradient until the posterior sharpens, so first runs on a
    /// new manifold collapse. The objective is unchanged. Written in every resolved config: before
    /// 0.05 became the default, an absent key meant null (<c>RunExecutor</c> reads old run folders so).
    /// </summary>
    [Setting("before training, set the posterior head's bias so that every hidden coordinate of q(z\\|x) starts with this standard deviation (Beta families: Beta(c, c) centred on ½, below 0.495; Gaussian: at its drawn mean); `null` leaves the head as drawn (the protocol's start: a Beta head near Beta(1, 1), as broad as the uniform prior, so its codes carry almost nothing about x: a first run on the sphere task collapses). The objective is unchanged. Why it is the default: configs/README.md, Defaults", Min = 0, Exclusive = true)]
    public double? InitialPosteriorStd { get; init; } = 0.05;

    /// <summary>
    /// How the likelihood starts (a data-dependent initialisation; the objective is unchanged).
    /// The protocol's log-scale of 0 (σ = 1) is far above the data's spread, and Adam moves it by
    /// about the learning rate per step, so the first thousands of steps only shrink σ.
    /// </summary>
    [Setting("how the likelihood starts (a data-dependent initialisation; the objective is unchanged): `unit`, the decoder's output layer as drawn and, for `gaussian`, log σ = 0 (the protocol's); `data`, the fit of the model that ignores z over a batch of data, per dimension: the output layer's weights at zero, its bias at the data's mean and σ at its standard deviation (`gaussian`) or its bias at the logit of the data's mean clamped to [0.001, 0.999] (`bernoulli`). See docs/table1.md for what it does to the Table 1 rows", OmitWhenDefault = true)]
    public ObservationInit ObservationInit { get; init; }

    /// <summary>
    /// The observation model, a name from <see cref="Likelihoods"/>. Added after runs existed, hence
    /// omitted from resolved configs while at its default.
    /// </summary>
    [Setting("observation model p(x\\|z): `gaussian`, N(decoder output, σ²) per dimension with a learned log σ per dimension independent of z (the protocol's); `bernoulli`, the decoder outputs logits, for data in [0, 1] such as binary images (not the toy tasks, whose data are real-valued)",
        OmitWhenDefault = true, Choices = typeof(Likelihoods))]
    public string Likelihood { get; init; } = "gaussian";
}

/// <summary>How the likelihood starts (<see cref="ArchitectureOptions.ObservationInit"/>).</summary>
public enum ObservationInit
{
    /// <summary>The decoder's output layer as drawn and a Gaussian's log-scale 0 (the protocol's start, docs/protocol.md).</summary>
    Unit,

    /// <summary>
    /// The fit of the model that ignores z over a batch of data, the output layer's weights at zero
    /// (<see cref="ILikelihood.FitIgnoringZ"/>).
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
