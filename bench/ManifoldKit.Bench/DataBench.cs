using ManifoldKit;
using System.Diagnostics;
using ManifoldKit.Data;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

/// <summary>
/// Whether data is the bottleneck of a step on Fashion-MNIST: how long the source takes to load and
/// how much memory it holds, the time to draw one training batch of 100 (binarised, and rotated),
/// and that time's share of a whole training step of the benchmark's 256-128 Gaussian VAE.
/// </summary>
internal static class DataBench
{
    public static int Run(int steps)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, .NET {Environment.Version}; batch 100, {steps} steps after 200 warm-up");
        Console.WriteLine();
        Console.WriteLine("| data | load s | RSS MiB after load | batch ms | step ms | batch share of a step |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (label, options, dim) in new (string, DataOptions, int)[]
                 {
                     ("fashion-mnist, dynamic binarisation", new DataOptions { Source = DataSources.FashionMnist, Binarize = Binarization.Dynamic }, 784),
                     ("rotated fashion-mnist (40 × 40), dynamic", new DataOptions { Source = DataSources.FashionMnist, Binarize = Binarization.Dynamic, Rotate = Rotation.Uniform }, 1600),
                 })
        {
            var spec = new ExperimentSpec
            {
                Data = options,
                Architecture = new ArchitectureOptions { ObservedDim = dim, HiddenWidths = [256, 128], Likelihood = "bernoulli" },
                Latent = new LatentOptions { Kind = LatentKind.Euclidean, Dim = 10 },
            };
            var clock = Stopwatch.StartNew();
            using var source = DataSources.Create(spec, new Circle());
            var load = clock.Elapsed.TotalSeconds;
            var rss = ProcessMemory.ResidentMiB();

            using var generator = new Generator(0);
            for (var i = 1; i <= 200; i++) Draw(source, i, generator);
            clock.Restart();
            for (var i = 201; i <= 200 + steps; i++) Draw(source, i, generator);
            var batchMs = clock.Elapsed.TotalMilliseconds / steps;

            using var trainer = new Trainer(() => new VariationalAutoencoder(LatentSpace.Euclidean(10), spec.Architecture), source,
                new TrainingOptions { Steps = steps + 200, BatchSize = 100, ReportEvery = 100 });
            var stepClock = new Stopwatch();
            trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Step == 200) stepClock.Start();
            }));
            var stepMs = stepClock.Elapsed.TotalMilliseconds / steps;
            Console.WriteLine($"| {label} | {load:F2} | {rss:F0} | {batchMs:F3} | {stepMs:F3} | {batchMs / stepMs:P1} |");
        }
        return 0;
    }

    private static void Draw(IDataSource source, int step, Generator generator)
    {
        using var scope = NewDisposeScope();
        source.TrainingBatch(step, 100, generator);
    }
}
