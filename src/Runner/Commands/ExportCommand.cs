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
            var (config, plan, restored) = RunExecutor.Restore(run, parse.GetValue(pluginDirs) ?? []);
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
}
