using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Models;
using Xunit;

namespace ManifoldKit.Core.Tests.Evaluation;

/// <summary>IWAE chunks hold a bounded number of samples, so k = 1,000 on images fits where 250 points × k would not.</summary>
public sealed class EvaluationChunkTests
{
    [Theory]
    [InlineData(1, 250)]
    [InlineData(100, 250)]                     // the protocol's k: the chunk (and so every published draw) as before
    [InlineData(101, 247)]
    [InlineData(1000, 25)]
    [InlineData(25_001, 1)]
    [InlineData(100_000, 1)]
    public void ChunkPoints_ShrinkAsKGrows(int k, int points)
    {
        Assert.Equal(points, Evaluator.ChunkPoints(k));
        Assert.True(points * k <= Math.Max(Evaluator.ChunkSamples, k));
    }

    /// <summary>The benchmark's rotated Fashion-MNIST settings fit in 2 GiB; 250 points × 1,000 samples of a 1,600-pixel decoder would need about 12 GB.</summary>
    [Fact]
    public void MemoryBudget_AcceptsIwaeWithAThousandSamplesOnImages()
    {
        var spec = new ExperimentSpec
        {
            Architecture = new ArchitectureOptions { ObservedDim = 1600, HiddenWidths = [256, 128] },
            Training = new() { BatchSize = 100 },
            Evaluation = new EvaluationOptions { IwaeSamples = 1000, TestSize = 10_000 },
        };
        MemoryBudget.Check(spec, available: 2L << 30);
        var error = Assert.Throws<ExperimentException>(() => MemoryBudget.Check(spec with { Evaluation = spec.Evaluation with { IwaeSamples = 100_000 } }, available: 2L << 30));
        Assert.Equal("evaluation.iwae_samples", error.Key);
    }
}
