using System.Globalization;
using ManifoldKit.Training;

namespace ManifoldKit.Experiments;

/// <summary>
/// Training metrics as CSV (step, seconds, loss, log_likelihood, kl, elbo), kept in memory and
/// rewritten atomically on <see cref="Flush"/>, so that the file on disk always ends on a whole row
/// and matches the last checkpoint. The seconds column is the training time across sessions.
/// </summary>
public sealed class MetricsFile
{
    private const string Header = "step,seconds,loss,log_likelihood,kl,elbo";
    private readonly List<(int Step, string Text)> rows = [];

    /// <summary>
    /// Opens (and reads, if present) the file at <paramref name="path"/>. A malformed row (a cut line,
    /// a field that is not a number, a step not after the previous row's) is dropped, with a line to
    /// <paramref name="log"/> naming it as <c>file:line</c>.
    /// </summary>
    public MetricsFile(string path, Action<string>? log = null)
    {
        Path = path;
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || (i == 0 && line == Header)) continue;
            var problem = Problem(line, rows.Count > 0 ? rows[^1].Step : 0, out var step);
            if (problem is null) rows.Add((step, line));
            else log?.Invoke($"{path}:{i + 1}: dropped a malformed row '{(line.Length > 60 ? line[..60] + "..." : line)}' ({problem})");
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The steps of the rows held, in order.</summary>
    public IEnumerable<int> Steps => rows.Select(row => row.Step);

    /// <summary>Adds a row; written out at the next <see cref="Flush"/>.</summary>
    public void Append(TrainingProgress p) => rows.Add((p.Step, string.Join(',',
        p.Step.ToString(CultureInfo.InvariantCulture), F((p.TrainingTime ?? p.Elapsed).TotalSeconds), F(p.Loss), F(p.LogLikelihood), F(p.Kl), F(p.Elbo))));

    /// <summary>Drops rows after <paramref name="step"/> (work lost since the checkpoint is redone); returns how many.</summary>
    public int TruncateAfter(int step) => rows.RemoveAll(row => row.Step > step);

    /// <summary>Writes the file atomically.</summary>
    public void Flush() => AtomicFile.WriteAllText(Path, Header + "\n" + string.Join("\n", rows.Select(row => row.Text)) + (rows.Count > 0 ? "\n" : ""));

    private static string? Problem(string line, int previous, out int step)
    {
        step = 0;
        var fields = line.Split(',');
        if (fields.Length != 6) return $"{fields.Length} fields, expected 6";
        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out step)) return "the step is not a whole number";
        for (var f = 1; f < fields.Length; f++)
            if (!double.TryParse(fields[f], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return $"field {f + 1} is not a number";
        return step > previous ? null : $"step {step} does not follow step {previous}";
    }

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
