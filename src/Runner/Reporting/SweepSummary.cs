using System.Globalization;
using System.Text;
using ManifoldKit.Experiments;

namespace ManifoldKit.Runner.Reporting;

/// <summary>A Markdown table of sweep results: per config, mean ± standard deviation over seeds.</summary>
public static class SweepSummary
{
    /// <summary>One config's runs.</summary>
    public sealed record Row(string Name, IReadOnlyList<ExperimentResult> Results, string? Reference);

    /// <summary>The table, one line per config in the given order.</summary>
    public static string Markdown(IEnumerable<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | runs | test ELBO | test IWAE | mean KL | collapsed | train time (s) | steps/s | reference |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var r = row.Results;
            var k = r.Select(x => x.IwaeSamples).Distinct().ToList();
            text.AppendLine(string.Join(" | ",
                $"| {row.Name}",
                r.Count.ToString(CultureInfo.InvariantCulture),
                MeanStd(r.Select(x => x.Elbo)),
                MeanStd(r.Select(x => x.Iwae)) + (k.Count == 1 ? $" (k={k[0]})" : ""),
                MeanStd(r.Select(x => x.Kl)),
                $"{r.Count(x => x.Collapsed)}/{r.Count}",
                MeanStd(r.Select(x => x.TrainSeconds), "F1"),
                r.Average(x => x.StepsPerSecond).ToString("F0", CultureInfo.InvariantCulture),
                (row.Reference ?? "") + " |"));
        }
        return text.ToString();
    }

    /// <summary>"mean ± sample standard deviation" (± 0 for one value).</summary>
    public static string MeanStd(IEnumerable<double> values, string format = "F2")
    {
        var list = values.ToList();
        var mean = list.Average();
        var std = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}";
    }
}
