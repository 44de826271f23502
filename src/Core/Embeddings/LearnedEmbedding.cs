using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Embeddings;

/// <summary>
/// A learned embedding f : [0,1]^n → R^m, the decoder of a WAE-MMD trained on uniform samples of a
/// manifold (the paper, section 2.2): an MLP n → 64 → 64 → m. Saved as weights plus a JSON sidecar
/// naming the manifold and dimensions, so that one f serves many VAE runs.
/// </summary>
public sealed class LearnedEmbedding : nn.Module<Tensor, Tensor>, IEmbedding
{
    private readonly Sequential network;

    /// <summary>Creates an untrained embedding; weights come from the global torch generator.</summary>
    public LearnedEmbedding(string manifoldName, int hiddenDim, int ambientDim, int width = 64) : base(nameof(LearnedEmbedding))
    {
        (ManifoldName, HiddenDim, AmbientDim, Width) = (manifoldName, hiddenDim, ambientDim, width);
        network = nn.Sequential(nn.Linear(hiddenDim, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, ambientDim));
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

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden) => Embed(hidden);

    /// <summary>Stops gradients into f: it is frozen inside a VAE.</summary>
    public LearnedEmbedding Freeze()
    {
        foreach (var parameter in parameters()) parameter.requires_grad_(false);
        eval();
        return this;
    }

    /// <summary>Writes the weights to <paramref name="path"/> and the metadata to <c>path.json</c>, each atomically.</summary>
    public void SaveTo(string path)
    {
        var metadata = JsonSerializer.Serialize(new Metadata(ManifoldName, HiddenDim, AmbientDim, Width));
        AtomicFile.Write(path, temporary => save(temporary));
        AtomicFile.Write(path + ".json", temporary => File.WriteAllText(temporary, metadata));
    }

    /// <summary>Loads an embedding saved by <see cref="SaveTo"/>, frozen.</summary>
    /// <exception cref="FileNotFoundException">The weights or the metadata are missing.</exception>
    /// <exception cref="InvalidDataException">The metadata cannot be read.</exception>
    public static LearnedEmbedding Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no learned embedding at {path}; create one with 'manifoldkit embed'.", path);
        if (!File.Exists(path + ".json")) throw new FileNotFoundException($"{path}.json is missing: it names the manifold and dimensions of {path}.", path + ".json");
        Metadata metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<Metadata>(File.ReadAllText(path + ".json")) ?? throw new InvalidDataException("empty");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}.json is not embedding metadata: {error.Message}", error);
        }
        var embedding = new LearnedEmbedding(metadata.Manifold, metadata.HiddenDim, metadata.AmbientDim, metadata.Width);
        embedding.load(path);
        return embedding.Freeze();
    }

    private sealed record Metadata(string Manifold, int HiddenDim, int AmbientDim, int Width);
}
