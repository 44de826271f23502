using ManifoldKit.Data;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using ManifoldKit.Training;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Training;

/// <summary>training.restarts: several starts, the best by ELBO on fresh data goes on, as if it had been the only one.</summary>
public sealed class RestartTests
{
    private static readonly Circle Circle = new();
    private static readonly LatentSpace Latent = LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry);

    private static Trainer NewTrainer(ToyTask task, TrainingOptions options) =>
        new(() => new VariationalAutoencoder(Latent, new ArchitectureOptions { ActionHeadInit = ActionHeadInit.Centred }), task, options);

    private static readonly TrainingOptions Options = new() { Steps = 40, Seed = 5, ReportEvery = 10, Restarts = 3, RestartSteps = 20 };

    /// <summary>
    /// The chosen attempt is the best-scoring one, and the run ends with exactly the weights of a
    /// plain run from that attempt's seed: the discarded attempts leave no trace.
    /// </summary>
    [Fact]
    public void Restarts_ContinueTheBestAttempt_AsAPlainRunFromItsSeed()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        using var restarted = NewTrainer(task, Options);
        var lines = new List<string>();
        restarted.Run(log: lines.Add);

        var outcome = restarted.Restart!;
        Assert.Equal(3, outcome.Scores.Count);
        Assert.Equal(3, outcome.Scores.Distinct().Count());
        Assert.Equal(outcome.Scores.Max(), outcome.Scores[outcome.Chosen]);
        Assert.Equal(20, outcome.Steps);
        Assert.Equal(40, restarted.Step);
        Assert.Equal(3 * 20 + 20, restarted.StepsRun);
        Assert.Equal(7, lines.Count);                                           // per attempt its progress and score; the choice
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Matches($@"^restart {attempt + 1}/3: step 10/20  elbo -?[0-9.]+  kl [0-9.]+$", lines[2 * attempt]);
            Assert.StartsWith($"restart {attempt + 1}/3: ELBO {outcome.Scores[attempt].ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} on 4096 fresh points", lines[2 * attempt + 1]);
        }
        Assert.StartsWith($"restart: going on with attempt {outcome.Chosen + 1} ", lines[6]);

        using var plain = NewTrainer(task, Options with { Restarts = 1, Seed = Options.Seed + outcome.Chosen * Trainer.RestartSeedStride });
        plain.Run();
        Assert.Null(plain.Restart);
        TensorAssert.SameParameters(plain.Model, restarted.Model, "the restarted run against a plain run from the chosen seed");
    }

    /// <summary>Progress sees the chosen attempt's steps once each, in order, as in a plain run, with the steps its clock timed.</summary>
    [Fact]
    public void Restarts_ReportTheChosenAttemptsStepsOnce()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        using var trainer = NewTrainer(task, Options);
        var steps = new List<(int, int)>();
        trainer.Run(new SynchronousProgress<TrainingProgress>(p => steps.Add((p.Step, p.TimedSteps))));
        // The time left is paced by the steps timed since the chosen start went on, not by all 30.
        Assert.Equal([(10, 10), (20, 20), (30, 10), (40, 20)], steps);
        Assert.Equal(TimeSpan.FromSeconds(10), new TrainingProgress(30, 40, 0, 0, 0, TimeSpan.FromSeconds(10), 10).Remaining);
    }

    /// <summary>
    /// Interrupted after the restart phase, a run resumes from its checkpoint to the same weights and
    /// the same outcome; cancelled inside the phase, it starts over and still ends the same.
    /// </summary>
    [Fact]
    public void Restarts_SurviveInterruption()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        var directory = Directory.CreateTempSubdirectory("mk-restart").FullName;
        try
        {
            using var straight = NewTrainer(task, Options);
            straight.Run();

            using (var interrupted = NewTrainer(task, Options with { CheckpointEvery = 30 }))
            {
                using var stop = new CancellationTokenSource();
                interrupted.Run(new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 30) stop.Cancel(); }), directory, stop.Token);
                Assert.Equal(30, interrupted.Step);
            }
            using var resumed = NewTrainer(task, Options);
            Assert.Equal(30, Checkpoint.Load(directory, resumed));
            Assert.Equal(straight.Restart!.Chosen, resumed.Restart!.Chosen);
            Assert.Equal(straight.Restart.Scores, resumed.Restart.Scores);
            resumed.Run();
            TensorAssert.SameParameters(straight.Model, resumed.Model, "the resumed run against the straight one");

            using var cancelledEarly = NewTrainer(task, Options);
            using (var stop = new CancellationTokenSource())
            {
                var reports = 0;
                cancelledEarly.Run(new SynchronousProgress<TrainingProgress>(_ => reports++), cancellation: stop.Token,
                    log: line => { if (line.StartsWith("restart 2/", StringComparison.Ordinal)) stop.Cancel(); });
                Assert.Equal((0, 0), (cancelledEarly.Step, reports));
                Assert.Null(cancelledEarly.Restart);
            }
            cancelledEarly.Run();
            TensorAssert.SameParameters(straight.Model, cancelledEarly.Model, "the run cancelled in its restart phase against the straight one");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A start that diverges is discarded and another goes on; when every start diverges, the run fails as a plain one would.</summary>
    [Fact]
    public void Restarts_DiscardDivergedStarts()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        var created = 0;
        Func<VariationalAutoencoder> Poisoning(Func<int, bool> poisoned) => () =>
        {
            var model = new VariationalAutoencoder(Latent);
            if (poisoned(++created))
                using (no_grad()) model.named_parameters().Single(p => p.name == "logScale").parameter.fill_(double.NaN);
            return model;
        };

        // Model 1 is the constructor's, model 2 the restart phase's first attempt.
        using (var trainer = new Trainer(Poisoning(n => n == 2), task, Options with { Restarts = 2 }))
        {
            var lines = new List<string>();
            trainer.Run(log: lines.Add);
            Assert.Equal("restart 1/2: diverged at step 1 (log-likelihood not finite); discarded", lines[0]);
            Assert.Equal(1, trainer.Restart!.Chosen);
            Assert.True(double.IsNaN(trainer.Restart.Scores[0]));
            Assert.Equal(40, trainer.Step);
        }

        created = 0;
        using var doomed = new Trainer(Poisoning(_ => true), task, Options with { Restarts = 2 });
        Assert.Throws<TrainingDivergedException>(() => doomed.Run());
    }
}
