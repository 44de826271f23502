namespace ManifoldKit.Testing;

/// <summary>
/// A generated seed for a tensor-valued input: properties build their tensors from
/// <c>new Generator(seed)</c>, so a failing case replays from the seed FsCheck prints.
/// </summary>
/// <param name="Value">A non-negative seed.</param>
public readonly record struct Seed(int Value)
{
    /// <summary>A torch generator seeded with <see cref="Value"/>.</summary>
    public TorchSharp.torch.Generator Generator() => new((ulong)Value);

    /// <summary>A torch generator seeded with <see cref="Value"/> on <paramref name="device"/> (the CPU's is <see cref="Generator()"/>'s).</summary>
    public TorchSharp.torch.Generator Generator(TorchSharp.torch.Device device) =>
        device.type == TorchSharp.DeviceType.CPU ? Generator() : new((ulong)Value, device);

    /// <inheritdoc />
    public override string ToString() => $"seed {Value}";
}
