using ManifoldKit.Training;

namespace ManifoldKit.Runner.Reporting;

/// <summary>
/// Shows training progress: a bar redrawn in place on a terminal, or, when output is redirected,
/// a plain line every tenth of the run.
/// </summary>
public sealed class ProgressPrinter(string label, TextWriter output, bool interactive) : IProgress<TrainingProgress>
{
    private int lastLine = -1;

    /// <summary>A printer for the console, interactive unless output is redirected.</summary>
    public static ProgressPrinter ForConsole(string label) => new(label, Console.Out, !Console.IsOutputRedirected);

    /// <inheritdoc />
    public void Report(TrainingProgress p)
    {
        var fraction = (double)p.Step / p.TotalSteps;
        var figures = $"step {p.Step}/{p.TotalSteps}  loss {p.Loss:F2}  elbo {p.Elbo:F2}  kl {p.Kl:F3}  {Duration(p.Remaining)} left";
        if (interactive)
        {
            const int width = 24;
            var filled = (int)Math.Round(fraction * width);
            output.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {figures}   ");
            if (p.Step == p.TotalSteps) output.WriteLine();
            return;
        }
        var line = (int)Math.Floor(fraction * 10);
        if (line == lastLine) return;
        lastLine = line;
        output.WriteLine($"{label}: {figures}");
    }

    private static string Duration(TimeSpan span) => span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:D2}s" : $"{span.TotalSeconds:F0}s";
}
