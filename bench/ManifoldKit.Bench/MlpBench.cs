using System.Diagnostics;
using ManifoldKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A ceiling for the training benchmark: the er-learned-action row's bare networks (a 100-128-128-2 encoder
/// and a 2-128-128-100 decoder), G of them stacked as <c>SeedGroup</c> stacks them, trained with Adam on a
/// squared error at batch 128: no data sampling, posterior, KL, f, action or likelihood.
/// </summary>
internal static class MlpBench
{
    public static int Run(int steps)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}; batch 128, {steps} steps after 200 warm-up");
        Console.WriteLine();
        Console.WriteLine("| models | seed-steps/s | forward ms | backward ms | Adam ms |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var g in new[] { 1, 10, 25 })
        {
            using var scope = NewDisposeScope();
            (Tensor Weight, Tensor Bias) Layer(int input, int output) =>
                (new Parameter(randn(g, output, input) / Math.Sqrt(input)), new Parameter(zeros(g, output)));
            (Tensor Weight, Tensor Bias)[] encoder = [Layer(100, 128), Layer(128, 128), Layer(128, 2)];
            (Tensor Weight, Tensor Bias)[] decoder = [Layer(2, 128), Layer(128, 128), Layer(128, 100)];
            using var adam = optim.Adam([.. encoder.Concat(decoder).SelectMany(l => new[] { (Parameter)l.Weight, (Parameter)l.Bias })], 1e-3);
            var x = randn(g, 128, 100);
            long forward = 0, backward = 0, optimiser = 0;
            for (var step = -200; step < steps; step++)
            {
                using var stepScope = NewDisposeScope();
                var start = Stopwatch.GetTimestamp();
                adam.zero_grad();
                var code = StackedLinear.Mlp(x, encoder, finalActivation: false).sigmoid();
                var loss = (StackedLinear.Mlp(code, decoder, finalActivation: false) - x).square().sum();
                var forwardEnd = Stopwatch.GetTimestamp();
                loss.backward();
                var backwardEnd = Stopwatch.GetTimestamp();
                adam.step();
                if (step < 0) continue;
                (forward, backward, optimiser) = (forward + forwardEnd - start, backward + backwardEnd - forwardEnd, optimiser + Stopwatch.GetTimestamp() - backwardEnd);
            }
            double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / steps;
            Console.WriteLine($"| {g} | {g * 1000 / (Ms(forward) + Ms(backward) + Ms(optimiser)):F0} | {Ms(forward):F2} | {Ms(backward):F2} | {Ms(optimiser):F2} |");
        }
        return 0;
    }
}
