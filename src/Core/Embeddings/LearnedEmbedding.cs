using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Embeddings;

/// <summary>
/// A learned embedding f : [0,1]^n → R^m, the decoder of a WAE-MMD trained on uniform samples of a
/// manifold (the paper, section 2.2): an MLP n → 64 → 64 → m. It keeps the WAE's encoder
/// e : R^m → [0,1]^n (m → 64 → 64 → n, sigmoid) beside it, so that the reconstruction error
/// |x − f(e(x))|² can be measured after training. Saved as the weights of both plus a JSON sidecar
/// naming the manifold and dimensions, so that one f serves many VAE runs.
/// </summary>
public sealed class LearnedEmbedding : nn.Module<Tensor, Tensor>, IEmbedding
{
    /// <summary>The version of the saved files: 2 added the encoder's weights.</summary>
    public const int FileFormat = 2;

    // Field order is creation order: the decoder's weights are drawn first, as before the encoder
    // moved in here, so a seed still gives the same f.
    private readonly Sequential network;
    private readonly Sequential encoder;

    /// <summary>Creates an untrained embedding and encoder; weights come from the global torch generator, decoder first.</summary>
    public LearnedEmbedding(string manifoldName, int hiddenDim, int ambientDim, int width = 64) : base(nameof(LearnedEmbedding))
    {
        (ManifoldName, HiddenDim, AmbientDim, Width) = (manifoldName, hiddenDim, ambientDim, width);
        network = nn.Sequential(nn.Linear(hiddenDim, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, ambientDim));
        encoder = nn.Sequential(
            nn.Linear(ambientDim, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, hiddenDim), nn.Sigmoid());
        RegisterComponents();
    }

    /// <summary>Name of the manifold it was trained on.</summary>
    public string ManifoldName { get; }

    /// <inheritdoc />
    public int HiddenDim { get; }

    /// <inheritdoc />
    public int AmbientDim { get; }

    /// <summary>Width of the hidden layers.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public Tensor Embed(Tensor hidden) => network.forward(hidden);

    /// <summary>The Linear layers of f in order (ReLU between them), for stacking the f's of a seed group.</summary>
    internal IEnumerable<Linear> NetworkLayers() => network.children().OfType<Linear>();

    /// <summary>The Linear layers of the WAE encoder in order (ReLU between them, a sigmoid after the last).</summary>
    internal IEnumerable<Linear> EncoderLayers() => encoder.children().OfType<Linear>();

    /// <summary>The WAE's encoder e, an approximate inverse of f on the manifold.</summary>
    /// <param name="ambient">Tensor of shape <c>[..., m]</c>.</param>
    /// <returns>Tensor of shape <c>[..., n]</c> in (0, 1)^n.</returns>
    public Tensor Encode(Tensor ambient) => encoder.forward(ambient);

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden) => Embed(hidden);

    /// <summary>Stops gradients into f and its encoder: f is frozen inside a VAE.</summary>
    public LearnedEmbedding Freeze()
    {
        foreach (var parameter in parameters()) parameter.requires_grad_(false);
        eval();
        return this;
    }

    /// <summary>Writes the weights of f and its encoder to <paramref name="path"/> and the metadata to <c>path.json</c>, each atomically.</summary>
    public void SaveTo(string path)
    {
        var metadata = JsonSerializer.Serialize(new Metadata(FileFormat, ManifoldName, HiddenDim, AmbientDim, Width), JsonOptions);
        AtomicFile.Write(path, temporary => save(temporary));
        AtomicFile.Write(path + ".json", temporary => File.WriteAllText(temporary, metadata));
    }

    /// <summary>Loads an embedding saved by <see cref="SaveTo"/>, with its encoder, frozen.</summary>
    /// <exception cref="FileNotFoundException">The weights or the metadata are missing.</exception>
    /// <exception cref="InvalidDataException">The metadata cannot be read, or the files have another format (an older ManifoldKit's).</exception>
    public static LearnedEmbedding Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no learned embedding at {path}; create one with 'manifoldkit embed'.", path);
        if (!File.Exists(path + ".json")) throw new FileNotFoundException($"{path}.json is missing: it names the manifold and dimensions of {path}.", path + ".json");
        Metadata metadata;
        try
        {
            var text = File.ReadAllText(path + ".json");
            // Check the format before the fields: an old file has other keys and no encoder weights.
            using (var document = JsonDocument.Parse(text))
            {
                var format = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("format", out var value) && value.TryGetInt32(out var number)
                    ? number
                    : (int?)null;
                if (format != FileFormat)
                    throw new InvalidDataException(format is null
                        ? $"{path} was saved by an older ManifoldKit (without its WAE encoder); delete {path} and {path}.json and run 'manifoldkit embed' again."
                        : $"{path} has file format {format}, but this ManifoldKit reads format {FileFormat}; delete {path} and {path}.json and run 'manifoldkit embed' again.");
            }
            metadata = JsonSerializer.Deserialize<Metadata>(text, JsonOptions) ?? throw new InvalidDataException($"{path}.json is empty.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}.json is not embedding metadata: {error.Message}", error);
        }
        LearnedEmbedding? embedding = null;
        try
        {
            embedding = new LearnedEmbedding(metadata.Manifold, metadata.HiddenDim, metadata.AmbientDim, metadata.Width);
            embedding.load(path);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A cut or foreign file fails inside TorchSharp's reader: say which file, and what to do.
            embedding?.Dispose();
            throw new InvalidDataException(
                $"{path} is truncated or not the weights {path}.json describes ({System.Text.RegularExpressions.Regex.Replace(error.Message, @"\s+", " ")}); " +
                $"delete {path} and {path}.json and run 'manifoldkit embed' again.", error);
        }
        return embedding.Freeze();
    }

    /// <summary>Loads a saved embedding (<see cref="Load"/>) and checks that it maps [0,1]^n into R^m of <paramref name="manifold"/>.</summary>
    /// <exception cref="ArgumentException">Its dimensions are another manifold's; the message names both.</exception>
    public static LearnedEmbedding LoadFor(string path, IManifold manifold)
    {
        var loaded = Load(path);
        if (loaded.HiddenDim == manifold.IntrinsicDim && loaded.AmbientDim == manifold.AmbientDim) return loaded;
        loaded.Dispose();
        throw new ArgumentException(
            $"{path} embeds [0,1]^{loaded.HiddenDim} into R^{loaded.AmbientDim} ({loaded.ManifoldName}), but {manifold.Name} needs [0,1]^{manifold.IntrinsicDim} into R^{manifold.AmbientDim}.");
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, RespectRequiredConstructorParameters = true };

    private sealed record Metadata(int Format, string Manifold, int HiddenDim, int AmbientDim, int Width);
}
