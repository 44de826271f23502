using System.CommandLine;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit report CONFIG|DIR [--shards N] [--report FILE] [key=value ...]</c>: the sweep's table over the runs that exist.</summary>
public static class ReportCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "The experiment YAML or directory given to sweep." };
        var overrides = new Argument<string[]>("overrides") { Description = "The overrides given to sweep (they decide the seeds and the output folder).", Arity = ArgumentArity.ZeroOrMore };
        var report = new Option<string?>("--report") { Description = "Also write the table (Markdown) to this file." };
        var shards = new Option<int?>("--shards") { Description = "The N of the sweep's --shard I/N: name the shard that owns each missing run." };
        var command = new Command("report", "Print the sweep's table over the runs finished so far (e.g. by shards still running), then the runs missing; trains nothing.")
            { target, overrides, report, shards };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            if (parse.GetValue(shards) is < 1 and var n)
                throw new Configuration.ConfigException($"--shards {n}: expected a positive number of shards, the N of --shard I/N.");
            var sweep = SweepTarget.Load(parse.GetValue(target)!, parse.GetValue(overrides));
            var (rows, missing) = sweep.Existing();
            var text = sweep.Report(rows, missing, parse.GetValue(shards)) +
                       $"\n{rows.Sum(r => r.Results.Count)} of {sweep.Units.Count} runs finished, under {sweep.Configs[0].Output}.\n";
            Console.Write(text);
            if (parse.GetValue(report) is { } file) AtomicFile.WriteAllText(file, text);
            return 0;
        }));
        return command;
    }
}
