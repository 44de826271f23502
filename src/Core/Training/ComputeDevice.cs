using System.Globalization;
using ManifoldKit.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace ManifoldKit.Training;

/// <summary>
/// The <c>device</c> key: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, parsed and checked against the
/// TorchSharp backend the runner was built with (TorchSharp-cpu has no CUDA).
/// </summary>
public static class ComputeDevice
{
    /// <summary>The config key.</summary>
    public const string Key = "device";

    /// <summary>The default: the only device this repository is tested on.</summary>
    public const string Cpu = "cpu";

    /// <summary>The forms the key accepts, as errors list them.</summary>
    public const string AcceptedForms = "cpu, cuda, or cuda:N with N a GPU number (0, 1, ...)";

    /// <summary>The device <paramref name="text"/> names, or null when it is none of the accepted forms.</summary>
    public static (DeviceType Type, int Index)? TryParse(string? text)
    {
        if (text == Cpu) return (DeviceType.CPU, -1);
        if (text == "cuda") return (DeviceType.CUDA, -1);
        // Digits only: "cuda:+1", "cuda: 1" and "cuda:-1" are refused rather than read as something else.
        if (text is not null && text.StartsWith("cuda:", StringComparison.Ordinal) && text.Length > 5 && text[5..].All(char.IsAsciiDigit)
            && int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return (DeviceType.CUDA, index);
        return null;
    }

    /// <summary>The torch device <paramref name="text"/> names.</summary>
    /// <exception cref="ExperimentException">Not one of the accepted forms.</exception>
    public static Device Parse(string text)
    {
        CheckForm(text);
        return text == Cpu ? CPU : device(text);
    }

    /// <summary>Whether <paramref name="x"/> is on <paramref name="device"/> (any GPU for <c>cuda</c> without a number).</summary>
    public static bool IsOn(Tensor x, Device device) =>
        x.device_type == device.type && (device.index < 0 || x.device_index == device.index);

    /// <summary><paramref name="x"/> itself when it is on <paramref name="device"/> (so nothing changes on the CPU), else a copy there.</summary>
    public static Tensor Move(Tensor x, Device device) => IsOn(x, device) ? x : x.to(device);

    /// <summary>A generator on <paramref name="device"/>; on the CPU exactly the generator the code made before devices existed.</summary>
    public static Generator NewGenerator(ulong seed, Device device) =>
        device.type == DeviceType.CPU ? new Generator(seed) : new Generator(seed, device);

    /// <summary>That <paramref name="text"/> is one of the accepted forms (no backend is asked).</summary>
    /// <exception cref="ExperimentException">It is not; the message names the value and the accepted forms.</exception>
    public static void CheckForm(string? text)
    {
        if (TryParse(text) is null)
            throw new ExperimentException(Key, $"{Key} is '{text}'; expected {AcceptedForms}.");
    }

    /// <summary>That the device <paramref name="text"/> names exists in this process's TorchSharp backend.</summary>
    /// <exception cref="ExperimentException">A malformed value, CUDA without the CUDA backend, or a GPU number beyond the GPUs present.</exception>
    public static void CheckAvailable(string text) => CheckAvailable(text, cuda.is_available, cuda.device_count);

    /// <summary><see cref="CheckAvailable(string)"/> with the backend's answers given, so the GPU messages can be tested on a machine without one.</summary>
    public static void CheckAvailable(string text, Func<bool> cudaAvailable, Func<int> cudaDeviceCount)
    {
        CheckForm(text);
        var (type, index) = TryParse(text)!.Value;
        if (type == DeviceType.CPU) return;
        if (!cudaAvailable())
            throw new ExperimentException(Key,
                $"{Key} is '{text}', but TorchSharp's CUDA backend is not available in this build (it uses the TorchSharp-cpu package, or finds no CUDA driver). " +
                "To train on a GPU, replace the TorchSharp-cpu package reference in src/Runner/ManifoldKit.Runner.csproj and Directory.Packages.props " +
                "with TorchSharp-cuda-linux (or TorchSharp-cuda-windows) of the same version and rebuild; or set device: cpu.");
        var count = cudaDeviceCount();
        if (index >= count)
            throw new ExperimentException(Key,
                $"{Key} is '{text}', but this machine has {count} CUDA device{(count == 1 ? "" : "s")} (numbered from 0); use {(count == 1 ? "cuda:0" : $"cuda:0 to cuda:{count - 1}")}, or cuda.");
    }
}
