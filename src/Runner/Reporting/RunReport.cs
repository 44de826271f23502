using System.Globalization;
using System.Text;
using System.Text.Json;
using ManifoldKit.Data;
using ManifoldKit.Experiments;
using ManifoldKit.Models;

namespace ManifoldKit.Runner.Reporting;

/// <summary>
/// A finished run's <c>result.json</c> and <c>summary.md</c>, each written atomically; <c>result.json</c>
/// exists only for a finished run, so a directory with a checkpoint and no result resumes.
/// </summary>
public static class RunReport
{
    /// <summary>JSON settings for results: indented, snake_case.</summary>
    /// <remarks>NaN is written as "NaN": a metric of an embedding allowed through its checks may be one.</remarks>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <c>result.json</c> and <c>summary.md</c> into <paramref name="runDirectory"/>.</summary>
    public static void Write(string runDirectory, ExperimentSpec spec, LatentSpace latent, ExperimentResult result)
    {
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "result.json"), JsonSerializer.Serialize(result, JsonOptions));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "summary.md"), Summary(spec, latent, result));
    }

    /// <summary>Reads a finished run's result, or null when the run has not finished.</summary>
    /// <exception cref="RunFileException">result.json is there but is not a result.</exception>
    public static ExperimentResult? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, "result.json");
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(path), JsonOptions)
                   ?? throw new RunFileException(path, "is null instead of a run's result");
        }
        catch (JsonException error)
        {
            throw new RunFileException(path, $"is not a run's result ({error.Message})", error);
        }
    }

    private static string Summary(ExperimentSpec spec, LatentSpace latent, ExperimentResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {spec.Name}, seed {result.Seed}");
        text.AppendLine();
        var data = spec.Data.Source == DataSources.Toy ? $"Task `{spec.Task}` (noise {spec.NoiseStd})" : $"Data `{spec.Data.Source}`";
        text.AppendLine($"{data}, latent `{latent.Name}`, {result.Steps} steps at batch {spec.Training.BatchSize}.");
        text.AppendLine();
        text.AppendLine("| metric | value |");
        text.AppendLine("|---|---|");
        text.AppendLine($"| test ELBO (nats/point, {spec.Evaluation.ElboSamples} samples) | {result.Elbo:F2} |");
        text.AppendLine($"| test IWAE (k = {result.IwaeSamples}) | {result.Iwae:F2} |");
        text.AppendLine($"| mean KL | {result.Kl:F3}{(result.Collapsed ? " (collapsed)" : "")} |");
        if (result.AngleRecovery is { } recovery) text.AppendLine($"| angle recovery (circle factor against the data's angle, 1 at best) | {recovery:F3} |");
        text.AppendLine($"| training time | {result.TrainSeconds:F1} s ({result.StepsPerSecond:F0} steps/s) |");
        if (result.Restart is { } restart)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| restarts | attempt {restart.Chosen + 1} of {restart.Scores.Count} chosen; ELBO after {restart.Steps} steps: {string.Join(", ", restart.Scores.Select(e => e.ToString("F2", CultureInfo.InvariantCulture)))} |"));
        if (result.EmbeddingPath is not null) text.AppendLine($"| learned embedding | `{result.EmbeddingPath}` |");
        if (result.EmbeddingQuality is { } quality)
        {
            text.AppendLine();
            text.AppendLine("```");
            text.AppendLine(quality.Describe());
            text.AppendLine("```");
        }
        return text.ToString();
    }
}
