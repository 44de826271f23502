using System.Globalization;
using System.Text;
using ManifoldKit.Experiments;

namespace ManifoldKit.Runner.Reporting;

/// <summary>
/// Topology selection: candidate latents ranked by their mean test IWAE bound on one task, the
/// estimate of log p(x | model) that the paper's introduction proposes for learning the data's
/// symmetries.
/// </summary>
public static class Selection
{
    /// <summary>One candidate latent and its runs, one per seed.</summary>
    /// <param name="Latent">The candidate's name, e.g. <c>euclidean-2</c> or <c>sphere</c>.</param>
    /// <param name="MatchesTask">Whether it is the manifold that generated the data.</param>
    /// <param name="Results">Its finished runs.</param>
    public sealed record Candidate(string Latent, bool MatchesTask, IReadOnlyList<ExperimentResult> Results)
    {
        /// <summary>Mean test IWAE over seeds.</summary>
        public double MeanIwae => Results.Average(r => r.Iwae);
    }

    /// <summary>The candidates, best mean IWAE first.</summary>
    public static IReadOnlyList<Candidate> Rank(IEnumerable<Candidate> candidates) =>
        candidates.OrderByDescending(c => c.MeanIwae).ThenBy(c => c.Latent, StringComparer.Ordinal).ToList();

    /// <summary>The ranked table and a verdict: where the task's own latent landed (<paramref name="knownTopology"/>, a toy task), or which latent leads on data whose topology is not known.</summary>
    public static string Markdown(string task, IReadOnlyList<Candidate> ranked, bool knownTopology = true)
    {
        var text = new StringBuilder();
        var k = ranked.SelectMany(c => c.Results).Select(r => r.IwaeSamples).Distinct().ToList();
        // Angle recovery only where a candidate measured it (a circle factor on data with an angle).
        var angles = ranked.Any(c => c.Results.Any(r => r.AngleRecovery is not null));
        text.AppendLine($"| rank | latent | test IWAE{(k.Count == 1 ? $" (k={k[0]})" : "")} | test ELBO | mean KL | collapsed | seeds | train time (s) |{(angles ? " angle recovery |" : "")}");
        text.AppendLine("|---|---|---|---|---|---|---|---|" + (angles ? "---|" : ""));
        for (var i = 0; i < ranked.Count; i++)
        {
            var c = ranked[i];
            var name = c.MatchesTask ? $"**{c.Latent}** (the task's)" : c.Latent;
            text.AppendLine(string.Join(" | ",
                $"| {i + 1}", name,
                SweepSummary.MeanStd(c.Results.Select(r => r.Iwae)),
                SweepSummary.MeanStd(c.Results.Select(r => r.Elbo)),
                c.Results.Average(r => r.Kl).ToString("F2", CultureInfo.InvariantCulture),
                $"{c.Results.Count(r => r.Collapsed)}/{c.Results.Count}",
                c.Results.Count.ToString(CultureInfo.InvariantCulture),
                SweepSummary.MeanStd(c.Results.Select(r => r.TrainSeconds), "F1") + " |" +
                (!angles ? "" : c.Results.All(r => r.AngleRecovery is not null) ? $" {SweepSummary.MeanStd(c.Results.Select(r => r.AngleRecovery!.Value), "F3")} |" : " |")));
        }
        text.AppendLine();
        text.AppendLine(knownTopology ? Verdict(task, ranked) : Leader(task, ranked));
        return text.ToString();
    }

    /// <summary>
    /// Where the task's own latent ranks, and its margin over the best other candidate, paired by
    /// seed (both models see the same test set, so per-seed differences carry less noise than the
    /// two means).
    /// </summary>
    public static string Verdict(string task, IReadOnlyList<Candidate> ranked)
    {
        var index = ranked.ToList().FindIndex(c => c.MatchesTask);
        if (index < 0) return $"No candidate is the task's own manifold ({task}); nothing to compare it with.";
        var own = ranked[index];
        var rival = ranked.Where(c => !c.MatchesTask).FirstOrDefault();
        if (rival is null) return $"`{own.Latent}` is the only candidate.";
        var place = index == 0 ? "ranks **first**" : $"ranks **{Ordinal(index + 1)}**";
        return $"The task's own topology, `{own.Latent}`, {place} of {ranked.Count} on `{task}`; against `{rival.Latent}`, the best other latent: {Margin(own, rival)}.";
    }

    /// <summary>On data of unknown topology: the leading latent and its margin over each other candidate, paired by seed.</summary>
    public static string Leader(string data, IReadOnlyList<Candidate> ranked)
    {
        if (ranked.Count < 2) return ranked.Count == 1 ? $"`{ranked[0].Latent}` is the only candidate." : "No candidates.";
        var others = ranked.Skip(1).Select((c, i) => $"against `{c.Latent}`, the {(i == 0 ? "second" : Ordinal(i + 2))}: {Margin(ranked[0], c)}");
        return $"`{ranked[0].Latent}` ranks **first** of {ranked.Count} on `{data}`; {string.Join("; ", others)}.";
    }

    // a − b in test IWAE, paired by seed.
    private static string Margin(Candidate a, Candidate b)
    {
        var differences = a.Results.Join(b.Results, r => r.Seed, r => r.Seed, (x, y) => x.Iwae - y.Iwae).ToList();
        return differences.Count == 0
            ? "no seeds in common"
            : $"IWAE difference {SweepSummary.MeanStd(differences)} nats, paired over {differences.Count} seed{(differences.Count == 1 ? "" : "s")}, " +
              $"ahead in {differences.Count(d => d > 0)} of {differences.Count}";
    }

    private static string Ordinal(int n) => n + (n % 100 is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });
}
