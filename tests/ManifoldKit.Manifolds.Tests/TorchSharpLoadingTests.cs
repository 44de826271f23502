using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds.Tests;

/// <summary>libtorch loads from the build output (patched on Debian 12, see build/native) and computes gradients.</summary>
public sealed class TorchSharpLoadingTests
{
    [Fact]
    public void ForwardAndBackward_GiveTheKnownGradient()
    {
        using var scope = NewDisposeScope();
        // y = sum(w · x)² with w = (1, 2, 3), x = (4, 5, 6): dy/dw = 2 (w·x) x = 64 x.
        var w = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var x = tensor(new[] { 4.0, 5.0, 6.0 });
        var y = (w * x).sum().pow(2);
        y.backward();
        Assert.Equal(32.0 * 32.0, y.item<double>(), 12);
        Assert.Equal(new[] { 256.0, 320.0, 384.0 }, w.grad!.data<double>().ToArray());
    }
}
