using ManifoldKit.Data;
using System.CommandLine;
using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;
using ManifoldKit.Training;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit eval RUN_DIR [--iwae-k K] [--elbo-samples S] [--test-size N]</c>.</summary>
public static class EvalCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("run-dir") { Description = "A run directory made by 'manifoldkit run' or 'sweep'." };
        var k = new Option<int?>("--iwae-k") { Description = "Importance samples of the IWAE bound (default: the run's)." };
        var samples = new Option<int?>("--elbo-samples") { Description = "Posterior samples per point for the ELBO (default: the run's)." };
        var size = new Option<int?>("--test-size") { Description = "Test points (default: the run's)." };
        var format = new Option<PlotFormat?>("--format") { Description = "File format of the redrawn figures: png or svg (default: the run's plot_format)." };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("eval", "Re-evaluate a saved run from its last checkpoint, and redraw its plots.") { directory, k, samples, size, format, pluginDirs };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            var run = parse.GetValue(directory)!;
            if (!File.Exists(Path.Combine(run, RunExecutor.ConfigFile))) throw new ConfigException($"{run} has no {RunExecutor.ConfigFile}: give a directory made by 'manifoldkit run'.");
            if (!Checkpoint.Exists(run)) throw new ConfigException($"{run} has no checkpoint to evaluate; run it first with 'manifoldkit run {run}'.");
            var (config, plan, restored) = RunExecutor.Restore(run, parse.GetValue(pluginDirs) ?? []);
            using var disposePlan = plan;
            using var disposeRun = restored;
            var evaluation = config.Spec.Evaluation;
            evaluation = evaluation with
            {
                IwaeSamples = Positive(parse.GetValue(k), "--iwae-k") ?? evaluation.IwaeSamples,
                ElboSamples = Positive(parse.GetValue(samples), "--elbo-samples") ?? evaluation.ElboSamples,
                TestSize = Positive(parse.GetValue(size), "--test-size") ?? evaluation.TestSize,
            };
            var seed = config.Spec.Seeds[0];
            string? quality = null;
            LatentGeometry? geometry = null;
            var embeddingPath = RunReport.Read(run)?.EmbeddingPath;
            var step = restored.Step;
            var (elbo, iwae, kl) = TrainingRun.Evaluate(restored.Model, restored.Task, evaluation, seed);
            var plotFormat = parse.GetValue(format) ?? config.PlotFormat;
            RunPlots.Latent(run, $"{config.Spec.Name} seed {seed}", restored.Model, restored.Task, plotFormat);
            RunPlots.Images(run, restored.Model, restored.Task);
            if (restored.Task is ToyTask toy) geometry = LatentGeometry.Measure(restored.Model, toy);
            if (restored.EmbeddingQuality is { } measured) quality = measured.Describe();
            RunPlots.Training(run, $"{config.Spec.Name} seed {seed}", config.Spec.Training, plotFormat);
            Console.WriteLine($"{config.Spec.Name} seed {seed} at step {step}, {evaluation.TestSize} test points:");
            Console.WriteLine($"  ELBO ({evaluation.ElboSamples} samples)  {elbo:F3}");
            Console.WriteLine($"  IWAE (k = {evaluation.IwaeSamples})  {iwae:F3}");
            Console.WriteLine($"  mean KL  {kl:F4}");
            if (restored.Model.Latent.IsProduct)
                Console.WriteLine($"  mean KL by factor  {string.Join(", ", restored.Model.Latent.Factors.Zip(TrainingRun.FactorKl(restored.Model, restored.Task, evaluation), (f, v) => $"{f.Name} {v:F4}"))}");
            if (AngleRecovery.Measure(restored.Model, restored.Task, evaluation.TestSize) is { } recovery)
                Console.WriteLine($"  angle recovery  {recovery:F3} (the circle factor's angle against the data's, after the best reflection and offset; 1 at best)");
            if (quality is not null) Console.WriteLine($"  learned f ({embeddingPath}):\n{Indent(quality)}");
            if (geometry is not null)
            Console.WriteLine($"  latent geometry ({geometry.Points} test points): pairwise distances of the decoder inputs at the posterior means " +
                              $"against the data's factors, correlation {geometry.DistanceCorrelation:F3} (1: the same geometry up to scale)");
            if (geometry is { HiddenMeanSpread.Length: > 0 })
                Console.WriteLine($"  posterior means in the hidden cube: std {string.Join(", ", geometry.HiddenMeanSpread.Select(v => v.ToString("F3")))} per coordinate " +
                                  $"({LatentGeometry.UniformSpread:F3} if spread uniformly; near 0 when the group action places every posterior)");
            Console.WriteLine($"  plots: {Path.Combine(run, "plots")}");
            return 0;
        }));
        return command;
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(line => "  " + line));

    private static int? Positive(int? value, string option) =>
        value is <= 0 ? throw new ConfigException($"{option} is {value}; expected a positive integer.") : value;
}
