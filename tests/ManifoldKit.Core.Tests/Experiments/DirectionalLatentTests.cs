using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using Xunit;

namespace ManifoldKit.Core.Tests.Experiments;

/// <summary><c>latent.posterior: vmf | power_spherical</c> from a config: what is accepted, what is refused, and that it trains.</summary>
public sealed class DirectionalLatentTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-directional").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static IManifold Resolve(string name, ManifoldSettings settings) => BuiltInManifolds.Resolve(name, settings);

    private static ExperimentSpec Small(LatentOptions latent, string task = "sphere") => new()
    {
        Name = "small",
        Task = task,
        Latent = latent,
        Training = new TrainingOptions { Steps = 60, ReportEvery = 20, CheckpointEvery = 20 },
        Evaluation = new EvaluationOptions { TestSize = 100, IwaeSamples = 5, ElboSamples = 2 },
    };

    /// <summary>Every unit sphere carries the families, whatever its dimension; SO(3) does not.</summary>
    [Fact]
    public void Supports_UnitSpheresOnly()
    {
        var family = DirectionalFamily.VonMisesFisher();
        Assert.True(family.Supports(new Circle()));
        foreach (var n in new[] { 1, 2, 3, 10 }) Assert.True(family.Supports(new Sphere(n)), $"S^{n}");
        Assert.False(family.Supports(new SpecialOrthogonal3()));
    }

    /// <summary>Each family trains from a config on S², S⁵ and the circle, with and without the group action, alone and as a product factor; the latent is named after the family, the decoder sees points of the sphere, and the run's figures are finite.</summary>
    [Theory]
    [InlineData("vmf", "sphere", 2, false)]
    [InlineData("power_spherical", "sphere", 2, true)]
    [InlineData("vmf", "sphere", 5, true)]
    [InlineData("power_spherical", "circle", 1, false)]
    public void Config_Trains(string posterior, string manifold, int dim, bool action)
    {
        var settings = manifold == "sphere" ? new Dictionary<string, string> { ["dim"] = dim.ToString() } : [];
        var latent = new LatentOptions { Manifold = manifold, ManifoldSettings = settings, Posterior = posterior, GroupAction = action };
        var spec = Small(latent) with { Architecture = new ArchitectureOptions { InitialPosteriorStd = 0.05 } };
        using var plan = ExperimentPlan.Resolve(spec, Resolve);
        var (run, result) = TrainingRun.Execute(plan, 0, Path.Combine(root, posterior + manifold + dim + action), new EmbeddingProvider(root));
        using (run)
        {
            Assert.Equal($"{manifold}[{posterior}]{(action ? "+action" : "")}", run.Model.Latent.Name);
            Assert.Equal((dim + 1, dim + 1, dim), (run.Model.Latent.HiddenDim, run.Model.Latent.DecoderInputDim, run.Model.Latent.ManifoldDim));
            using var scope = TorchSharp.torch.NewDisposeScope();
            var (x, _) = run.Task.TestSet(16);
            var input = run.Model.DecoderInput(x, run.Model.Encode(x).RSample(3, null));
            Assert.True((TorchSharp.torch.linalg.vector_norm(input, dims: [-1]) - 1).abs().max().item<float>() < 1e-5, "decoder inputs off the sphere");
        }
        Assert.True(double.IsFinite(result.Elbo) && double.IsFinite(result.Iwae) && result.Kl > 0, $"ELBO {result.Elbo}, IWAE {result.Iwae}, KL {result.Kl}");
    }

    /// <summary>A product S²[vmf] × R²: the head reads 4 + 4 raw outputs, the KL is the factors' sum, and it trains.</summary>
    [Fact]
    public void ProductFactor_Trains()
    {
        var latent = new LatentOptions
        {
            Factors = [new LatentOptions { Manifold = "sphere", Posterior = "vmf", GroupAction = true }, new LatentOptions { Kind = LatentKind.Euclidean, Dim = 2 }],
        };
        using var plan = ExperimentPlan.Resolve(Small(latent), Resolve);
        var (run, result) = TrainingRun.Execute(plan, 0, Path.Combine(root, "product"), new EmbeddingProvider(root));
        using (run)
        {
            Assert.Equal(8, run.Model.Latent.PosteriorParameters);
            Assert.Equal(5, run.Model.Latent.DecoderInputDim);
        }
        Assert.True(double.IsFinite(result.Iwae) && result.Kl > 0);
    }

    /// <summary>What does not fit is refused before training, naming the key and the fix.</summary>
    [Theory]
    [InlineData("so3", LatentKind.Manifold, "exact", "latent.posterior", "latent.posterior is vmf, which does not live on manifold 'so3' (it needs a unit sphere S^n in R^(n+1): sphere or circle)")]
    [InlineData("sphere", LatentKind.Euclidean, "exact", "latent.posterior", "latent.posterior is vmf, a posterior on a manifold itself, but latent.kind is euclidean")]
    [InlineData("sphere", LatentKind.Manifold, "learned", "latent.embedding", "latent.embedding is learned, but the vmf posterior lives on the manifold itself and uses no embedding f")]
    public void Misfits_AreRefused(string manifold, LatentKind kind, string embedding, string key, string message)
    {
        var spec = Small(new LatentOptions { Kind = kind, Manifold = manifold, Posterior = "vmf", Embedding = EmbeddingSource.Parse(embedding, "/") });
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(spec, Resolve));
        Assert.Equal(key, error.Key);
        Assert.StartsWith(message, error.Message);
    }

    /// <summary>A sharp start a sphere's family cannot have (at or beyond the uniform's 1/√p), and an unknown family name.</summary>
    [Fact]
    public void ImpossibleSpreadAndUnknownName_AreRefused()
    {
        var broad = Small(new LatentOptions { Manifold = "sphere", Posterior = "power_spherical" }) with { Architecture = new ArchitectureOptions { InitialPosteriorStd = 0.6 } };
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(broad, Resolve));
        Assert.Equal("architecture.initial_posterior_std", error.Key);
        Assert.Contains("power_spherical posterior's tangent standard deviation on S^2 must lie between", error.Message);

        var unknown = Small(new LatentOptions { Manifold = "sphere", Posterior = "vfm" });
        error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(unknown, Resolve));
        Assert.Equal(("latent.posterior", "latent.posterior is 'vfm', which is neither built in nor registered by a plugin; known: gaussian, beta, beta_log, beta_centred, vmf, power_spherical."),
            (error.Key, error.Message));
    }
}
