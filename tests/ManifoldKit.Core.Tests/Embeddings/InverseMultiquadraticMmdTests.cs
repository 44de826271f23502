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
}
