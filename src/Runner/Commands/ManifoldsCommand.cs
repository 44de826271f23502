using System.CommandLine;
using System.Globalization;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit manifolds [--plugin-dir DIR]</c>.</summary>
public static class ManifoldsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("manifolds", "List the loaded manifolds: where each came from, its dimensions, exact embedding and group action.") { pluginDirs };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            var catalog = CommandLine.Catalog(parse.GetValue(pluginDirs) ?? []);
            Console.WriteLine("| name | n | ambient | volume | exact embedding | group action | plugin |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var entry in catalog.Entries)
            {
                var source = Path.GetRelativePath(AppContext.BaseDirectory, entry.AssemblyPath) is var relative && !relative.StartsWith("..", StringComparison.Ordinal)
                    ? relative : entry.AssemblyPath;
                try
                {
                    var m = catalog.Create(entry.Name, ManifoldSettings.Empty);
                    var volume = m.Volume is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "unknown";
                    var action = m.Symmetry is { } g ? $"{g.GroupName} ({g.ParameterDim} parameters)" : "none";
                    Console.WriteLine($"| {entry.Name} | {m.IntrinsicDim} | {m.AmbientDim} | {volume} | {(m.ExactEmbedding is null ? "no" : "yes")} | {action} | {source} |");
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    Console.WriteLine($"| {entry.Name} | ? | ? | ? | ? | ? | {source}: fails with default settings: {error.Message} |");
                }
            }
            var plugins = catalog.DataSources.Select(e => $"{e.Name} ({e.AssemblyPath})");
            Console.WriteLine($"data sources: {string.Join(", ", ManifoldKit.Data.DataSources.Names.Select(n => $"{n} (built in)").Concat(plugins))}");
            var families = catalog.PosteriorFamilies.Select(e => $"{e.Name} ({e.AssemblyPath})");
            Console.WriteLine($"posterior families: {string.Join(", ", Distributions.PosteriorFamilies.Names.Select(n => $"{n} (built in)").Concat(families))}");
            foreach (var diagnostic in catalog.Diagnostics) Console.WriteLine($"warning: {diagnostic}");
            return 0;
        }));
        return command;
    }
}
