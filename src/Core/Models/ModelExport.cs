using System.Text.Json;
using System.Text.Json.Nodes;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// A trained model as one safetensors file (<c>manifoldkit export</c>, docs/python.md): the weights of
/// <see cref="VariationalAutoencoder.NamedWeights"/>, a learned f's network as <c>embedding.{factor}.{i}</c>,
/// and metadata whose values are JSON strings: <c>architecture</c> (sizes, activation, layer order,
/// likelihood), <c>latent</c> (per factor: manifold, dimensions, posterior family, f, action) and <c>run</c>.
/// Enough to rebuild the decoder, or the whole model, in plain PyTorch.
/// </summary>
public static class ModelExport
{
    /// <summary>The value of the metadata key <c>format</c>; the number rises when a name or a key changes meaning.</summary>
    public const string Format = "manifoldkit-model/1";

    /// <summary>What the run's identity carries into the file.</summary>
    /// <param name="Name">The experiment's name.</param>
    /// <param name="Seed">The seed of the run.</param>
    /// <param name="Step">The step of the checkpoint exported.</param>
    /// <param name="Config">The run's resolved config.yaml, verbatim; null to leave it out.</param>
    public sealed record RunInfo(string Name, long Seed, int Step, string? Config);

    /// <summary>The tensors (the model's own, not copies) and the metadata of <paramref name="model"/>.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="factors">The plan's factors the model's latent was built from, in the same order.</param>
    /// <param name="run">The run it comes from.</param>
    /// <exception cref="ArgumentException">The factors do not match the model's latent.</exception>
    public static (IReadOnlyList<(string Name, Tensor Tensor)> Tensors, IReadOnlyDictionary<string, string> Metadata) Describe(
        VariationalAutoencoder model, IReadOnlyList<FactorPlan> factors, RunInfo run)
    {
        var latent = model.Latent;
        if (factors.Count != latent.Factors.Count) throw new ArgumentException($"{factors.Count} factor plans for a latent of {latent.Factors.Count} factors", nameof(factors));
        var tensors = new List<(string, Tensor)>(model.NamedWeights());
        var architecture = model.Architecture;
        var (encoderLayers, decoderLayers) = model.LayerOrder();
        var likelihoodParameters = new JsonObject();
        foreach (var (name, _) in model.Likelihood.Parameters)
            likelihoodParameters[$"likelihood.{name}"] = name == "logScale" ? "log σ per observed dimension (σ = exp), independent of z" : "a parameter of the likelihood";
        var architectureJson = new JsonObject
        {
            ["observed_dim"] = architecture.ObservedDim,
            ["hidden_widths"] = new JsonArray([.. architecture.HiddenWidths.Select(w => (JsonNode)w)]),
            ["activation"] = "relu",
            ["linear"] = "y = x @ weight.T + bias (torch.nn.Linear)",
            ["encoder"] = Strings(encoderLayers),
            ["decoder"] = Strings(decoderLayers),
            ["posterior_head"] = "posterior_head, on the encoder's output",
            ["likelihood"] = model.Likelihood.Name,
            ["decoder_output"] = model.Likelihood.Name switch
            {
                "gaussian" => "the mean of N(output, σ²) per dimension",
                "bernoulli" => "logits: x ~ Bernoulli(sigmoid(output)) per dimension",
                var other => $"the parameters of the '{other}' likelihood",
            },
            ["likelihood_parameters"] = likelihoodParameters,
        };

        var factorsJson = new JsonArray();
        int headOffset = 0, hiddenOffset = 0, inputOffset = 0;
        for (var i = 0; i < factors.Count; i++)
        {
            var factor = latent.Factors[i];
            var plan = factors[i];
            factorsJson.Add(new JsonObject
            {
                ["name"] = factor.Name,
                ["kind"] = plan.Manifold is null ? "euclidean" : "manifold",
                ["manifold"] = plan.Manifold?.Name,
                ["manifold_settings"] = Settings(plan.Options.ManifoldSettings),
                ["hidden_dim"] = factor.HiddenDim,
                ["hidden_slice"] = Slice(hiddenOffset, factor.HiddenDim),
                ["decoder_input_dim"] = factor.DecoderInputDim,
                ["decoder_input_slice"] = Slice(inputOffset, factor.DecoderInputDim),
                ["posterior"] = factor.Posterior.Name,
                ["posterior_head_rows"] = Slice(headOffset, factor.PosteriorParameters),
                ["embedding"] = Embedding(factor.Embedding, plan, i, tensors),
                ["action"] = factor.Action is { } action
                    ? new JsonObject
                    {
                        ["group"] = action.GroupName,
                        ["matrix_dim"] = action.MatrixDim,
                        ["parameter_dim"] = action.ParameterDim,
                        ["head"] = $"action_head.{i}",
                        ["implementation"] = action.GetType().FullName,
                    }
                    : null,
            });
            (headOffset, hiddenOffset, inputOffset) = (headOffset + factor.PosteriorParameters, hiddenOffset + factor.HiddenDim, inputOffset + factor.DecoderInputDim);
        }
        var latentJson = new JsonObject
        {
            ["name"] = latent.Name,
            ["kind"] = latent.IsProduct ? "product" : factors[0].Manifold is null ? "euclidean" : "manifold",
            ["hidden_dim"] = latent.HiddenDim,
            ["decoder_input_dim"] = latent.DecoderInputDim,
            ["posterior"] = latent.Posterior.Name,
            ["posterior_parameters"] = latent.PosteriorParameters,
            ["action"] = latent.Factors.Any(f => f.Action is not null),
            ["decoder_input"] = "each factor's f(z_hid) (z itself for a Euclidean factor), moved by its group element a(x) when it has an action, side by side in factor order",
            ["factors"] = factorsJson,
        };
        var runJson = new JsonObject { ["name"] = run.Name, ["seed"] = run.Seed, ["step"] = run.Step };
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["architecture"] = architectureJson.ToJsonString(JsonOptions),
            ["latent"] = latentJson.ToJsonString(JsonOptions),
            ["run"] = runJson.ToJsonString(JsonOptions),
        };
        if (run.Config is not null) metadata["config"] = run.Config;
        return (tensors, metadata);
    }

    /// <summary>
    /// Writes the export of <paramref name="model"/> to <paramref name="path"/> atomically: a failed write
    /// leaves no file, and an older one as it was. Returns the tensors written.
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> Write(string path, VariationalAutoencoder model, IReadOnlyList<FactorPlan> factors, RunInfo run)
    {
        var (tensors, metadata) = Describe(model, factors, run);
        AtomicFile.Write(path, temporary => SafeTensors.Write(temporary, tensors, metadata));
        return tensors;
    }

    /// <summary>The layers of a Sequential by export names: Linear layers as <c>prefix.{index}</c>, activations by their lower-case name.</summary>
    internal static IReadOnlyList<string> Layers(string prefix, Sequential sequential) =>
        [.. sequential.named_children().Select(child => child.module is Linear ? $"{prefix}.{child.name}" : child.module.GetName().ToLowerInvariant())];

    private static JsonNode Embedding(IEmbedding? embedding, FactorPlan plan, int index, List<(string, Tensor)> tensors)
    {
        var prefix = $"embedding.{index}";
        switch (embedding)
        {
            case null:
                return new JsonObject { ["kind"] = "identity" };
            case LearnedEmbedding learned:
            {
                // f is the WAE's decoder ("network"); its encoder e is not part of the VAE and stays out.
                const string network = "network.";
                foreach (var (name, parameter) in learned.named_parameters())
                    if (name.StartsWith(network, StringComparison.Ordinal)) tensors.Add(($"{prefix}.{name[network.Length..]}", parameter));
                var layers = learned.named_modules()
                    .Where(m => m.name.StartsWith(network, StringComparison.Ordinal) && !m.name[network.Length..].Contains('.'))
                    .Select(m => m.module is Linear ? $"{prefix}.{m.name[network.Length..]}" : m.module.GetName().ToLowerInvariant());
                return new JsonObject
                {
                    ["kind"] = "learned",
                    ["manifold"] = learned.ManifoldName,
                    ["width"] = learned.Width,
                    ["layers"] = Strings([.. layers]),
                    ["source"] = plan.Options.Embedding.ToString(),
                    ["input"] = "z_hid moved 1e-6 inside the cube (clamped)",
                };
            }
            case IExactEmbedding exact:
                return new JsonObject
                {
                    ["kind"] = "exact",
                    ["manifold"] = plan.Manifold?.Name,
                    ["manifold_settings"] = Settings(plan.Options.ManifoldSettings),
                    ["implementation"] = exact.GetType().FullName,
                    ["input"] = "z_hid moved 1e-6 inside the cube (clamped)",
                };
            case nn.Module module when module.parameters().Any():
                foreach (var (name, parameter) in module.named_parameters()) tensors.Add(($"{prefix}.{name}", parameter));
                return new JsonObject { ["kind"] = "module", ["implementation"] = module.GetType().FullName, ["tensors"] = prefix };
            default:
                return new JsonObject { ["kind"] = "opaque", ["implementation"] = embedding.GetType().FullName };
        }
    }

    private static JsonArray Strings(IReadOnlyList<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonArray Slice(int start, int length) => new(start, start + length);

    private static JsonObject Settings(IReadOnlyDictionary<string, string> settings)
    {
        var json = new JsonObject();
        foreach (var (key, value) in settings.OrderBy(p => p.Key, StringComparer.Ordinal)) json[key] = value;
        return json;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
