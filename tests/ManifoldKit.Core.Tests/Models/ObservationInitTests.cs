using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using ManifoldKit.Training;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary><c>architecture.observation_init</c>: the likelihood started at the data's spread.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 10)]
public sealed class ObservationInitTests
{
    private static readonly Circle Circle = new();

    private static readonly double Tolerance = 5 * Math.Sqrt(100 * (1.0 / (2 * Trainer.InitialisationBatch) + 1.0 / (2 * 2000)));

    private static double InitialLogLikelihood(long seed, ObservationInit how, bool manifold, out double plateau)
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle, dataSeed: seed % 100);
        var latent = manifold ? LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry) : LatentSpace.Euclidean(2);
        using var trainer = new Trainer(() => new VariationalAutoencoder(latent, new ArchitectureOptions { ObservationInit = how }), task,
            new TrainingOptions { Seed = seed });
        var (x, _) = task.Sample(2000, new Generator((ulong)seed + 17));
        using var gradients = no_grad();
        // The best model that ignores z: a Gaussian at the data's mean and spread, per dimension.
        var x64 = x.to_type(ScalarType.Float64);
        plateau = -(x64.std(0).log() + 0.5 * Math.Log(2 * Math.PI) + 0.5).sum().item<double>();
        return trainer.Model.Terms(x, 4, new Generator((ulong)seed + 18), densities: false).LogLikelihood.mean().item<float>();
    }

    /// <summary>
    /// Started from the data, the likelihood is the fit of the model that ignores z (the collapsed
    /// plateau) on fresh points: within 5 standard errors of it, taking each dimension's log σ as off by
    /// √(1/(2·1024) + 1/(2·2000)) (the points it was fitted on and the points it is checked on) and the
    /// 100 dimensions as independent. The protocol's σ = 1 cannot start above −100·½ log 2π (a perfect
    /// mean), about 220 nats lower, and Adam takes thousands of steps to climb, since each log σ moves by
    /// about the learning rate per step.
    /// </summary>
    [Property]
    public void DataInit_StartsTheLikelihoodAtTheIgnoreZFit(Seed seed, bool manifold)
    {
        var data = InitialLogLikelihood(seed.Value, ObservationInit.Data, manifold, out var plateau);
        var unit = InitialLogLikelihood(seed.Value, ObservationInit.Unit, manifold, out _);
        Assert.True(Math.Abs(data - plateau) <= Tolerance, $"initial log-likelihood {data:F2}, ignore-z fit {plateau:F2}");
        Assert.True(unit <= -100 * 0.5 * Math.Log(2 * Math.PI), $"protocol start {unit:F2}");
        Assert.True(plateau > 0, $"ignore-z fit {plateau:F2}");
    }
}
