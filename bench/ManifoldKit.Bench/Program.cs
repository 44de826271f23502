// Training memory and speed over a long run: resident memory and live tensors at checkpoints.
// Usage: manifoldkit-bench [steps=5000]
using System.Diagnostics;
using ManifoldKit.Data;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using TorchSharp;
using static TorchSharp.torch;

var steps = args.Length > 0 ? int.Parse(args[0]) : 5000;
var circle = new Circle();
using var task = new ToyTask(circle);
var latent = LatentSpace.Manifold("circle", circle.ExactEmbedding, circle.Symmetry);
using var trainer = new Trainer(() => new VariationalAutoencoder(latent), task, new TrainingOptions { Steps = steps, ReportEvery = 100 });
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
Console.WriteLine($"model: er-proj with group action (circle), batch 128, {steps} steps");
Console.WriteLine("step  steps/s  rss_MiB  live_tensors  elbo");
var clock = Stopwatch.StartNew();
var lastStep = 0;
var lastTime = TimeSpan.Zero;
trainer.Run(new Reporter(p =>
{
    if (p.Step % 1000 != 0 && p.Step != 100) return;
    using var process = Process.GetCurrentProcess();
    var rate = (p.Step - lastStep) / (clock.Elapsed - lastTime).TotalSeconds;
    (lastStep, lastTime) = (p.Step, clock.Elapsed);
    Console.WriteLine($"{p.Step,5}  {rate,7:F0}  {process.WorkingSet64 / (1024.0 * 1024),7:F1}  {DisposeScopeManager.Statistics.ThreadTotalLiveCount,12}  {p.Elbo,6:F1}");
}));
Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s, {steps / clock.Elapsed.TotalSeconds:F0} steps/s");

internal sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
