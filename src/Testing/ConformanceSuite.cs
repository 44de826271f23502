using TorchSharp;
using static TorchSharp.torch;

namespace ManifoldKit.Testing;

/// <summary>What the three contract suites share: the manifold under test, built once per test, and the tolerance.</summary>
public abstract class ConformanceSuite
{
    private IManifold? manifold;

    /// <summary>The manifold under test.</summary>
    protected IManifold Manifold => manifold ??= CreateManifold();

    /// <summary>Builds the manifold under test.</summary>
    protected abstract IManifold CreateManifold();

    /// <summary>Absolute tolerance of the float64 identities.</summary>
    protected virtual double Tolerance => 1e-9;

    /// <summary>Where the laws' tensors are made: the CPU unless a suite overrides it (e.g. with <c>torch.CUDA</c> where TorchSharp's CUDA package is used).</summary>
    protected virtual Device Device => CPU;

    /// <summary>A generator on <see cref="Device"/>; on the CPU exactly <c>new Generator(seed)</c>.</summary>
    protected Generator NewGenerator(ulong seed) => Device.type == DeviceType.CPU ? new Generator(seed) : new Generator(seed, Device);
}
