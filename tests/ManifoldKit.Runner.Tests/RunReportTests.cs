using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Models;
using ManifoldKit.Runner.Reporting;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>A finished run's result.json and summary.md (written by the runner since Core stopped writing reports).</summary>
public sealed class RunReportTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-report").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static ExperimentResult Result(EmbeddingQuality? quality) => new()
    {
        Name = "n", Seed = 0, Elbo = 1, Iwae = 2, IwaeSamples = 5, Kl = 0.5, Collapsed = false, Steps = 60, TrainSeconds = 1, StepsPerSecond = 60,
        EmbeddingPath = quality is null ? null : "f.bin", EmbeddingQuality = quality,
    };

    /// <summary>What is written is read back, and the summary names the metrics, k and the embedding's quality.</summary>
    [Fact]
    public void Write_ThenRead_GivesTheResult_AndASummary()
    {
        var quality = new EmbeddingQuality { Manifold = "circle", DistanceMean = 0.1, ReconstructionError = 0.01, Coverage = 0.9 };
        var result = Result(quality);
        Assert.Null(RunReport.Read(root));
        RunReport.Write(root, new ExperimentSpec { Evaluation = new EvaluationOptions { IwaeSamples = 5 } }, LatentSpace.Euclidean(2), result);

        var back = RunReport.Read(root)!;
        Assert.Equal(result with { EmbeddingQuality = null }, back with { EmbeddingQuality = null });
        var summary = File.ReadAllText(Path.Combine(root, "summary.md"));
        Assert.Contains("| test IWAE (k = 5) |", summary);
        Assert.Contains("  coverage:       ", summary);
        Assert.Contains("latent `euclidean-2`", summary);
    }

    /// <summary>A result whose embedding has a NaN metric (allowed through its checks) is still written and read back.</summary>
    [Fact]
    public void Result_WithANaNEmbeddingMetric_RoundTrips()
    {
        var result = Result(new EmbeddingQuality { Manifold = "circle", ReconstructionError = double.NaN, DistanceMean = double.NaN });
        var json = System.Text.Json.JsonSerializer.Serialize(result, RunReport.JsonOptions);
        var back = System.Text.Json.JsonSerializer.Deserialize<ExperimentResult>(json, RunReport.JsonOptions)!;
        Assert.True(double.IsNaN(back.EmbeddingQuality!.DistanceMean) && double.IsNaN(back.EmbeddingQuality.ReconstructionError!.Value));
        Assert.Equal(result with { EmbeddingQuality = null }, back with { EmbeddingQuality = null });
    }
}
