using ManifoldKit.Embeddings;
using ManifoldKit.Models;
using ManifoldKit.Training;

namespace ManifoldKit.Experiments;

/// <summary>Everything that defines an experiment; defaults are the protocol's (docs/protocol.md).</summary>
public sealed record ExperimentSpec
{
    /// <summary>A label for reports and directories.</summary>
    public string Name { get; init; } = "experiment";

    /// <summary>The manifold whose uniform distribution generates the data (<c>circle</c>, <c>sphere</c>, <c>so3</c>, or a plugin's).</summary>
    public string Task { get; init; } = "circle";

    /// <summary>Settings of the task's manifold.</summary>
    public IReadOnlyDictionary<string, string> TaskSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Seed of the data generator network (the test set uses data_seed + 1).</summary>
    public long DataSeed { get; init; }

    /// <summary>Observation noise standard deviation.</summary>
    public double NoiseStd { get; init; }

    /// <summary>The model's latent variable.</summary>
    public LatentOptions Latent { get; init; } = new();

    /// <summary>Encoder and decoder sizes.</summary>
    public ArchitectureOptions Architecture { get; init; } = new();

    /// <summary>Optimisation.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Learning f when <c>embedding: learned</c>.</summary>
    public WaeOptions Wae { get; init; } = new();

    /// <summary>Thresholds a learned embedding's quality must meet before a model trains on it.</summary>
    public EmbeddingChecks EmbeddingChecks { get; init; } = new();

    /// <summary>Test metrics.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>Training seeds; a sweep runs one model per seed.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [0];
}
