using System.CommandLine;
using ManifoldKit.Experiments;
using ManifoldKit.Models;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;
using ManifoldKit.Training;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit export RUN_DIR [--out FILE]</c>: the model of a run's last checkpoint as safetensors (docs/python.md).</summary>
public static class ExportCommand
{
    /// <summary>The file written when <c>--out</c> is not given, inside the run directory.</summary>
    public const string DefaultFile = "model.safetensors";

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("run-dir") { Description = "A run directory made by 'manifoldkit run' or 'sweep'." };
        var output = new Option<string?>("--out") { Description = $"The file to write (default: RUN_DIR/{DefaultFile})." };
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("export", "Write the model of a run's last checkpoint as a safetensors file (weights and architecture; see docs/python.md).")
            { directory, output, pluginDirs };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            var run = parse.GetValue(directory)!;
            var file = parse.GetValue(output) ?? Path.Combine(run, DefaultFile);
            if (!Directory.Exists(run)) throw new ConfigException($"{run} is not a directory; give a run directory made by 'manifoldkit run'.");
            if (!File.Exists(Path.Combine(run, RunExecutor.ConfigFile))) throw new ConfigException($"{run} has no {RunExecutor.ConfigFile}: give a directory made by 'manifoldkit run' (a seed's folder, e.g. runs/NAME/seed0).");
            if (!Checkpoint.Exists(run)) throw new ConfigException($"{run} has no checkpoint to export; train it first with 'manifoldkit run {run}'.");
            // Refused before the model is rebuilt, so a wrong --out costs nothing.
            if (Directory.Exists(file)) throw new ConfigException($"--out {file} is a directory; give a file name, e.g. --out {Path.Combine(file, DefaultFile)}.");
            var (config, plan, restored) = Restore(run, parse.GetValue(pluginDirs) ?? []);
            using var disposePlan = plan;
            using var disposeRun = restored;
            var seed = config.Spec.Seeds[0];
            var info = new ModelExport.RunInfo(config.Spec.Name, seed, restored.Step, File.ReadAllText(Path.Combine(run, RunExecutor.ConfigFile)));
            IReadOnlyList<(string Name, TorchSharp.torch.Tensor Tensor)> tensors;
            try
            {
                tensors = ModelExport.Write(file, restored.Model, plan.Factors, info);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The system's message names the temporary file; the user needs the path they gave, and a way out.
                throw new IOException($"{file}: {error.Message} Nothing was written; give a writable --out.", error);
            }
            Console.WriteLine($"{config.Spec.Name} seed {seed} at step {restored.Step}: {tensors.Count} tensors, " +
                              $"{tensors.Sum(t => t.Tensor.numel()):N0} parameters, {new FileInfo(file).Length:N0} bytes -> {file}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The model of <paramref name="run"/> as its last checkpoint holds it, with the config and plan it was
    /// built from (the caller disposes both): the learned f the run recorded in result.json, as eval finds it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has no checkpoint.</exception>
    public static (ExperimentConfig Config, ExperimentPlan Plan, TrainingRun Run) Restore(string run, IEnumerable<string> pluginDirs)
    {
        var config = ConfigLoader.Load(Path.Combine(run, RunExecutor.ConfigFile));
        var embeddingPath = RunReport.Read(run)?.EmbeddingPath;
        // A product's factors each have their own f and the result records one: they come from the cache (or their saved files) again.
        if (embeddingPath is not null && config.Spec.Latent.Factors.Count == 0)
            config = config with { Spec = config.Spec with { Latent = config.Spec.Latent with { Embedding = EmbeddingSource.Saved(embeddingPath) } } };
        var plan = RunExecutor.Resolve(config, CommandLine.Catalog(config.PluginDirs.Concat(pluginDirs)));
        try
        {
            return (config, plan, TrainingRun.Restore(plan, config.Spec.Seeds[0], run, RunExecutor.Embeddings(config, null)));
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }
}
