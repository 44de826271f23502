using System.Text;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// What <c>sweep</c> and <c>report</c> share: the configs of a target (one file, or a folder's *.yaml in name
/// order) and their units, one per (config, seed) in the sweep's order, and the table over the runs that exist.
/// </summary>
public sealed class SweepTarget
{
    /// <summary>One (config, seed) pair; <see cref="Number"/> is its 0-based position in the sweep, which decides its shard.</summary>
    /// <param name="Number">The unit's 0-based position in the sweep.</param>
    /// <param name="ConfigIndex">Its config's position in <see cref="Configs"/>.</param>
    /// <param name="Config">Its config.</param>
    /// <param name="Seed">Its seed.</param>
    public sealed record Unit(int Number, int ConfigIndex, ExperimentConfig Config, long Seed)
    {
        /// <summary>Where the unit's run goes: <c>OUTPUT/NAME/seedN</c>.</summary>
        public string Directory => RunExecutor.DefaultDirectory(Config, Seed);
    }

    private SweepTarget(string path, IReadOnlyList<ExperimentConfig> configs)
    {
        Path = path;
        Configs = configs;
        Units = configs.SelectMany((c, i) => c.Spec.Seeds.Select(seed => (Index: i, Config: c, Seed: seed)))
            .Select((u, number) => new Unit(number, u.Index, u.Config, u.Seed)).ToList();
    }

    /// <summary>The target as given.</summary>
    public string Path { get; }

    /// <summary>The configs with the overrides applied, in the sweep's order.</summary>
    public IReadOnlyList<ExperimentConfig> Configs { get; }

    /// <summary>Every unit: configs in file-name order, each config's seeds in its order.</summary>
    public IReadOnlyList<Unit> Units { get; }

    /// <summary>Loads a config file, or every *.yaml of a folder in ordinal name order, with <paramref name="overrides"/>.</summary>
    /// <exception cref="ConfigException">No such file or folder, an empty folder, or a bad config.</exception>
    public static SweepTarget Load(string path, IReadOnlyList<string>? overrides)
    {
        var files = System.IO.Directory.Exists(path)
            ? System.IO.Directory.GetFiles(path, "*.yaml").Order(StringComparer.Ordinal).ToList()
            : File.Exists(path) ? [path] : throw new ConfigException($"{path}: no such config file or directory.");
        if (files.Count == 0) throw new ConfigException($"{path} holds no *.yaml configs.");
        return new SweepTarget(path, files.Select(f => ConfigLoader.Load(f, overrides)).ToList());
    }

    /// <summary>The finished runs (those with a result.json), one row per config that has any; a run still going or never started is left out.</summary>
    /// <exception cref="RunFileException">A result.json is damaged.</exception>
    /// <exception cref="ConfigException">A run directory holds another config's run (e.g. report given other overrides than sweep).</exception>
    public (IReadOnlyList<SweepSummary.Row> Rows, IReadOnlyList<Unit> Missing) Existing()
    {
        foreach (var unit in Units)
            RunExecutor.CheckSameConfig(unit.Config, unit.Seed, unit.Directory, "give the same config and overrides as the sweep that made it");
        var results = Units.Select(u => (Unit: u, Result: RunReport.Read(u.Directory))).ToList();
        var rows = Configs
            .Select((c, i) => new SweepSummary.Row(c.Spec.Name, results.Where(r => r.Unit.ConfigIndex == i && r.Result is not null).Select(r => r.Result!).ToList(), c.Reference))
            .Where(row => row.Results.Count > 0).ToList();
        return (rows, results.Where(r => r.Result is null).Select(r => r.Unit).ToList());
    }

    /// <summary>
    /// The Markdown table over <paramref name="rows"/>, then the missing units, each with the shard that owns
    /// it when <paramref name="shards"/> is given.
    /// </summary>
    public string Report(IReadOnlyList<SweepSummary.Row> rows, IReadOnlyList<Unit> missing, int? shards)
    {
        var text = new StringBuilder(rows.Count > 0 ? SweepSummary.Markdown(rows) : "No run has finished yet.\n");
        if (missing.Count == 0) return text.ToString();
        text.AppendLine();
        text.AppendLine($"{missing.Count} of {Units.Count} runs missing (no result.json yet):");
        foreach (var unit in missing)
            text.AppendLine($"- {unit.Config.Spec.Name} seed {unit.Seed}{(shards is { } n ? $" (shard {Shard.Owner(unit.Number, n)}/{n})" : "")}");
        return text.ToString();
    }

    /// <summary>One line per unit <paramref name="shard"/> runs, for the log.</summary>
    public string Describe(Shard shard)
    {
        var mine = Units.Where(u => shard.Owns(u.Number)).ToList();
        return $"shard {shard.Index}/{shard.Count} ({shard.Source}) runs {mine.Count} of {Units.Count} units (u mod {shard.Count} = {shard.Index}): " +
               (mine.Count == 0 ? "none" : string.Join(", ", mine.Select(u => $"#{u.Number} {u.Config.Spec.Name} seed {u.Seed}")));
    }
}
