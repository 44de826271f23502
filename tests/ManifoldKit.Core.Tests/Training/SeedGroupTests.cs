using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
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
}
