using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>Linear layers of several models applied at once, each weight stacked on a leading member axis G.</summary>
public static class StackedLinear
{
    /// <summary>
    /// Each member's layer on its own inputs: <c>[G, N, in]</c> with weights <c>[G, out, in]</c> and biases
    /// <c>[G, out]</c> gives <c>[G, N, out]</c>. One member runs the very operation <c>nn.Linear</c> runs,
    /// so a stack of one computes what the model alone computes, to the bit.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor bias) =>
        weight.shape[0] == 1
            ? nn.functional.linear(x[0], weight[0], bias[0]).unsqueeze(0)
            // bias + x·Wᵀ in one product. TorchSharp 0.107's baddbmm hands libtorch (this, batch1, batch2) as
            // (batch1, batch2, input), so the call reads shifted; StackedLinearTests pins the result.
            : x.baddbmm(weight.transpose(1, 2), bias.unsqueeze(1));

    /// <summary>Layers in turn with a ReLU between them (and after the last when <paramref name="finalActivation"/>), as the models' MLPs are built.</summary>
    public static Tensor Mlp(Tensor x, IReadOnlyList<(Tensor Weight, Tensor Bias)> layers, bool finalActivation)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            x = Apply(x, layers[i].Weight, layers[i].Bias);
            if (finalActivation || i < layers.Count - 1) x = x.relu_();   // in place: the layer's output is not needed for its gradient
        }
        return x;
    }
}
