using System.Globalization;
using ManifoldKit.Training;

namespace ManifoldKit.Experiments;

/// <summary>
/// Training metrics as CSV (step, seconds, loss, log_likelihood, kl, elbo), kept in memory and
/// rewritten atomically on <see cref="Flush"/>, so that the file on disk always ends on a whole row
/// and matches the last checkpoint.
/// </summary>
public sealed class MetricsFile
{
    private const string Header = "step,seconds,loss,log_likelihood,kl,elbo";
    private readonly string path;
    private readonly List<string> rows = [];

    /// <summary>Opens (and reads, if present) the file at <paramref name="path"/>.</summary>
    public MetricsFile(string path)
    {
        this.path = path;
        if (File.Exists(path)) rows.AddRange(File.ReadAllLines(path).Skip(1).Where(line => line.Length > 0));
    }

    /// <summary>Adds a row; written out at the next <see cref="Flush"/>.</summary>
    public void Append(TrainingProgress p) => rows.Add(string.Join(',',
        p.Step.ToString(CultureInfo.InvariantCulture), F(p.Elapsed.TotalSeconds), F(p.Loss), F(p.LogLikelihood), F(p.Kl), F(p.Elbo)));

    /// <summary>Drops rows after <paramref name="step"/> (work lost since the checkpoint is redone).</summary>
    public void TruncateAfter(int step) =>
        rows.RemoveAll(row => int.Parse(row.AsSpan(0, row.IndexOf(',')), CultureInfo.InvariantCulture) > step);

    /// <summary>Writes the file atomically.</summary>
    public void Flush() => AtomicFile.WriteAllText(path, Header + "\n" + string.Join("\n", rows) + (rows.Count > 0 ? "\n" : ""));

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
