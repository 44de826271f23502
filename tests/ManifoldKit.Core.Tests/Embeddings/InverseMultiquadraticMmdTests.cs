using FsCheck.Xunit;
using ManifoldKit.Embeddings;
using ManifoldKit.Testing;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Embeddings;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 30)]
public sealed class InverseMultiquadraticMmdTests
{
    /// <summary>The vectorised estimator equals the unbiased MMD² written out pair by pair.</summary>
    [Property]
    public void Mmd_EqualsThePairwiseDefinition(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var n = 1 + seed.Value % 3;
        var x = rand([7, n], dtype: ScalarType.Float64, generator: generator);
        var y = rand([7, n], dtype: ScalarType.Float64, generator: generator).pow(2);
        double[] scales = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];
        double K(Tensor a, Tensor b) => scales.Sum(s =>
        {
            var c = s * 2 * n / 12.0;
            return c / (c + (a - b).square().sum().item<double>());
        });
        double xx = 0, yy = 0, xy = 0;
        for (var i = 0; i < 7; i++)
            for (var j = 0; j < 7; j++)
            {
                if (i != j) { xx += K(x[i], x[j]); yy += K(y[i], y[j]); }
                xy += K(x[i], y[j]);
            }
        var expected = xx / 42 + yy / 42 - 2 * xy / 49;
        Xunit.Assert.Equal(expected, WaeMmdTrainer.InverseMultiquadraticMmd(x, y).item<double>(), 1e-10);
    }

    /// <summary>For a stack of sample pairs <c>[G, B, n]</c> the estimator gives each pair's MMD², as computed alone.</summary>
    [Property]
    public void Mmd_OfAStack_IsEachPairsMmd(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var n = 1 + seed.Value % 3;
        var x = rand([3, 9, n], dtype: ScalarType.Float64, generator: generator);
        var y = rand([3, 9, n], dtype: ScalarType.Float64, generator: generator).pow(2);
        var stacked = WaeMmdTrainer.InverseMultiquadraticMmd(x, y);
        TensorAssert.Shape(stacked, [3], "one MMD² per pair");
        for (var g = 0; g < 3; g++)
            Xunit.Assert.Equal(WaeMmdTrainer.InverseMultiquadraticMmd(x[g], y[g]).item<double>(), stacked[g].item<double>(), 1e-12);
    }

    /// <summary>
    /// The gradient with respect to the codes is autograd's of the kernel written out, Σ_C C / (C + d): the
    /// estimator computes the kernel's derivative itself, and this is the check that it is the derivative.
    /// </summary>
    [Property]
    public void Mmd_Gradient_IsAutogradsOfTheKernelWrittenOut(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var n = 1 + seed.Value % 3;
        var shape = seed.Value % 2 == 0 ? new long[] { 9, n } : [2, 9, n];
        var y = rand(shape, dtype: ScalarType.Float64, generator: generator).pow(2);
        var x = rand(shape, dtype: ScalarType.Float64, generator: generator).requires_grad_(true);
        WaeMmdTrainer.InverseMultiquadraticMmd(x, y).sum().backward();
        var fast = x.grad!.clone();
        x.grad!.zero_();
        WrittenOut(x, y).sum().backward();
        var scale = x.grad!.abs().max().item<double>();
        Xunit.Assert.True(scale > 1e-6, "the reference gradient is not zero, so the comparison means something");
        Xunit.Assert.True((fast - x.grad!).abs().max().item<double>() <= 1e-10 * scale, "the estimator's gradient is the kernel's");
    }

    // The estimator as autograd sees the formula: every block and scale in the graph.
    private static Tensor WrittenOut(Tensor x, Tensor y)
    {
        var (batch, n) = (x.shape[^2], x.shape[^1]);
        Tensor Distances(Tensor a, Tensor b) => (a.unsqueeze(-2) - b.unsqueeze(-3)).square().sum(-1);
        Tensor Kernel(Tensor d) => new[] { 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0 }.Select(s => s * 2 * n / 12.0).Select(c => c / (d + c)).Aggregate((a, b) => a + b);
        var within = (Kernel(Distances(x, x)).sum([-2, -1]) + Kernel(Distances(y, y)).sum([-2, -1]) - 14 * batch) / (batch * (batch - 1));
        return within - 2 * Kernel(Distances(x, y)).mean([-2, -1]);
    }
}
