// Speed and memory of training each Table 1 row at batch 128, and IWAE evaluation throughput.
// Usage: [MANIFOLDKIT_THREADS=n] manifoldkit-bench [--steps N] [--rows a,b] [--seeds G] [--samples S]   (N defaults to 10,000: resident memory is read at 1,000 and N)
//        --seeds G trains seeds 0…G−1 of each row as one SeedGroup (stacked model) instead of one Trainer; rates are then seed-steps/s
//        manifoldkit-bench --data [--steps N]   Fashion-MNIST: load time, memory, and a batch's share of a training step
//        manifoldkit-bench --wae [--steps N]    learning f: a WAE step, and its MMD² term alone
//        manifoldkit-bench --mlp [--steps N]    a ceiling: the er-learned-action row's bare networks, stacked, with Adam
//        manifoldkit-bench --gemm               the machine's float32 matrix-product rate at training's shapes
using System.Diagnostics;
using ManifoldKit;
using ManifoldKit.Data;
using ManifoldKit.Embeddings;
using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

LibTorchThreads.ApplyEnvironment();
NativeHeap.Configure();
var steps = 10_000;
var data = false;
var gemm = false;
var wae = false;
var mlp = false;
int? seeds = null;
var samples = 1;
string[] rows = ["vae-1d", "er-learned", "er-proj", "er-learned-action", "vae-2d"];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 1000: steps = n; i++; break;
        case "--rows" when i + 1 < args.Length: rows = args[++i].Split(','); break;
        case "--data": data = true; break;
        case "--gemm": gemm = true; break;
        case "--samples" when i + 1 < args.Length && int.TryParse(args[i + 1], out var k) && k >= 1: samples = k; i++; break;
        case "--wae": wae = true; break;
        case "--mlp": mlp = true; break;
        case "--seeds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var g) && g >= 1: seeds = g; i++; break;
        default:
            Console.Error.WriteLine($"manifoldkit-bench: unknown or bad argument '{args[i]}'. Usage: manifoldkit-bench [--steps N>=1000] [--rows vae-1d,er-proj,...] [--seeds G>=1] [--samples S>=1] | --data [--steps N>=1000] | --wae [--steps N>=1000] | --mlp [--steps N>=1000] | --gemm");
            return 2;
    }
}

if (data) return DataBench.Run(steps);
if (gemm) return GemmBench.Run();
if (wae) return WaeBench.Run(steps);
if (mlp) return MlpBench.Run(steps);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"each row: batch 128, {samples} posterior sample(s) per point, {steps} steps; steps/s is the median over windows of 100 steps after 200 warm-up steps; " +
                  (seeds is { } g0 ? $"{g0} seeds as one stacked model (SeedGroup): rates and allocations per seed-step, times per group step" : "one Trainer"));
Console.WriteLine();
Console.WriteLine("| row | steps/s | forward ms | backward ms | optimiser ms | managed KB/step | RSS MiB @1000 | RSS MiB @" + steps + " | IWAE k=100 points/s |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
var cache = Directory.CreateTempSubdirectory("mk-bench").FullName;
IManifold Resolve(string name, ManifoldSettings settings) => new Circle();
foreach (var row in rows)
{
    var latentOptions = row switch
    {
        "vae-1d" => new LatentOptions { Kind = LatentKind.Euclidean, Dim = 1 },
        "vae-2d" => new LatentOptions { Kind = LatentKind.Euclidean, Dim = 2 },
        "er-proj" => new LatentOptions { Embedding = EmbeddingSource.Exact },
        "er-learned" => new LatentOptions { Embedding = EmbeddingSource.Learned },
        "er-learned-action" => new LatentOptions { Embedding = EmbeddingSource.Learned, GroupAction = true },
        _ => throw new ArgumentException($"unknown row '{row}'"),
    };
    // Speed does not depend on how well f was learned: a short WAE is enough here, and its checks may fail.
    var spec = new ExperimentSpec { Latent = latentOptions, Wae = new WaeOptions { Steps = 200 }, EmbeddingChecks = new EmbeddingChecks { AllowFailures = true } };
    using var plan = ExperimentPlan.Resolve(spec, Resolve);
    using var task = new ToyTask(new Circle());
    var members = seeds ?? 1;
    var trainers = Enumerable.Range(0, members).Select(seed =>
    {
        var (latent, _, _) = TrainingRun.BuildLatent(plan, seed, new EmbeddingProvider(cache));
        return new Trainer(() => new VariationalAutoencoder(latent), task, new TrainingOptions { Steps = steps, ReportEvery = 100, Seed = seed, Samples = samples });
    }).ToList();
    // What learning f and the earlier rows freed goes back to the system, so resident memory is training's.
    GC.Collect();
    ProcessMemory.ReleaseFreeHeap();
    var group = new SeedGroup();
    var timings = seeds is null ? trainers[0].Timings : group.Timings;
    var windowRates = new List<double>();
    double rssAt1000 = 0, rssAtEnd = 0;
    long allocatedAtWarmup = 0;
    var window = Stopwatch.StartNew();
    var progress = new SynchronousProgress<TrainingProgress>(p =>
    {
        if (p.Step == 200)
        {
            timings.Reset();
            allocatedAtWarmup = GC.GetAllocatedBytesForCurrentThread();
        }
        else if (p.Step > 200) windowRates.Add(members * 100 / window.Elapsed.TotalSeconds);
        if (p.Step == 1000) rssAt1000 = ProcessMemory.ResidentMiB();
        if (p.Step == steps) rssAtEnd = ProcessMemory.ResidentMiB();
        window.Restart();
    });
    if (seeds is null) trainers[0].Run(progress);
    else group.Run([.. trainers.Select((t, i) => new SeedGroup.Member(t, i == 0 ? progress : null))]);
    var measured = timings.Steps;
    var allocatedPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocatedAtWarmup) / (double)measured / members / 1024;
    var (test, _) = task.TestSet(2000);
    var evaluation = Stopwatch.StartNew();
    foreach (var trainer in trainers) Evaluator.Iwae(trainer.Model, test, 100);
    var pointsPerSecond = members * 2000 / evaluation.Elapsed.TotalSeconds;
    windowRates.Sort();
    Console.WriteLine($"| {row} | {windowRates[windowRates.Count / 2]:F0} | {Ms(timings.Forward, measured):F2} | {Ms(timings.Backward, measured):F2} | {Ms(timings.Optimizer, measured):F2} | {allocatedPerStep:F1} | {rssAt1000:F0} | {rssAtEnd:F0} | {pointsPerSecond:F0} |");
    foreach (var trainer in trainers) trainer.Dispose();
}
Directory.Delete(cache, recursive: true);
return 0;

static double Ms(TimeSpan total, long steps) => total.TotalMilliseconds / steps;
