using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Evaluation;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary>The IWAE bound and the ELBO, for untrained models of every latent kind.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 8)]
public sealed class BoundsTests
{
    private static readonly Circle Circle = new();

    private static IEnumerable<LatentSpace> Latents() =>
    [
        LatentSpace.Euclidean(2),
        LatentSpace.Manifold("circle", Circle.ExactEmbedding),
        LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry),
    ];

    /// <summary>
    /// On average over test points, IWAE_k ≥ ELBO and IWAE is non-decreasing in k (k = 1, 10, 100);
    /// "on average" with a margin of 5 standard errors of the per-point differences. Every value is finite.
    /// </summary>
    [Property]
    public void Iwae_IsAboveElbo_AndNonDecreasingInK(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle, dataSeed: seed.Value % 100);
        var (x, _) = task.Sample(200, seed.Generator());
        foreach (var latent in Latents())
        {
            using var model = new VariationalAutoencoder(latent);
            using (var weights = seed.Generator()) Initialisation.Draw(model, weights);
            var elbo = Evaluator.PerPoint(model, x, 10, seed.Value, 100, t => t.Elbo);
            var bounds = new[] { 1, 10, 100 }.Select(k => Evaluator.PerPoint(model, x, k, seed.Value + k, 100, t => t.Iwae)).ToArray();
            foreach (var value in bounds.Append(elbo))
                Assert.True(isfinite(value).all().item<bool>(), $"{latent.Name}: a bound is not finite");
            AssertAtLeast(bounds[2], elbo, $"{latent.Name}: IWAE_100 vs ELBO");
            AssertAtLeast(bounds[1], bounds[0], $"{latent.Name}: IWAE_10 vs IWAE_1");
            AssertAtLeast(bounds[2], bounds[1], $"{latent.Name}: IWAE_100 vs IWAE_10");
        }
    }

    /// <summary>Bounds stay finite for inputs far outside the data (x scaled by 1e3).</summary>
    [Property]
    public void Bounds_AreFinite_ForExtremeInputs(Seed seed)
    {
        using var scope = NewDisposeScope();
        var x = 1e3f * randn([50, 100], generator: seed.Generator());
        foreach (var latent in Latents())
        {
            using var model = new VariationalAutoencoder(latent);
            using (var weights = seed.Generator()) Initialisation.Draw(model, weights);
            Assert.True(double.IsFinite(Evaluator.Iwae(model, x, 20, seed.Value)), $"{latent.Name}: IWAE not finite");
            Assert.True(double.IsFinite(Evaluator.Elbo(model, x, 10, seed.Value)), $"{latent.Name}: ELBO not finite");
        }
    }

    private static void AssertAtLeast(Tensor higher, Tensor lower, string what)
    {
        var difference = Statistic.Of(higher - lower);
        Assert.True(difference.Mean >= -difference.Tolerance, $"{what}: mean difference {difference} is below zero");
    }
}
