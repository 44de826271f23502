using ManifoldKit.Distributions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// A VAE whose observation model is an <see cref="ILikelihood"/> (<see cref="ArchitectureOptions.Likelihood"/>)
/// and whose latent is Euclidean or,
/// through embedding-reparameterisation, a manifold (the paper, sections 2–3):
/// x → encoder → q(z_hid|x) → z_hid → f(z_hid) [→ a(x)·f(z_hid)] → decoder → p(x|·),
/// with the KL in the hidden space. A learned f is frozen and is not one of this module's parameters.
/// </summary>
public sealed class VariationalAutoencoder : nn.Module
{
    private readonly Sequential encoder;
    private readonly Linear posteriorHead;
    private readonly Linear? actionHead;
    private readonly Linear?[] actionHeads;
    private readonly Sequential decoder;
    private readonly ILikelihood likelihood;

    /// <summary>Builds the model; its weights come from the process-wide generator (<see cref="Initialisation.Draw"/> gives them a seed of their own).</summary>
    public VariationalAutoencoder(LatentSpace latent, ArchitectureOptions? architecture = null) : base(nameof(VariationalAutoencoder))
    {
        Latent = latent;
        Architecture = architecture ?? new ArchitectureOptions();
        var widths = Architecture.HiddenWidths;
        encoder = Mlp(Architecture.ObservedDim, widths, finalActivation: true);
        posteriorHead = nn.Linear(widths[^1], latent.PosteriorParameters);
        // One head per factor with an action, drawn in factor order before the decoder, so a single
        // latent (one factor) draws its weights exactly as before.
        actionHeads = [.. latent.Factors.Select(f => f.Action is null ? null : nn.Linear(widths[^1], f.Action.ParameterDim))];
        actionHead = actionHeads.FirstOrDefault(h => h is not null);
        decoder = Mlp(latent.DecoderInputDim, [.. widths, Architecture.ObservedDim], finalActivation: false);
        likelihood = Likelihoods.Create(Architecture.Likelihood, Architecture.ObservedDim);
        RegisterComponents();
        // The first action head keeps its name ("actionHead", in existing checkpoints); later ones are numbered by factor.
        for (var i = 0; i < actionHeads.Length; i++)
            if (actionHeads[i] is { } head && head != actionHead) register_module($"actionHead{i}", head);
        // Directly on this module, so a Gaussian's log σ keeps the name and place ("logScale", first)
        // that existing checkpoints hold it at. The likelihood keeps its own reference: a conversion that
        // replaces parameters (module.to(dtype)) would leave it behind; load copies in place.
        foreach (var (name, parameter) in likelihood.Parameters) register_parameter(name, parameter);
    }

    /// <summary>The latent space.</summary>
    public LatentSpace Latent { get; }

    /// <summary>The MLP sizes.</summary>
    public ArchitectureOptions Architecture { get; }

    /// <summary>The observation model p(x|·).</summary>
    public ILikelihood Likelihood => likelihood;

    /// <summary>The device its weights are on (where its inputs and noise generators must be).</summary>
    public Device Device => parameters().First().device;

    /// <summary>
    /// Moves the model to <paramref name="device"/>, with what it uses but does not register: the
    /// likelihood's own reference to its parameters, and a learned f of the latent.
    /// </summary>
    public void MoveTo(Device device)
    {
        this.to(device);
        var registered = named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter);
        likelihood.Rebind(name => registered[name]);
        foreach (var factor in Latent.Factors)
            if (factor.Embedding is nn.Module f) f.to(device);
    }

    /// <summary>The posterior q(z_hid|x) for a batch.</summary>
    /// <param name="x">Tensor of shape <c>[B, D]</c>.</param>
    public LatentDistribution Encode(Tensor x) => Latent.Posterior.Create(posteriorHead.forward(encoder.forward(x)));

    /// <summary>
    /// What the decoder sees for hidden codes z (<c>[S, B, n]</c>): f(z), moved by g = a(x) when the
    /// model has a group-action encoder. Shape <c>[S, B, DecoderInputDim]</c>.
    /// </summary>
    public Tensor DecoderInput(Tensor x, Tensor hidden) => Place(encoder.forward(x), hidden);

    /// <summary>Runs <paramref name="measure"/> in evaluation mode without gradients, then puts the model back in the mode it was in.</summary>
    public T Evaluating<T>(Func<T> measure)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var gradients = no_grad();
            return measure();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>The decoder's raw output (the likelihood's parameters, e.g. a Gaussian's mean) for decoder inputs <c>[..., DecoderInputDim]</c>, e.g. from <see cref="LatentSpace.ToDecoderInput(Tensor)"/>.</summary>
    public Tensor Decode(Tensor input) => decoder.forward(input);

    /// <summary>What the model makes of each point: the likelihood's mean at the decoder output for the posterior mean, <c>[B, D]</c>.</summary>
    public Tensor Reconstruct(Tensor x)
    {
        using var scope = NewDisposeScope();
        var output = decoder.forward(DecoderInput(x, Encode(x).Mean.unsqueeze(0))).squeeze(0);
        return likelihood.Mean(output).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The likelihood's mean for <paramref name="count"/> codes drawn from the prior, <c>[count, D]</c>. No
    /// group action moves them: there is no x for a(x) to read.
    /// </summary>
    public Tensor DecodePrior(long count, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var hidden = Latent.Posterior.SamplePrior(count, Latent.HiddenDim, generator);
        return likelihood.Mean(decoder.forward(Latent.ToDecoderInput(hidden))).MoveToOuterDisposeScope();
    }

    /// <summary>The per-sample terms of the objective with <paramref name="samples"/> posterior samples per point.</summary>
    /// <param name="x">Tensor of shape <c>[B, D]</c>.</param>
    /// <param name="samples">S, samples per point.</param>
    /// <param name="generator">Source of the posterior noise.</param>
    /// <param name="densities">Also compute log q and log p of the samples (for importance weighting).</param>
    public ModelTerms Terms(Tensor x, long samples, Generator? generator, bool densities = true)
    {
        var features = encoder.forward(x);
        var posterior = Latent.Posterior.Create(posteriorHead.forward(features));
        var sample = densities ? posterior.RSampleWithDensities(samples, generator) : null;
        var (hidden, noise) = sample is null ? posterior.RSampleForTraining(samples, generator) : (sample.Value, sample.NoiseLogDensity);
        var output = decoder.forward(Place(features, hidden));                 // [S, B, D]
        var logLikelihood = likelihood.LogProb(x, output);
        return new ModelTerms(logLikelihood, posterior.KlToPrior(), sample?.LogQ, sample?.LogPrior, noise);
    }

    /// <summary>
    /// Sets the action head up from a batch of data as <paramref name="how"/> says; nothing without an
    /// action head or for <see cref="ActionHeadInit.Drawn"/>.
    /// </summary>
    /// <param name="x">A batch of data, <c>[B, D]</c>; Principal needs B larger than the head's outputs.</param>
    /// <param name="how">Centred or principal (<see cref="ArchitectureOptions.ActionHeadInit"/>).</param>
    public void InitialiseActionHead(Tensor x, ActionHeadInit how)
    {
        if (how == ActionHeadInit.Drawn) return;
        foreach (var head in actionHeads)
            if (head is not null) InitialiseActionHead(head, x, how);
    }

    private void InitialiseActionHead(Linear actionHead, Tensor x, ActionHeadInit how)
    {
        using var scope = NewDisposeScope();
        using var gradients = no_grad();
        var features = encoder.forward(x);
        if (how == ActionHeadInit.Principal)
        {
            // Whitened top-p principal directions of the features, at the drawn head's output scale.
            var scale = actionHead.forward(features).std().item<float>();
            var centred = (features - features.mean([0L])).to_type(ScalarType.Float64);
            var (values, vectors) = linalg.eigh(centred.T.matmul(centred) / (x.shape[0] - 1));   // ascending
            var p = actionHead.weight!.shape[0];
            var top = vectors[.., TensorIndex.Slice(-p)].flip(1);
            var spread = values[TensorIndex.Slice(-p)].flip(0).clamp_min(1e-12).sqrt();
            actionHead.weight.copy_((top / spread).T * scale);
        }
        actionHead.bias!.sub_(actionHead.forward(features).mean([0L]));
    }

    /// <summary>
    /// Starts the likelihood at the fit of the model that ignores z (<see cref="ObservationInit.Data"/>),
    /// per dimension, as <see cref="ILikelihood.FitIgnoringZ"/> says (Gaussian: the decoder's output at
    /// the data's mean and σ at its standard deviation). The output layer's weights start at zero:
    /// drawn, they would add a variation far larger than the data's.
    /// </summary>
    /// <param name="x">A batch of data, <c>[B, D]</c>, B &gt; 1.</param>
    public void InitialiseObservationModel(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var gradients = no_grad();
        var output = (Linear)decoder.children().Last();
        output.weight!.zero_();
        likelihood.FitIgnoringZ(x, output.bias!);
    }

    /// <summary>
    /// Sets the posterior head's bias so that, for zero features, every coordinate of q(z|x) has
    /// standard deviation <paramref name="std"/> (<see cref="ArchitectureOptions.InitialPosteriorStd"/>);
    /// bias entries that only place the posterior keep their values.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The posterior family has no member with that spread.</exception>
    public void SetInitialPosteriorStd(double std)
    {
        var offset = 0;
        foreach (var factor in Latent.Factors)
        {
            Initialisation.SetPosteriorStd(posteriorHead, factor.Posterior, factor.HiddenDim, std, offset);
            offset += factor.PosteriorParameters;
        }
    }

    /// <summary>
    /// Every parameter of the model under a stable name, in the order of the forward pass, for an export
    /// (<see cref="ModelExport"/>): <c>encoder.{i}</c> and <c>decoder.{i}</c> number the layers as a
    /// PyTorch <c>nn.Sequential</c> of Linear and ReLU does (ReLUs at the odd places, so a
    /// <c>load_state_dict</c> takes them as they are), then <c>posterior_head</c>, <c>action_head.{factor}</c>
    /// and <c>likelihood.{name}</c>. The tensors are the model's own, not copies.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> NamedWeights()
    {
        var weights = new List<(string, Tensor)>();
        void Add(string prefix, nn.Module module)
        {
            foreach (var (name, parameter) in module.named_parameters()) weights.Add(($"{prefix}.{name}", parameter));
        }
        Add("encoder", encoder);
        Add("posterior_head", posteriorHead);
        for (var i = 0; i < actionHeads.Length; i++)
            if (actionHeads[i] is { } head) Add($"action_head.{i}", head);
        Add("decoder", decoder);
        foreach (var (name, parameter) in likelihood.Parameters) weights.Add(($"likelihood.{name}", parameter));
        return weights;
    }

    /// <summary>The layers of the encoder and the decoder in order, by the names of <see cref="NamedWeights"/>: <c>["decoder.0", "relu", "decoder.2", …]</c>.</summary>
    public (IReadOnlyList<string> Encoder, IReadOnlyList<string> Decoder) LayerOrder() => (ModelExport.Layers("encoder", encoder), ModelExport.Layers("decoder", decoder));

    /// <summary>The (first factor's) action head's raw outputs for a batch, <c>[B, p]</c>, before they become group elements.</summary>
    /// <exception cref="InvalidOperationException">The model has no group-action encoder.</exception>
    public Tensor ActionParameters(Tensor x) =>
        (actionHead ?? throw new InvalidOperationException("this model has no group-action encoder")).forward(encoder.forward(x));

    /// <summary>The layers as <see cref="StackedAutoencoder"/> reads them: encoder and decoder Linear layers in order, the heads (an action head per factor, null where a factor has none).</summary>
    internal (IReadOnlyList<Linear> Encoder, Linear PosteriorHead, IReadOnlyList<Linear?> ActionHeads, IReadOnlyList<Linear> Decoder) Layers() =>
        ([.. encoder.children().OfType<Linear>()], posteriorHead, actionHeads, [.. decoder.children().OfType<Linear>()]);

    private Tensor Place(Tensor features, Tensor hidden)
    {
        if (actionHead is null) return Latent.ToDecoderInput(hidden);
        // Each factor's element [B, k, k] acts on that factor's image only.
        Tensor?[] elements = [.. Latent.Factors.Select((f, i) => actionHeads[i] is { } head ? f.Action!.ElementFromParameters(head.forward(features)) : null)];
        return Latent.ToDecoderInput(hidden, elements);
    }

    private static Sequential Mlp(int input, int[] widths, bool finalActivation)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var previous = input;
        for (var i = 0; i < widths.Length; i++)
        {
            layers.Add(nn.Linear(previous, widths[i]));
            if (finalActivation || i < widths.Length - 1) layers.Add(nn.ReLU());
            previous = widths[i];
        }
        return nn.Sequential(layers);
    }
}
