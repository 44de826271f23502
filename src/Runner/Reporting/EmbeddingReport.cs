using System.Globalization;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Reporting;

/// <summary>How well an embedding lands on its manifold, in one line.</summary>
public static class EmbeddingReport
{
    /// <summary>Distance of f(z) from the manifold over 2,000 fresh uniform codes (fixed seed): mean, median, max.</summary>
    public static string Describe(IEmbedding f, IManifold manifold)
    {
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        using var generator = new Generator(12345);
        var distance = manifold.Distance(f.Embed(rand([2000, f.HiddenDim], generator: generator)));
        return string.Create(CultureInfo.InvariantCulture,
            $"distance of f(z) from {manifold.Name} over 2000 fresh codes: mean {distance.mean().item<float>():G3}, median {distance.median().item<float>():G3}, max {distance.max().item<float>():G3}");
    }
}
