using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary><c>architecture.initial_posterior_std</c>, as the trainer applies it to a fresh model.</summary>
public sealed class InitialPosteriorTests
{
    private static readonly SpecialOrthogonal3 So3 = new();

    private static LatentSpace Latent(string kind) => kind == "so3"
        ? LatentSpace.Manifold("so3", So3.ExactEmbedding, So3.Symmetry, new BetaFamily(logScale: true))
        : LatentSpace.Euclidean(3);

    /// <summary>The initial posterior of 2,000 data points: its per-coordinate standard deviations and means.</summary>
    private static (Tensor Stddev, Tensor Mean) Initial(string kind, double? std, long seed)
    {
        using var task = new ToyTask(So3, dataSeed: 0, noiseStd: 0.01);
        using var trainer = new Trainer(() => new VariationalAutoencoder(Latent(kind), new ArchitectureOptions { InitialPosteriorStd = std }), task,
            new TrainingOptions { Seed = seed });
        using var generator = new Generator(5);
        var (x, _) = task.Sample(2000, generator);
        using var gradients = no_grad();
        var q = trainer.Model.Encode(x);
        return (q.Stddev.detach().clone(), q.Mean.detach().clone());
    }

    /// <summary>
    /// With s = 0.05 the initial spread sits near s for every point (the head's drawn weights add a
    /// data-dependent part: within a factor 2), where the drawn head starts at the prior's spread
    /// (Beta(1, 1): 0.289) or at softplus(0) ≈ 0.69 (Gaussian). The Gaussian's means are the drawn ones.
    /// </summary>
    [Theory]
    [InlineData("so3", 0)]
    [InlineData("so3", 3)]
    [InlineData("euclidean", 0)]
    [InlineData("euclidean", 3)]
    public void Trainer_StartsThePosteriorAtTheConfiguredSpread(string kind, long seed)
    {
        using var scope = NewDisposeScope();
        var (sharp, sharpMean) = Initial(kind, 0.05, seed);
        var (drawn, drawnMean) = Initial(kind, null, seed);
        Assert.True(sharp.min().item<float>() > 0.025 && sharp.max().item<float>() < 0.1,
            $"initial standard deviations range {sharp.min().item<float>():G4}–{sharp.max().item<float>():G4}, not within a factor 2 of 0.05");
        Assert.True(drawn.median().item<float>() > 0.2, $"the drawn head's median spread is {drawn.median().item<float>():G4}");
        if (kind == "euclidean") Assert.True(sharpMean.eq(drawnMean).all().item<bool>(), "the Gaussian's means moved");
    }
}
