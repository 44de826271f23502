using System.Diagnostics;
using ManifoldKit.Embeddings;
using ManifoldKit.Manifolds;
using static TorchSharp.torch;

/// <summary>
/// Speed of learning f: a WAE-MMD step on the circle at the protocol's batch of 256, one WAE and the
/// four attempts of <c>wae.restarts: 4</c> side by side, and the MMD² term alone (forward and backward).
/// </summary>
internal static class WaeBench
{
    public static int Run(int steps)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}; circle, batch 256, {steps} steps");
        Console.WriteLine();
        Console.WriteLine("| work | ms per step | peak RSS MiB |");
        Console.WriteLine("|---|---|---|");
        foreach (var restarts in new[] { 1, 4 })
        {
            var options = new WaeOptions { Steps = steps, Restarts = restarts };
            ProcessMemory.ResetPeak();
            var clock = Stopwatch.StartNew();
            using var f = WaeMmdTrainer.Train(new Circle(), options);
            Console.WriteLine($"| WAE, {restarts} attempt(s) (with choosing the best) | {clock.Elapsed.TotalMilliseconds / steps:F3} | {ProcessMemory.PeakMiB():F0} |");
        }
        foreach (var g in new[] { 1, 4 })
        {
            using var codes = rand(g, 256, 1).requires_grad_(true);
            using var prior = rand(g, 256, 1);
            for (var i = 0; i < 50; i++) Step(codes, prior);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++) Step(codes, prior);
            Console.WriteLine($"| MMD² of {g} pair(s), forward and backward | {clock.Elapsed.TotalMilliseconds / steps:F3} | |");
        }
        return 0;
    }

    static void Step(Tensor codes, Tensor prior)
    {
        using var scope = NewDisposeScope();
        WaeMmdTrainer.InverseMultiquadraticMmd(codes, prior).sum().backward();
        codes.grad!.zero_();
    }
}
