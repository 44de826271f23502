using ManifoldKit.Data;
using ManifoldKit.Embeddings;
using ManifoldKit.Evaluation;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Training;

/// <summary>A WAE-MMD circle embedding shared by the tests that need a learned f (short training: tests only).</summary>
public sealed class LearnedCircleFixture : IDisposable
{
    public LearnedEmbedding Embedding { get; } = WaeMmdTrainer.Train(new Circle(), new WaeOptions { Steps = 1500, Seed = 0 });

    public void Dispose() => Embedding.Dispose();
}

public sealed class TrainingTests(LearnedCircleFixture learned, ITestOutputHelper output) : IClassFixture<LearnedCircleFixture>
{
    private static readonly Circle Circle = new();
    private static readonly Sphere Sphere = new(2);
    private static readonly SpecialOrthogonal3 Rotations = new();

    private LatentSpace Latent(string row) => row switch
    {
        "vae-1d" => LatentSpace.Euclidean(1),
        "er-learned" => LatentSpace.Manifold("circle", learned.Embedding),
        "er-proj" => LatentSpace.Manifold("circle", Circle.ExactEmbedding),
        "er-learned-action" => LatentSpace.Manifold("circle", learned.Embedding, Circle.Symmetry),
        "vae-2d" => LatentSpace.Euclidean(2),
        "sphere-action" => LatentSpace.Manifold("sphere", Sphere.ExactEmbedding!, Sphere.Symmetry),
        "so3-action" => LatentSpace.Manifold("so3", Rotations.ExactEmbedding, Rotations.Symmetry),
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    private static IManifold TaskManifold(string row) => row switch
    {
        "sphere-action" => Sphere,
        "so3-action" => Rotations,
        _ => Circle,
    };

    /// <summary>
    /// A short run (300 steps) of each Table 1 model on the circle task, and of the ER-VAE with a
    /// group-action encoder on the sphere and SO(3) tasks, raises the test ELBO by more than 20 nats.
    /// </summary>
    [Theory]
    [InlineData("vae-1d")]
    [InlineData("er-learned")]
    [InlineData("er-proj")]
    [InlineData("er-learned-action")]
    [InlineData("vae-2d")]
    [InlineData("sphere-action")]
    [InlineData("so3-action")]
    public void ShortRun_RaisesTheElbo(string row)
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(TaskManifold(row));
        var (test, _) = task.TestSet(500);
        var latent = Latent(row);
        using var trainer = new Trainer(() => new VariationalAutoencoder(latent), task, new TrainingOptions { Steps = 300, Seed = 0 });
        var before = Evaluator.Elbo(trainer.Model, test);
        trainer.Run();
        var after = Evaluator.Elbo(trainer.Model, test);
        output.WriteLine($"{row}: test ELBO {before:F1} -> {after:F1}");
        Assert.True(after > before + 20, $"{row}: test ELBO went from {before:F1} to {after:F1} in 300 steps");
    }

    /// <summary>Stopping at a checkpoint and resuming ends with exactly the weights of an uninterrupted run.</summary>
    [Fact]
    public void Resume_FromCheckpoint_MatchesAnUninterruptedRun()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        var latent = Latent("er-learned-action");
        var options = new TrainingOptions { Steps = 40, Seed = 5, CheckpointEvery = 20 };
        var directory = Directory.CreateTempSubdirectory("mk-resume").FullName;
        try
        {
            using var straight = new Trainer(() => new VariationalAutoencoder(latent), task, options);
            straight.Run();

            using (var interrupted = new Trainer(() => new VariationalAutoencoder(latent), task, options with { Steps = 20 }))
                interrupted.Run(checkpointDirectory: directory);
            using var resumed = new Trainer(() => new VariationalAutoencoder(latent), task, options);
            Assert.Equal(20, Checkpoint.Load(directory, resumed));
            resumed.Run();

            Assert.Equal(40, resumed.Step);
            var expected = straight.Model.parameters().ToArray();
            var actual = resumed.Model.parameters().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
                Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i} differs after resuming");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// On a finite data set, a run stopped mid-epoch and resumed from its checkpoint sees the same batches
    /// and ends with exactly the weights of an uninterrupted run (batches depend on the step alone).
    /// </summary>
    [Fact]
    public void Resume_OnFiniteData_MidEpoch_MatchesAnUninterruptedRun()
    {
        using var scope = NewDisposeScope();
        using var toy = new ToyTask(Circle);
        using var sampler = new Generator(11);
        var (trainX, trainFactors) = toy.Sample(150, sampler);
        var (testX, testFactors) = toy.TestSet(50);
        using var data = new InMemoryDataSource("finite circle", trainX, trainFactors, testX, testFactors, ["c1", "c2"], shuffleSeed: 3);
        var latent = Latent("er-learned-action");
        var options = new TrainingOptions { Steps = 40, Seed = 5, BatchSize = 40, CheckpointEvery = 20 };   // 3 batches an epoch: step 20 is mid-epoch
        var directory = Directory.CreateTempSubdirectory("mk-resume-finite").FullName;
        try
        {
            using var straight = new Trainer(() => new VariationalAutoencoder(latent), data, options);
            straight.Run();
            using (var interrupted = new Trainer(() => new VariationalAutoencoder(latent), data, options with { Steps = 20 }))
                interrupted.Run(checkpointDirectory: directory);
            using var resumed = new Trainer(() => new VariationalAutoencoder(latent), data, options);
            Assert.Equal(20, Checkpoint.Load(directory, resumed));
            resumed.Run();

            var expected = straight.Model.parameters().ToArray();
            var actual = resumed.Model.parameters().ToArray();
            for (var i = 0; i < expected.Length; i++)
                Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i} differs after resuming");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The same seed gives the same run; another seed gives another.</summary>
    [Fact]
    public void Run_IsReproducibleFromItsSeed()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        var latent = Latent("er-proj");
        double FinalLoss(long seed)
        {
            var last = double.NaN;
            using var trainer = new Trainer(() => new VariationalAutoencoder(latent), task, new TrainingOptions { Steps = 30, Seed = seed, ReportEvery = 30 });
            trainer.Run(new SynchronousProgress<TrainingProgress>(p => last = p.Loss));
            return last;
        }
        Assert.Equal(FinalLoss(1), FinalLoss(1));
        Assert.NotEqual(FinalLoss(1), FinalLoss(2));
    }

    /// <summary>No tensor outlives its step: the live-tensor count after step 50 equals that after step 2.</summary>
    [Fact]
    public void Run_KeepsTheLiveTensorCountFlat()
    {
        using var task = new ToyTask(Circle);
        var latent = Latent("er-learned-action");
        using var trainer = new Trainer(() => new VariationalAutoencoder(latent), task, new TrainingOptions { Steps = 50, Seed = 0, ReportEvery = 1 });
        var live = new Dictionary<int, long>();
        trainer.Run(new SynchronousProgress<TrainingProgress>(p => live[p.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        Assert.Equal(live[2], live[50]);
    }

    /// <summary>A term that becomes NaN stops training with the step and the term named.</summary>
    [Fact]
    public void Run_StopsOnNaN_NamingStepAndTerm()
    {
        using var task = new ToyTask(Circle);
        var latent = Latent("er-proj");
        VariationalAutoencoder Poisoned()
        {
            var model = new VariationalAutoencoder(latent);
            using (no_grad()) model.named_parameters().Single(p => p.name == "logScale").parameter.fill_(double.NaN);
            return model;
        }
        using var trainer = new Trainer(Poisoned, task, new TrainingOptions { Steps = 10 });
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal("training diverged at step 1: log-likelihood is NaN. Lower the learning rate, or check the data for NaN or extreme values.", error.Message);
    }
}
