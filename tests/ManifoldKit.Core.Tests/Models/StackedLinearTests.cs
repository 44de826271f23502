using FsCheck.Xunit;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 30)]
public sealed class StackedLinearTests
{
    /// <summary>
    /// A stack of layers is each member's own layer on its own inputs, in value and in the gradients of
    /// input, weight and bias (this pins the batched product's argument order, which TorchSharp shifts).
    /// </summary>
    [Property]
    public void Apply_IsEachMembersLinearLayer(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var (g, n, input, output) = (1 + seed.Value % 4, 1 + seed.Value % 5, 1 + seed.Value % 3, 2 + seed.Value % 4);
        var x = randn([g, n, input], dtype: ScalarType.Float64, generator: generator).requires_grad_(true);
        var weight = randn([g, output, input], dtype: ScalarType.Float64, generator: generator).requires_grad_(true);
        var bias = randn([g, output], dtype: ScalarType.Float64, generator: generator).requires_grad_(true);
        var upstream = randn([g, n, output], dtype: ScalarType.Float64, generator: generator);

        var stacked = StackedLinear.Apply(x, weight, bias);
        TensorAssert.Shape(stacked, [g, n, output], "[G, N, out]");
        (stacked * upstream).sum().backward();
        var (gx, gw, gb) = (x.grad!.clone(), weight.grad!.clone(), bias.grad!.clone());
        foreach (var t in new[] { x, weight, bias }) t.grad!.zero_();

        var alone = stack(Enumerable.Range(0, g).Select(m => nn.functional.linear(x[m], weight[m], bias[m])), 0);
        (alone * upstream).sum().backward();
        Close(alone, stacked, "value");
        Close(x.grad!, gx, "input gradient");
        Close(weight.grad!, gw, "weight gradient");
        Close(bias.grad!, gb, "bias gradient");
    }

    /// <summary>The stacked MLP (ReLU between layers, and after the last when asked) is each member's MLP.</summary>
    [Property]
    public void Mlp_IsEachMembersMlp(Seed seed, bool finalActivation)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var g = 2 + seed.Value % 3;
        int[] widths = [3, 5, 4];
        var layers = widths.Zip(widths.Skip(1), (i, o) => (randn([g, o, i], dtype: ScalarType.Float64, generator: generator), randn([g, o], dtype: ScalarType.Float64, generator: generator))).ToArray();
        var x = randn([g, 6, widths[0]], dtype: ScalarType.Float64, generator: generator);
        var stacked = StackedLinear.Mlp(x, layers, finalActivation);
        for (var m = 0; m < g; m++)
        {
            var h = x[m];
            for (var i = 0; i < layers.Length; i++)
            {
                h = nn.functional.linear(h, layers[i].Item1[m], layers[i].Item2[m]);
                if (finalActivation || i < layers.Length - 1) h = nn.functional.relu(h);
            }
            Close(h, stacked[m], $"member {m}");
        }
    }

    private static void Close(Tensor expected, Tensor actual, string what) =>
        Xunit.Assert.True(allclose(actual, expected, rtol: 1e-12, atol: 1e-12), $"{what}: the stack differs from each member alone");
}
