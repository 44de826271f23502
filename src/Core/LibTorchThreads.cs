namespace ManifoldKit;

/// <summary>The thread cap every ManifoldKit program (runner, bench, probes) reads from its environment.</summary>
public static class LibTorchThreads
{
    /// <summary>The environment variable: a positive integer caps libtorch's threads, e.g. 1 when running several seeds side by side.</summary>
    public const string Variable = "MANIFOLDKIT_THREADS";

    /// <summary>Caps libtorch's threads at <see cref="Variable"/> when it holds a positive integer; otherwise leaves libtorch's default.</summary>
    public static void ApplyEnvironment()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(Variable), out var threads) && threads > 0)
            TorchSharp.torch.set_num_threads(threads);
    }
}
