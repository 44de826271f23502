using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using ManifoldKit.Training;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Training;

/// <summary>Seeds trained as one stacked model: each keeps its own model, data and gradient; a group of one is the single run.</summary>
public sealed class SeedGroupTests
{
    private static readonly Circle Circle = new();
    private static readonly Sphere Sphere = new();

    private static readonly TrainingOptions Options = new() { Steps = 30, Seed = 3, ReportEvery = 10, BatchSize = 16 };

    /// <summary>The latents whose forward pass the stack mirrors: each kind of factor, head and likelihood parameter.</summary>
    public static TheoryData<string> Latents => ["gaussian", "circle-action", "learned", "product", "vmf"];

    private static (LatentSpace Latent, ArchitectureOptions Architecture) Build(string name, long seed)
    {
        var gaussian = new ArchitectureOptions { HiddenWidths = [24], ObservationInit = ObservationInit.Data };
        var plain = new ArchitectureOptions { HiddenWidths = [24] };
        return name switch
        {
            "gaussian" => (LatentSpace.Euclidean(2), gaussian),
            "circle-action" => (LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry), plain with { ActionHeadInit = ActionHeadInit.Centred }),
            // A learned f of its own per seed, as each seed's WAE gives.
            "learned" => (LatentSpace.Manifold("circle", LearnedF(seed), Circle.Symmetry), gaussian),
            "product" => (LatentSpace.Product([LatentSpace.Manifold("circle", LearnedF(seed), Circle.Symmetry), LatentSpace.Euclidean(1)]), plain),
            "vmf" => (LatentSpace.OnManifold(Sphere, DirectionalFamily.VonMisesFisher(), Sphere.Symmetry), plain),
            _ => throw new ArgumentException(name),
        };
    }

    private static LearnedEmbedding LearnedF(long seed)
    {
        var f = new LearnedEmbedding("circle", 1, 2, width: 8);
        using (var generator = new Generator((ulong)seed + 77)) Initialisation.Draw(f, generator);
        return f.Freeze();
    }

    private static Trainer NewTrainer(string latent, IDataSource task, long seed, TrainingOptions? options = null)
    {
        var (space, architecture) = Build(latent, seed);
        return new Trainer(() => new VariationalAutoencoder(space, architecture), task, (options ?? Options) with { Seed = seed });
    }

    private static ToyTask Task(string latent) => new(latent == "vmf" ? Sphere : Circle);

    /// <summary>One seed in a group is today's single run to the bit: the same weights, Adam state and reports.</summary>
    [Theory]
    [MemberData(nameof(Latents))]
    public void GroupOfOne_IsTheSingleRun(string latent)
    {
        using var scope = NewDisposeScope();
        using var task = Task(latent);
        using var alone = NewTrainer(latent, task, 3);
        var aloneReports = new List<TrainingProgress>();
        alone.Run(new SynchronousProgress<TrainingProgress>(aloneReports.Add));

        using var grouped = NewTrainer(latent, task, 3);
        var groupReports = new List<TrainingProgress>();
        var failures = new SeedGroup().Run([new SeedGroup.Member(grouped, new SynchronousProgress<TrainingProgress>(groupReports.Add))]);

        Assert.Equal([null], failures);
        Assert.Equal(Options.Steps, grouped.Step);
        Assert.Equal(alone.TotalStepsRun, grouped.TotalStepsRun);
        TensorAssert.SameParameters(alone.Model, grouped.Model, $"{latent}: a group of one against the single run");
        Assert.Equal(aloneReports.Select(p => (p.Step, p.Loss, p.LogLikelihood, p.Kl)), groupReports.Select(p => (p.Step, p.Loss, p.LogLikelihood, p.Kl)));
    }

    /// <summary>
    /// The stack computes each member's own terms and gradients: member m's mean log-likelihood and KL, and
    /// the gradient of its loss in its slice of every stacked parameter, equal those of its own model on its
    /// own batch with the same posterior noise (the single model sees every member's batch, so its noise
    /// draw is the group's; only member m's rows count).
    /// </summary>
    [Theory]
    [MemberData(nameof(Latents))]
    public void Stack_ComputesEachMembersOwnTermsAndGradients(string latent)
    {
        using var scope = NewDisposeScope();
        using var task = Task(latent);
        const int members = 3, batch = 16, samples = 2;
        var trainers = Enumerable.Range(0, members).Select(m => NewTrainer(latent, task, 10 + m)).ToList();
        try
        {
            var models = trainers.Select(t => t.Model).ToList();
            using var stacked = new StackedAutoencoder(models);
            using var data = new Generator(9);
            var x = task.Sample(members * batch, data).X.reshape(members, batch, -1);
            using var noise = new Generator(4);
            var (logLikelihood, kl, _) = stacked.Terms(x, samples, noise);
            (logLikelihood - 0.5 * kl).sum().backward();
            for (var m = 0; m < members; m++)
            {
                using var own = new Generator(4);
                var terms = models[m].Terms(x.reshape(members * batch, -1), samples, own, densities: false);
                var ownLogLikelihood = terms.LogLikelihood.narrow(1, m * batch, batch).mean();
                var ownKl = terms.Kl.narrow(0, m * batch, batch).mean();
                TensorAssert.Close(logLikelihood[m], ownLogLikelihood, 1e-4 * (1 + ownLogLikelihood.abs().item<float>()), $"{latent}: member {m}'s log-likelihood");
                TensorAssert.Close(kl[m], ownKl, 1e-5 * (1 + ownKl.abs().item<float>()), $"{latent}: member {m}'s KL");
                (ownLogLikelihood - 0.5 * ownKl).backward();
                var ownParameters = models[m].parameters().ToArray();
                for (var i = 0; i < ownParameters.Length; i++)
                {
                    var expected = ownParameters[i].grad ?? zeros_like(ownParameters[i]);
                    var actual = stacked.Parameters[i].grad![m];
                    TensorAssert.Close(actual, expected, 1e-4 * (1 + TensorAssert.MaxAbs(expected)), $"{latent}: member {m}'s gradient in parameter {i}");
                }
            }
        }
        finally
        {
            foreach (var trainer in trainers) trainer.Dispose();
        }
    }

    /// <summary>
    /// A member's training does not depend on its groupmates: seed 1 beside seed 2 and beside seed 3 ends
    /// with the same weights (the group's noise generator and size kept equal, so its noise is the same).
    /// </summary>
    [Fact]
    public void Member_IsIndependentOfItsGroupmates()
    {
        using var scope = NewDisposeScope();
        using var task = Task("learned");
        VariationalAutoencoder TrainBeside(long other, out Trainer first, out Trainer second)
        {
            first = NewTrainer("learned", task, 1);
            second = NewTrainer("learned", task, other);
            Assert.Equal([null, null], new SeedGroup().Run([new SeedGroup.Member(first), new SeedGroup.Member(second)]));
            return first.Model;
        }
        var a = TrainBeside(2, out var a1, out var a2);
        var b = TrainBeside(3, out var b1, out var b2);
        using (a1) using (a2) using (b1) using (b2)
        {
            TensorAssert.SameParameters(a, b, "seed 1 trained beside seed 2, against beside seed 3");
            Assert.Throws<Xunit.Sdk.XunitException>(() => TensorAssert.SameParameters(a2.Model, b2.Model, "the groupmates differ"));
        }
    }

    /// <summary>
    /// Ten seeds trained as one group and each alone reach the same test ELBO in distribution: the means
    /// differ by less than twice the standard error of their difference (the groups' noise streams differ,
    /// so the seeds' values do too), and both trained well beyond their start.
    /// </summary>
    [Fact]
    public void Group_AgreesWithSeedsTrainedAlone()
    {
        using var scope = NewDisposeScope();
        using var task = Task("circle-action");
        var options = Options with { Steps = 300, BatchSize = 64, ReportEvery = 100 };
        var (test, _) = task.TestSet(500);
        var seeds = Enumerable.Range(20, 10).ToArray();
        var alone = new List<double>();
        var start = new List<double>();
        foreach (var seed in seeds)
        {
            using var trainer = NewTrainer("circle-action", task, seed, options);
            start.Add(Evaluator.Elbo(trainer.Model, test, 10, 1));
            trainer.Run();
            alone.Add(Evaluator.Elbo(trainer.Model, test, 10, 1));
        }
        var grouped = seeds.Select(seed => NewTrainer("circle-action", task, seed, options)).ToList();
        try
        {
            Assert.All(new SeedGroup().Run([.. grouped.Select(t => new SeedGroup.Member(t))]), Assert.Null);
            var together = grouped.Select(t => Evaluator.Elbo(t.Model, test, 10, 1)).ToList();
            double Mean(IReadOnlyList<double> v) => v.Average();
            double StandardError(IReadOnlyList<double> v) => Math.Sqrt(v.Sum(e => (e - Mean(v)) * (e - Mean(v))) / (v.Count - 1) / v.Count);
            var difference = Mean(together) - Mean(alone);
            var tolerance = 2 * Math.Sqrt(Math.Pow(StandardError(together), 2) + Math.Pow(StandardError(alone), 2));
            Assert.True(Math.Abs(difference) < tolerance, $"group mean {Mean(together):F2}, alone {Mean(alone):F2}: differ by {difference:F2}, more than {tolerance:F2} (2 SE)");
            Assert.True(Mean(alone) - Mean(start) > 10 * tolerance, $"training moved the ELBO from {Mean(start):F2} to {Mean(alone):F2}: too little for the comparison to mean anything");
        }
        finally
        {
            foreach (var trainer in grouped) trainer.Dispose();
        }
    }

    /// <summary>A seed that diverges leaves the group with its error; the others train to the end, finite.</summary>
    [Fact]
    public void Divergence_DropsOnlyThatSeed()
    {
        using var scope = NewDisposeScope();
        using var task = Task("gaussian");
        var trainers = Enumerable.Range(0, 3).Select(seed => NewTrainer("gaussian", task, seed)).ToList();
        try
        {
            using (no_grad()) trainers[1].Model.parameters().First().fill_(double.NaN);
            var reports = trainers.Select(_ => new List<int>()).ToList();
            var failures = new SeedGroup().Run([.. trainers.Select((t, i) => new SeedGroup.Member(t, new SynchronousProgress<TrainingProgress>(p => reports[i].Add(p.Step))))]);
            Assert.Null(failures[0]);
            Assert.Equal(1, failures[1]!.Step);
            Assert.Null(failures[2]);
            foreach (var i in new[] { 0, 2 })
            {
                Assert.Equal(Options.Steps, trainers[i].Step);
                Assert.Equal([10, 20, 30], reports[i]);
                Assert.All(trainers[i].Model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
            }
            Assert.Empty(reports[1]);
        }
        finally
        {
            foreach (var trainer in trainers) trainer.Dispose();
        }
    }

    /// <summary>
    /// A group stopped and resumed from its seeds' checkpoints ends exactly where the uninterrupted group
    /// does (weights and reports), the group's noise state coming back from the checkpoints; and seeds whose
    /// checkpoints stand at different steps resume as separate groups, each to the end.
    /// </summary>
    [Fact]
    public void Group_ResumesFromItsCheckpoints()
    {
        using var scope = NewDisposeScope();
        using var task = Task("learned");
        var options = Options with { Steps = 40, CheckpointEvery = 10 };
        var root = Directory.CreateTempSubdirectory("mk-group").FullName;
        var trainers = new List<Trainer>();
        try
        {
            List<Trainer> NewGroup() => [.. Enumerable.Range(0, 3).Select(seed => { var t = NewTrainer("learned", task, seed, options); trainers.Add(t); return t; })];
            var whole = NewGroup();
            new SeedGroup().Run([.. whole.Select(t => new SeedGroup.Member(t))]);

            var stopped = NewGroup();
            using var cancel = new CancellationTokenSource();
            var directories = Enumerable.Range(0, 3).Select(i => Path.Combine(root, $"seed{i}")).ToList();
            directories.ForEach(d => Directory.CreateDirectory(d));
            new SeedGroup().Run([.. stopped.Select((t, i) => new SeedGroup.Member(t, new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 20) cancel.Cancel(); }), directories[i]))],
                cancel.Token);
            Assert.All(stopped, t => Assert.Equal(20, t.Step));
            Assert.All(directories, d => Assert.True(File.Exists(Path.Combine(d, "checkpoint", "noise.bin")), $"{d}: the group's noise state"));

            var atTwenty = Path.Combine(root, "at20");
            foreach (var i in new[] { 0, 1 }) CopyDirectory(Path.Combine(directories[i], "checkpoint"), Path.Combine(atTwenty, $"seed{i}", "checkpoint"));
            var resumed = NewGroup();
            for (var i = 0; i < 3; i++) Assert.Equal(20, Checkpoint.Load(directories[i], resumed[i]));
            new SeedGroup().Run([.. resumed.Select((t, i) => new SeedGroup.Member(t, null, directories[i]))]);
            for (var i = 0; i < 3; i++) TensorAssert.SameParameters(whole[i].Model, resumed[i].Model, $"seed {i} resumed at step 20 against the uninterrupted group");

            // Seed 2's checkpoint one save behind (a stop between the seeds' saves): it trains on as a group of its own.
            var mixed = NewGroup();
            Assert.Equal(20, Checkpoint.Load(Path.Combine(atTwenty, "seed0"), mixed[0]));
            Assert.Equal(20, Checkpoint.Load(Path.Combine(atTwenty, "seed1"), mixed[1]));
            var failures = new SeedGroup().Run([.. mixed.Select(t => new SeedGroup.Member(t))]);
            Assert.All(failures, Assert.Null);
            Assert.All(mixed, t => Assert.Equal(40, t.Step));
            Assert.Equal([20, 20, 40], mixed.Select(t => t.StepsRun));
            Assert.All(mixed, t => Assert.All(t.Model.parameters(), p => Assert.True(p.isfinite().all().item<bool>())));
        }
        finally
        {
            foreach (var trainer in trainers) trainer.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A group evaluated as one stack gives each model its own figures: the KL (no noise in it) as each
    /// model alone gives it, and the ELBO and IWAE within a quarter of the smallest gap between the models
    /// (only the posterior noise differs); a group of one is evaluated exactly as alone.
    /// </summary>
    [Fact]
    public void GroupEvaluation_GivesEachModelItsOwnFigures()
    {
        using var scope = NewDisposeScope();
        using var task = Task("learned");
        var trainers = Enumerable.Range(0, 3).Select(seed => NewTrainer("learned", task, 40 + seed)).ToList();
        try
        {
            new SeedGroup().Run([.. trainers.Select(t => new SeedGroup.Member(t))]);
            var evaluation = new EvaluationOptions { TestSize = 300, ElboSamples = 10, IwaeSamples = 50 };
            var models = trainers.Select(t => t.Model).ToList();
            var alone = models.Select(m => TrainingRun.Evaluate(m, task, evaluation, 7)).ToList();
            var together = TrainingRun.EvaluateGroup(models, task, evaluation, 7);
            Assert.Equal(alone[0], TrainingRun.EvaluateGroup([models[0]], task, evaluation, 7)[0]);
            var gap = alone.SelectMany((a, i) => alone.Where((_, j) => j != i).Select(b => Math.Abs(a.Elbo - b.Elbo))).Min();
            Assert.True(gap > 0.5, $"the models differ by {gap:F2} nats at least: enough to tell them apart");
            for (var m = 0; m < 3; m++)
            {
                Assert.Equal(alone[m].Kl, together[m].Kl, 1e-4 * (1 + alone[m].Kl));
                Assert.True(Math.Abs(alone[m].Elbo - together[m].Elbo) < 0.25 * gap, $"model {m}: ELBO {together[m].Elbo:F3} in the group, {alone[m].Elbo:F3} alone");
                Assert.True(Math.Abs(alone[m].Iwae - together[m].Iwae) < 0.25 * gap, $"model {m}: IWAE {together[m].Iwae:F3} in the group, {alone[m].Iwae:F3} alone");
            }
        }
        finally
        {
            foreach (var trainer in trainers) trainer.Dispose();
        }
    }

    /// <summary>
    /// With training.restarts every seed's starts train in the group; each seed goes on with its best start
    /// by the ELBO on its own batch of fresh data, reports that start's steps once, and counts every start's steps.
    /// </summary>
    [Fact]
    public void Restarts_ChooseEachSeedsBestStart()
    {
        using var scope = NewDisposeScope();
        using var task = Task("circle-action");
        var options = Options with { Steps = 40, Restarts = 3, RestartSteps = 20 };
        var trainers = Enumerable.Range(0, 2).Select(seed => NewTrainer("circle-action", task, 5 + seed, options)).ToList();
        try
        {
            var reports = trainers.Select(_ => new List<int>()).ToList();
            var lines = new List<string>();
            var failures = new SeedGroup().Run([.. trainers.Select((t, i) => new SeedGroup.Member(t, new SynchronousProgress<TrainingProgress>(p => reports[i].Add(p.Step))))],
                log: lines.Add);
            Assert.All(failures, Assert.Null);
            Assert.Equal("restart phase: 6 attempts (2 seeds × 3) trained together for 20 steps", lines[0]);
            for (var i = 0; i < 2; i++)
            {
                var outcome = trainers[i].Restart!;
                Assert.Equal(3, outcome.Scores.Count);
                Assert.Equal(outcome.Scores.Max(), outcome.Scores[outcome.Chosen]);
                Assert.Equal(40, trainers[i].Step);
                Assert.Equal(3 * 20 + 20, trainers[i].StepsRun);
                Assert.Equal([10, 20, 30, 40], reports[i]);
                Assert.Contains($"seed {5 + i} restart: going on with attempt {outcome.Chosen + 1} (seed {5 + i + outcome.Chosen * Trainer.RestartSeedStride})", lines);
            }
        }
        finally
        {
            foreach (var trainer in trainers) trainer.Dispose();
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
