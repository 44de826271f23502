using System.Diagnostics;
using static TorchSharp.torch;

/// <summary>
/// The arithmetic ceiling of this machine for the shapes training uses: float32 matrix products of
/// 128-wide layers, one model ([B,128]×[128,128]) and a stack of G models (bmm over [G,B,128]), beside a
/// large product that shows the cores' peak. docs/performance.md compares training rates with these.
/// </summary>
internal static class GemmBench
{
    public static int Run()
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}; float32; each figure the mean over 1 s after warm-up");
        Console.WriteLine();
        Console.WriteLine("| product | µs | GFLOP/s |");
        Console.WriteLine("|---|---|---|");
        foreach (var g in new[] { 1, 10, 25 })
        {
            using var a = randn(g, 128, 128);
            using var b = randn(g, 128, 128);
            Time($"bmm [{g},128,128]×[{g},128,128]", 2L * g * 128 * 128 * 128, () => bmm(a, b));
            using var rows = randn(g * 128, 128);
            using var w = randn(128, 128);
            Time($"mm [{g * 128},128]×[128,128]", 2L * g * 128 * 128 * 128, () => mm(rows, w));
        }
        foreach (var n in new[] { 512, 1024, 2048 })
        {
            using var m = randn(n, n);
            Time($"mm [{n},{n}]×[{n},{n}]", 2L * n * n * n, () => mm(m, m));
        }
        return 0;
    }

    static void Time(string name, long flop, Func<Tensor> product)
    {
        for (var i = 0; i < 20; i++) product().Dispose();
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.ElapsedMilliseconds < 1000) { product().Dispose(); n++; }
        var seconds = clock.Elapsed.TotalSeconds / n;
        Console.WriteLine($"| {name} | {seconds * 1e6:F1} | {flop / seconds / 1e9:F1} |");
    }
}
