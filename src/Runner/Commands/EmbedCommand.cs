using System.CommandLine;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;
using ManifoldKit.Training;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit embed MANIFOLD [--out FILE] [--steps N] [--seed N] [--restarts K] [--setting k=v]</c>.</summary>
public static class EmbedCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("manifold") { Description = "Registry name of the manifold, e.g. sphere." };
        var output = new Option<string?>("--out") { Description = "Where to save f (default: embeddings/MANIFOLD.bin); metadata goes to FILE.json." };
        var steps = new Option<int>("--steps") { Description = "WAE-MMD steps.", DefaultValueFactory = _ => new WaeOptions().Steps };
        var seed = new Option<long>("--seed") { Description = "Seed of initialisation and sampling.", DefaultValueFactory = _ => 0 };
        var restarts = new Option<int>("--restarts") { Description = "WAEs to train from different seeds; the one with the lowest held-out loss is kept (as wae.restarts).", DefaultValueFactory = _ => 1 };
        var settings = CommandLine.SettingOption();
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("embed", "Learn a WAE-MMD embedding of [0,1]^n onto a manifold and save it for reuse.") { name, output, steps, seed, restarts, settings, pluginDirs };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            var catalog = CommandLine.Catalog(parse.GetValue(pluginDirs) ?? []);
            var manifold = catalog.Create(parse.GetValue(name)!, CommandLine.Settings(parse.GetValue(settings) ?? []));
            if (parse.GetValue(steps) < 1) throw new ConfigException($"--steps is {parse.GetValue(steps)}; expected a positive integer.");
            var path = parse.GetValue(output) ?? Path.Combine("embeddings", $"{manifold.Name}.bin");
            if (parse.GetValue(restarts) is < 1 or > Trainer.MaxRestarts) throw new ConfigException($"--restarts is {parse.GetValue(restarts)}; expected an integer from 1 to {Trainer.MaxRestarts}.");
            var options = new WaeOptions { Steps = parse.GetValue(steps), Seed = parse.GetValue(seed), Restarts = parse.GetValue(restarts) };
            Console.WriteLine($"learning f : [0,1]^{manifold.IntrinsicDim} -> {manifold.Name} in R^{manifold.AmbientDim}, {options.Steps} steps{(options.Restarts > 1 ? $", best of {options.Restarts} seeds" : "")}");
            var every = Math.Max(250, options.Steps / 10 / 250 * 250);                         // WAE reports every 250 steps
            using var f = WaeMmdTrainer.Train(manifold, options, new SynchronousProgress<(int Step, double Loss)>(p =>
            {
                // The attempts train side by side: their mean loss.
                if (p.Step % every == 0 || p.Step == options.Steps)
                    Console.WriteLine($"  step {p.Step}/{options.Steps}  WAE loss {p.Loss:G4}{(options.Restarts > 1 ? $" (mean of the {options.Restarts} attempts)" : "")}");
            }), Console.WriteLine);
            f.SaveTo(path);
            Console.WriteLine($"saved {path} (+ {path}.json)");
            var quality = EmbeddingProvider.QualityOf(f, manifold, path);
            Console.WriteLine(quality.Describe());
            Console.WriteLine($"quality saved to {EmbeddingProvider.QualityPath(path)}");
            return QualityCommand.Verdict(quality, new EmbeddingChecks());
        }));
        return command;
    }
}
