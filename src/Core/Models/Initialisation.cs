using ManifoldKit.Distributions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// Draws a network's starting weights from a generator of its own. TorchSharp's layers draw from
/// the process-wide generator, which any thread may seed or advance at any moment (parallel tests,
/// runs side by side), so a seed set just before construction does not pin the weights down.
/// </summary>
public static class Initialisation
{
    // kaiming_uniform_(a = √5), PyTorch's default for Linear weights, computed as libtorch does so the
    // values equal those of a default construction after manual_seed with the same seed.
    private static readonly double Gain = Math.Sqrt(2.0 / (1 + Math.Pow(Math.Sqrt(5), 2)));

    /// <summary>
    /// Re-draws the weight and bias of every <see cref="Linear"/> layer of <paramref name="module"/>,
    /// depth first in registration order (the order of construction), from PyTorch's default distributions: weight and bias uniform on
    /// ±1/√fan_in. Other parameters are left as they are.
    /// </summary>
    public static void Draw(nn.Module module, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var layer in LinearLayers(module))
        {
            var fanIn = layer.weight!.shape[1];
            var bound = Math.Sqrt(3.0) * (Gain / Math.Sqrt(fanIn));
            layer.weight.uniform_(-bound, bound, generator);
            layer.bias?.uniform_(-1 / Math.Sqrt(fanIn), 1 / Math.Sqrt(fanIn), generator);
        }
    }

    /// <summary>
    /// Sets the bias of a posterior head (its outputs laid out as <paramref name="family"/> reads them,
    /// for <paramref name="dim"/> coordinates) so that, for zero features, every coordinate has standard
    /// deviation <paramref name="std"/>; entries that only place the posterior keep their values.
    /// </summary>
    /// <param name="head">The posterior head.</param>
    /// <param name="family">The family reading this slice of its outputs.</param>
    /// <param name="dim">The coordinates it covers.</param>
    /// <param name="std">The standard deviation wanted.</param>
    /// <param name="offset">Where the family's outputs start in the head (a product factor's slice).</param>
    /// <exception cref="ArgumentOutOfRangeException">The family has no member with that spread.</exception>
    public static void SetPosteriorStd(Linear head, IPosteriorFamily family, int dim, double std, int offset = 0)
    {
        var raw = family.RawForStd(dim, std);
        using var noGrad = no_grad();
        for (var i = 0; i < raw.Length; i++)
            if (raw[i] is { } value)
                head.bias![offset + i].fill_(value);
    }

    // Depth first: TorchSharp's modules() lists a module's children before their own submodules.
    private static IEnumerable<Linear> LinearLayers(nn.Module module) =>
        module is Linear layer ? [layer] : module.children().SelectMany(LinearLayers);
}
