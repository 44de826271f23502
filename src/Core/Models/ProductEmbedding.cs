using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// f₁ × … × f_k: each factor's f on its own slice of the hidden cube, the images side by side. Its
/// pull-back metric is block-diagonal with the factors' (no slice reaches another factor's image).
/// </summary>
public sealed class ProductEmbedding(IReadOnlyList<IEmbedding> factors) : IEmbedding
{
    /// <summary>The factors' embeddings, in order.</summary>
    public IReadOnlyList<IEmbedding> Factors { get; } = factors;

    /// <inheritdoc />
    public int HiddenDim => Factors.Sum(f => f.HiddenDim);

    /// <inheritdoc />
    public int AmbientDim => Factors.Sum(f => f.AmbientDim);

    /// <inheritdoc />
    public Tensor Embed(Tensor hidden)
    {
        var parts = new List<Tensor>(Factors.Count);
        var offset = 0L;
        foreach (var f in Factors)
        {
            parts.Add(f.Embed(hidden.narrow(-1, offset, f.HiddenDim)));
            offset += f.HiddenDim;
        }
        return cat(parts, -1);
    }
}
