using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using Xunit;

namespace ManifoldKit.Core.Tests.Experiments;

public sealed class ExperimentTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-experiment").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static IManifold Resolve(string name, ManifoldSettings settings) =>
        name == "bare-sphere" ? new BareSphere() : BuiltInManifolds.Resolve(name, settings);

    /// <summary>S² without its exact embedding: every built-in manifold offers one, and the refusal of <c>embedding: exact</c> needs one that does not.</summary>
    private sealed class BareSphere : IManifold
    {
        private readonly Sphere sphere = new(2);
        public string Name => "bare-sphere";
        public int IntrinsicDim => sphere.IntrinsicDim;
        public int AmbientDim => sphere.AmbientDim;
        public double? Volume => sphere.Volume;
        public IExactEmbedding? ExactEmbedding => null;
        public IGroupAction? Symmetry => sphere.Symmetry;
        public TorchSharp.torch.Tensor SampleUniform(long count, TorchSharp.torch.Generator? generator = null, TorchSharp.torch.ScalarType dtype = TorchSharp.torch.ScalarType.Float32) =>
            sphere.SampleUniform(count, generator, dtype);
        public TorchSharp.torch.Tensor Project(TorchSharp.torch.Tensor ambient) => sphere.Project(ambient);
    }

    /// <summary>What the runner does for one seed, less its report: resolve the plan, train, evaluate.</summary>
    private static ExperimentResult Run(ExperimentSpec spec, long seed, string directory, string cache, IProgress<TrainingProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancellation = default)
    {
        using var plan = ExperimentPlan.Resolve(spec, Resolve);
        var (run, result) = TrainingRun.Execute(plan, seed, directory, new EmbeddingProvider(cache, log), progress, log, cancellation);
        run.Dispose();
        return result;
    }

    private static (LatentSpace Latent, string? Path, EmbeddingQuality? Quality) BuildLatent(ExperimentSpec spec, string cache)
    {
        using var plan = ExperimentPlan.Resolve(spec, Resolve);
        return TrainingRun.BuildLatent(plan, 0, new EmbeddingProvider(cache));
    }

    private static ExperimentSpec Small(LatentOptions latent) => new()
    {
        Name = "small",
        Latent = latent,
        Training = new TrainingOptions { Steps = 60, ReportEvery = 20, CheckpointEvery = 20 },
        Wae = new WaeOptions { Steps = 40 },
        Evaluation = new EvaluationOptions { TestSize = 100, IwaeSamples = 5, ElboSamples = 2 },
    };

    [Fact]
    public void Run_WritesResultsAndReusesTheLearnedEmbedding()
    {
        var messages = new List<string>();
        // A 40-step WAE is a poor f: allowed here, with a warning per failed check.
        var spec = Small(new LatentOptions { Embedding = EmbeddingSource.Learned }) with { EmbeddingChecks = new EmbeddingChecks { AllowFailures = true } };
        var first = Run(spec, 0, Path.Combine(root, "a"), Path.Combine(root, "embeddings"), log: messages.Add);
        var second = Run(spec with { Latent = spec.Latent with { GroupAction = true } }, 0, Path.Combine(root, "b"), Path.Combine(root, "embeddings"), log: messages.Add);

        Assert.StartsWith("learning a WAE-MMD embedding of circle (40 steps, seed 0)", messages[0]);
        Assert.StartsWith("embedding quality: distance from circle mean ", messages[1]);
        Assert.EndsWith($"all figures in {first.EmbeddingPath}.quality.json", messages[1]);
        Assert.StartsWith($"warning: {first.EmbeddingPath} fails a check, allowed by embedding_checks.allow_failures: ", messages[2]);
        Assert.Contains(messages, m => m.StartsWith($"warning: {first.EmbeddingPath} fails a check, allowed by embedding_checks.allow_failures: coverage ", StringComparison.Ordinal));
        Assert.Contains($"reusing learned embedding {first.EmbeddingPath}", messages);
        Assert.Equal(first.EmbeddingPath, second.EmbeddingPath);
        Assert.NotNull(first.EmbeddingQuality);
        Assert.Equal(first.EmbeddingQuality, EmbeddingQuality.FromJson(File.ReadAllText(first.EmbeddingPath + ".quality.json")));
        Assert.True(double.IsFinite(first.Elbo) && double.IsFinite(first.Iwae) && first.Kl >= 0);
        var csv = File.ReadAllLines(Path.Combine(root, "a", "metrics.csv"));
        Assert.Equal(["step,seconds,loss,log_likelihood,kl,elbo", "20", "40", "60"], csv.Select((line, i) => i == 0 ? line : line.Split(',')[0]));
    }

    [Fact]
    public void Run_InterruptedThenResumed_MatchesAnUninterruptedRun()
    {
        var spec = Small(new LatentOptions { GroupAction = true });
        var straight = Run(spec, 3, Path.Combine(root, "straight"), root);

        var directory = Path.Combine(root, "interrupted");
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => Run(spec, 3, directory, root,
            new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 40) cancel.Cancel(); }), cancellation: cancel.Token));
        var messages = new List<string>();
        var resumed = Run(spec, 3, directory, root, log: messages.Add);

        Assert.Equal([$"resuming {directory} from step 40"], messages);
        Assert.Equal((straight.Elbo, straight.Iwae, straight.Kl), (resumed.Elbo, resumed.Iwae, resumed.Kl));
        Assert.Equal(File.ReadAllLines(Path.Combine(root, "straight", "metrics.csv")).Select(l => l.Split(',')[0]),
                     File.ReadAllLines(Path.Combine(directory, "metrics.csv")).Select(l => l.Split(',')[0]));
    }

    [Theory]
    [InlineData("bare-sphere", null, "exact", false, "latent.embedding", "manifold 'bare-sphere' offers no exact embedding; use latent.embedding: learned.")]
    [InlineData("circle", null, "/nope/f.bin", false, "latent.embedding", "latent.embedding is '/nope/f.bin', which is neither exact, learned, nor an existing file; make one with 'manifoldkit embed circle'.")]
    [InlineData("torus", null, "exact", false, "latent.manifold", "unknown manifold 'torus'")]
    [InlineData("sphere", "0", "exact", false, "latent.manifold", "manifold setting 'dim' is '0'; expected an integer from 1 to 2147483647.")]
    public void Resolve_RejectsWhatDoesNotFit_NamingTheKey(string manifold, string? dim, string embedding, bool action, string key, string message)
    {
        var settings = dim is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["dim"] = dim };
        var spec = Small(new LatentOptions { Manifold = manifold, ManifoldSettings = settings, Embedding = EmbeddingSource.Parse(embedding, root), GroupAction = action });
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(spec, Resolve));
        Assert.Equal(key, error.Key);
        Assert.StartsWith(message, error.Message);
    }

    /// <summary>A centred posterior needs a group action to place it; without one the config is refused.</summary>
    [Theory]
    [InlineData(LatentKind.Manifold, false)]
    [InlineData(LatentKind.Euclidean, false)]
    public void Resolve_CentredPosteriorWithoutAction_IsRejected(LatentKind kind, bool action)
    {
        var spec = Small(new LatentOptions { Kind = kind, Posterior = "beta_centred", GroupAction = action });
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(spec, Resolve));
        Assert.Equal("latent.posterior", error.Key);
        Assert.StartsWith("latent.posterior is beta_centred, which centres every posterior on the cube's middle", error.Message);
    }

    /// <summary>No Beta(c, c) has a standard deviation of ½ or more: refused before training, naming the key and the fix.</summary>
    [Theory]
    [InlineData("beta", 0.5)]
    [InlineData("beta_log", 0.7)]
    [InlineData("beta_centred", 0.5)]
    public void Validate_InitialPosteriorStdABetaCannotHave_IsRejected(string posterior, double std)
    {
        var spec = Small(new LatentOptions { Posterior = posterior, GroupAction = true }) with { Architecture = new ArchitectureOptions { InitialPosteriorStd = std } };
        var error = Assert.Throws<ExperimentException>(spec.Validate);
        Assert.Equal("architecture.initial_posterior_std", error.Key);
        Assert.Equal($"architecture.initial_posterior_std is {std} for the {posterior} posterior: a Beta posterior's standard deviation must lie between 0 and 0.4951 " +
            "(the uniform prior's is 0.289); 0.05 is a sharp start.", error.Message);
    }

    /// <summary>decay_steps without a final rate would do nothing: refused before training; with one it is accepted.</summary>
    [Fact]
    public void DecayStepsWithoutAFinalRate_IsRejected()
    {
        var spec = Small(new LatentOptions());
        var error = Assert.Throws<ExperimentException>((spec with { Training = spec.Training with { DecaySteps = 20 } }).Validate);
        Assert.Equal("training.decay_steps", error.Key);
        Assert.StartsWith("training.decay_steps says how many final steps", error.Message);
        (spec with { Training = spec.Training with { DecaySteps = 20, FinalLearningRate = 1e-5 } }).Validate();
    }

    /// <summary>
    /// Every WAE setting that changes f is part of the cache name, so a changed setting learns a new f
    /// instead of reusing one learned otherwise; settings at their defaults keep the name of older caches.
    /// </summary>
    [Fact]
    public void LearnedEmbeddingCache_SeparatesWaeSettings()
    {
        var spec = Small(new LatentOptions { Embedding = EmbeddingSource.Learned }) with { EmbeddingChecks = new EmbeddingChecks { AllowFailures = true } };
        var cache = Path.Combine(root, "embeddings");
        string NameOf(WaeOptions wae)
        {
            var (_, path, _) = BuildLatent(spec with { Wae = wae }, cache);
            return Path.GetFileName(path)!;
        }
        var names = new[]
        {
            NameOf(spec.Wae),
            NameOf(spec.Wae with { LearningRate = 5e-4 }),
            NameOf(spec.Wae with { Width = 32 }),
            NameOf(spec.Wae with { Restarts = 2 }),
        };
        Assert.Equal(["circle-wae40x256-lambda10-seed0.bin", "circle-wae40x256-lambda10-lr0.0005-seed0.bin", "circle-wae40x256-lambda10-width32-seed0.bin",
                      "circle-wae40x256-lambda10-best2-seed0.bin"], names);
        Assert.Equal(4, Directory.GetFiles(cache, "*.bin").Length);
    }

    [Fact]
    public void Resolve_SavedEmbeddingOfAnotherManifold_IsRejected()
    {
        var path = Path.Combine(root, "sphere.bin");
        using (var f = WaeMmdTrainer.Train(new Sphere(2), new WaeOptions { Steps = 5 })) f.SaveTo(path);
        var spec = Small(new LatentOptions { Manifold = "circle", Embedding = EmbeddingSource.Saved(path) });
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(spec, Resolve));
        Assert.Equal($"{path} embeds [0,1]^2 into R^3 (sphere), but circle needs [0,1]^1 into R^2.", error.Message);
    }

    /// <summary>
    /// A learned f failing a check stops the run before training, naming the metric, value,
    /// threshold and fixes; the f and its quality stay in the cache, so nothing is learned twice.
    /// </summary>
    [Fact]
    public void Run_WithAnEmbeddingFailingACheck_StopsBeforeTraining_AndKeepsTheEmbedding()
    {
        var spec = Small(new LatentOptions { Embedding = EmbeddingSource.Learned });
        var directory = Path.Combine(root, "refused");
        var error = Assert.Throws<ExperimentException>(() => Run(spec, 0, directory, Path.Combine(root, "embeddings")));
        Assert.Equal("embedding_checks", error.Key);
        Assert.Matches(@"^the learned embedding .*circle-wae40x256-lambda10-seed0\.bin fails \d checks?: .*coverage 0\.\d+ < min_coverage 0\.6: f misses part of the manifold.*\. " +
                       @"Learn a better f \(e\.g\. more wae\.steps\), loosen the threshold, or set embedding_checks\.allow_failures: true to train with it anyway\.$", error.Message);
        Assert.False(File.Exists(Path.Combine(directory, "metrics.csv")), "training started");
        var cached = Directory.GetFiles(Path.Combine(root, "embeddings")).Select(Path.GetFileName).Order().ToList();
        // The .lock stays (FileLock): processes sharing the cache learn f once.
        Assert.Equal(["circle-wae40x256-lambda10-seed0.bin", "circle-wae40x256-lambda10-seed0.bin.json", "circle-wae40x256-lambda10-seed0.bin.lock",
                      "circle-wae40x256-lambda10-seed0.bin.quality.json"], cached);

        var messages = new List<string>();
        Run(spec with { EmbeddingChecks = new EmbeddingChecks { MinCoverage = null, MaxMeanDistance = null } }, 0, directory,
            Path.Combine(root, "embeddings"), log: messages.Add);
        Assert.StartsWith("reusing learned embedding ", messages[0]);
    }

    /// <summary>A cached f saved by an older ManifoldKit (no encoder) is learned again, not refused.</summary>
    [Fact]
    public void Run_WithAnOldFormatCacheEntry_LearnsItAgain()
    {
        var spec = Small(new LatentOptions { Embedding = EmbeddingSource.Learned }) with { EmbeddingChecks = new EmbeddingChecks { AllowFailures = true } };
        var first = Run(spec, 0, Path.Combine(root, "a"), Path.Combine(root, "embeddings"));
        File.WriteAllText(first.EmbeddingPath + ".json", "{\"Manifold\":\"circle\",\"HiddenDim\":1,\"AmbientDim\":2,\"Width\":64}");
        var messages = new List<string>();
        var again = Run(spec, 0, Path.Combine(root, "b"), Path.Combine(root, "embeddings"), log: messages.Add);
        Assert.Equal($"not reusing {first.EmbeddingPath}: {first.EmbeddingPath} was saved by an older ManifoldKit (without its WAE encoder)", messages[0]);
        Assert.StartsWith("learning a WAE-MMD embedding of circle", messages[1]);
        Assert.Equal(first.Elbo, again.Elbo);
    }
}
