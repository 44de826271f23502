using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// The models of a group of seeds of one config computed as one: every parameter of the members stacked
/// along a leading member axis G, every layer one batched matrix product. A step of G models then costs
/// about as many operations as a step of one, which is what limits training speed on a CPU (each
/// operation's fixed cost, not its arithmetic). The members share architecture and latent; a learned f
/// may differ per member (each seed's own WAE) and is stacked the same way, frozen.
/// </summary>
/// <remarks>
/// The stacked parameters are the ones trained; <see cref="CopyTo"/> writes them back into the members,
/// which evaluation, checkpoints and exports use as they are. With one member every layer and reduction is
/// the operation <see cref="VariationalAutoencoder.Terms"/> runs, so a group of one is the single model.
/// </remarks>
public sealed class StackedAutoencoder : IDisposable
{
    private readonly StackedParameters parameters;
    private readonly (Tensor Weight, Tensor Bias)[] encoder;
    private readonly (Tensor Weight, Tensor Bias) posteriorHead;
    private readonly (Tensor Weight, Tensor Bias)?[] actionHeads;
    private readonly (Tensor Weight, Tensor Bias)[] decoder;
    private readonly Tensor[] likelihoodParameters;
    private readonly VariationalAutoencoder first;
    private readonly LatentSpace latent;
    private readonly List<IDisposable> owned = [];

    /// <summary>Stacks the members' current weights (copies: train these, then <see cref="CopyTo"/>).</summary>
    /// <exception cref="ArgumentException">No members, or members of different shapes.</exception>
    public StackedAutoencoder(IReadOnlyList<VariationalAutoencoder> members)
    {
        parameters = new StackedParameters(members);
        first = members[0];
        var layers = first.Layers();
        encoder = [.. layers.Encoder.Select(parameters.Of)];
        posteriorHead = parameters.Of(layers.PosteriorHead);
        actionHeads = [.. layers.ActionHeads.Select(h => h is null ? ((Tensor, Tensor)?)null : parameters.Of(h))];
        decoder = [.. layers.Decoder.Select(parameters.Of)];
        likelihoodParameters = [.. first.Likelihood.Parameters.Select(p => (Tensor)parameters.Of(p.Parameter))];
        latent = StackLatent([.. members.Select(m => m.Latent)]);
    }

    /// <summary>Models in the group.</summary>
    public int Members => parameters.Members;

    /// <summary>The stacked parameters, <c>[G, …]</c> each, in the order of a member's <c>parameters()</c>.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters.Parameters;

    /// <summary>
    /// Each member's training terms for its own batch: the mean log-likelihood over samples and points,
    /// and the mean KL, <c>[G]</c> each, and the rejection correction of a rejection sampler (else null).
    /// </summary>
    /// <param name="x">Each member's batch, <c>[G, B, D]</c>.</param>
    /// <param name="samples">Posterior samples per point.</param>
    /// <param name="generator">The posterior noise of the whole group.</param>
    public (Tensor LogLikelihood, Tensor Kl, Tensor? RejectionCorrection) Terms(Tensor x, long samples, Generator? generator)
    {
        var (logLikelihood, posterior, _, noiseLogDensity) = Forward(x, samples, generator, densities: false);
        var g = x.shape[0];
        var kl = posterior.KlToPrior().reshape(g, -1);
        var correction = noiseLogDensity is { } noise
            ? ModelTerms.RejectionCorrections(logLikelihood.reshape(g, -1), ByMember(noise.unsqueeze(-1), g).reshape(g, -1))
            : null;
        return (MeanPerMember(logLikelihood), MeanPerMember(kl), correction);
    }

    /// <summary>
    /// Every member's per-sample terms on its own batch, laid out as one batch of G·B points (member m's at
    /// m·B …), so <see cref="ModelTerms.Elbo"/> and <see cref="ModelTerms.Iwae"/> give <c>[G·B]</c>.
    /// </summary>
    /// <param name="x">Each member's batch, <c>[G, B, D]</c>.</param>
    /// <param name="samples">Posterior samples per point.</param>
    /// <param name="generator">The posterior noise of the whole group.</param>
    /// <param name="densities">Also compute log q and log p of the samples (for importance weighting).</param>
    public ModelTerms PointTerms(Tensor x, long samples, Generator? generator, bool densities = true)
    {
        var (logLikelihood, posterior, sample, noise) = Forward(x, samples, generator, densities);
        var perPoint = logLikelihood.permute(1, 0, 2).reshape(logLikelihood.shape[1], -1);   // [S, G·B]
        return new ModelTerms(perPoint, posterior.KlToPrior(), sample?.LogQ, sample?.LogPrior, noise);
    }

    /// <summary>log p(x|z) of each member's samples, <c>[G, S, B]</c>, with the posterior, the densities when asked for, and a rejection sampler's noise density.</summary>
    private (Tensor LogLikelihood, LatentDistribution Posterior, LatentSample? Sample, Tensor? Noise) Forward(Tensor x, long samples, Generator? generator, bool densities)
    {
        var (g, b) = (x.shape[0], x.shape[1]);
        var features = Mlp(encoder, x, finalActivation: true);                              // [G, B, H]
        var raw = Linear(posteriorHead, features);
        var posterior = latent.Posterior.Create(raw.reshape(g * b, raw.shape[2]));         // points of member m at m·B …
        var sample = densities ? posterior.RSampleWithDensities(samples, generator) : null;
        var (hidden, noise) = sample is null ? posterior.RSampleForTraining(samples, generator) : (sample.Value, sample.NoiseLogDensity);   // [S, G·B, n]
        Tensor?[]? elements = actionHeads.All(h => h is null)
            ? null
            : [.. latent.Factors.Select((f, i) => actionHeads[i] is { } head ? f.Action!.ElementFromParameters(Flat(Linear(head, features))) : null)];
        var input = elements is null ? latent.ToDecoderInput(hidden) : latent.ToDecoderInput(hidden, elements);   // [S, G·B, d]
        var s = input.shape[0];
        var output = Mlp(decoder, ByMember(input, g), finalActivation: false).reshape(g, s, b, -1);
        Tensor[] likelihood = [.. likelihoodParameters.Select(p => p.reshape([g, 1, 1, .. p.shape[1..]]))];
        return (first.Likelihood.LogProb(x.unsqueeze(1), output, likelihood), posterior, sample, noise);      // [G, S, B]
    }

    /// <summary>Writes the stacked weights back into the members (the same ones, in the same order, as were stacked).</summary>
    public void CopyTo(IReadOnlyList<VariationalAutoencoder> members) => parameters.CopyTo(members);

    /// <inheritdoc />
    public void Dispose()
    {
        parameters.Dispose();
        foreach (var item in owned) item.Dispose();
    }

    private static Tensor Linear((Tensor Weight, Tensor Bias) layer, Tensor x) => StackedLinear.Apply(x, layer.Weight, layer.Bias);

    private static Tensor Mlp((Tensor Weight, Tensor Bias)[] layers, Tensor x, bool finalActivation) => StackedLinear.Mlp(x, layers, finalActivation);

    private static Tensor Flat(Tensor perMember) => perMember.reshape(perMember.shape[0] * perMember.shape[1], perMember.shape[2]);

    // [S, G·B, d] (the posterior's layout) → [G, S·B, d] (a batch per member, for its layers).
    private static Tensor ByMember(Tensor input, long members) =>
        input.reshape(input.shape[0], members, -1, input.shape[2]).permute(1, 0, 2, 3).reshape(members, -1, input.shape[2]);

    // One member: the full mean the single model takes, so its rounding is the same.
    private static Tensor MeanPerMember(Tensor t) => t.shape[0] == 1 ? t.mean().reshape(1) : t.reshape(t.shape[0], -1).mean([1]);

    /// <summary>The members' latent space, with each factor's learned f (one per seed) stacked; a latent without one is the first member's.</summary>
    private LatentSpace StackLatent(IReadOnlyList<LatentSpace> latents)
    {
        var head = latents[0];
        if (latents.All(l => ReferenceEquals(l, head))) return head;
        var factors = head.Factors.Select((factor, i) =>
        {
            if (factor.Embedding is not LearnedEmbedding || latents.All(l => ReferenceEquals(l.Factors[i].Embedding, factor.Embedding))) return factor;
            var stacked = new StackedEmbedding([.. latents.Select(l => (LearnedEmbedding)l.Factors[i].Embedding!)]);
            owned.Add(stacked);
            return LatentSpace.Manifold(factor.Name, stacked, factor.Action, factor.Posterior);
        }).ToList();
        return head.IsProduct ? LatentSpace.Product(factors) : factors[0];
    }

    /// <summary>The learned f of each member, frozen and stacked: hidden codes laid out as the posterior lays them out (member m's at m·B …).</summary>
    private sealed class StackedEmbedding : IEmbedding, IDisposable
    {
        private readonly (Tensor Weight, Tensor Bias)[] layers;

        public StackedEmbedding(IReadOnlyList<LearnedEmbedding> members)
        {
            (HiddenDim, AmbientDim) = (members[0].HiddenDim, members[0].AmbientDim);
            var perMember = members.Select(m => m.NetworkLayers().ToArray()).ToArray();
            using var noGrad = no_grad();
            layers = [.. perMember[0].Select((_, i) => (stack(perMember.Select(p => p[i].weight!.detach()), 0), stack(perMember.Select(p => p[i].bias!.detach()), 0)))];
        }

        public int HiddenDim { get; }

        public int AmbientDim { get; }

        public Tensor Embed(Tensor hidden)
        {
            var members = layers[0].Weight.shape[0];
            var shape = hidden.shape;
            var x = StackedLinear.Mlp(ByMember(hidden.reshape(-1, shape[^2], shape[^1]), members), layers, finalActivation: false);
            // [G, S·B, m] back to the posterior's layout [S, G·B, m].
            var samples = shape.Length == 3 ? shape[0] : 1;
            var back = x.reshape(members, samples, -1, AmbientDim).permute(1, 0, 2, 3).reshape(samples, shape[^2], AmbientDim);
            return shape.Length == 3 ? back : back.squeeze(0);
        }

        public void Dispose()
        {
            foreach (var (weight, bias) in layers)
            {
                weight.Dispose();
                bias.Dispose();
            }
        }
    }
}
