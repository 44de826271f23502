using FsCheck.Xunit;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Testing;
using Xunit;

namespace ManifoldKit.Runner.Tests;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 30)]
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mk-config").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string yaml, string name = "exp.yaml")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A file with no settings (only a comment) gives the protocol's defaults; a file with nothing at all is refused, as a sign of a lost write.</summary>
    [Fact]
    public void ConfigWithoutSettings_GivesProtocolDefaults_AndAnEmptyFileIsRefused()
    {
        var empty = Write("");
        Assert.Equal($"{empty} is empty; write at least one setting (configs/README.md lists them), or give no config to run the defaults.",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(empty)).Message);
        var config = ConfigLoader.Load(Write("# the protocol's defaults\n"));
        Assert.Equal("exp", config.Spec.Name);
        Assert.Equal(("circle", 10_000, 128, 0.001), (config.Spec.Task, config.Spec.Training.Steps, config.Spec.Training.BatchSize, config.Spec.Training.LearningRate));
        Assert.Equal((5000, 256, 10.0), (config.Spec.Wae.Steps, config.Spec.Wae.BatchSize, config.Spec.Wae.Lambda));
        Assert.Equal((10, 100, 2000), (config.Spec.Evaluation.ElboSamples, config.Spec.Evaluation.IwaeSamples, config.Spec.Evaluation.TestSize));
        Assert.Equal("runs", config.Output);
    }

    [Theory]
    [InlineData("trainig:\n  steps: 5\n", "exp.yaml:1: unknown key 'trainig'; did you mean 'training'? Known keys: architecture, data, data_seed, device, embedding_checks, evaluation, latent, name, noise_std, output, plot_format, plugin_dirs, reference, seeds, task, task_settings, training, wae.")]
    [InlineData("training:\n  stpes: 5\n", "exp.yaml:2: unknown key 'training.stpes'; did you mean 'steps'? Known keys under 'training': batch_size, checkpoint_every, decay_steps, final_learning_rate, kl_warmup_steps, learning_rate, report_every, restart_steps, restarts, samples, steps.")]
    [InlineData("training:\n  steps: ten\n", "exp.yaml:2: training.steps is 'ten'; expected an integer >= 1.")]
    [InlineData("training:\n  steps: 0\n", "exp.yaml:2: training.steps is '0'; expected an integer >= 1.")]
    [InlineData("training:\n  restart_steps: 0\n", "exp.yaml:2: training.restart_steps is '0'; expected an integer >= 1.")]
    [InlineData("training:\n  decay_steps: 0\n", "exp.yaml:2: training.decay_steps is '0'; expected an integer >= 1.")]
    [InlineData("wae:\n  restarts: 0\n", "exp.yaml:2: wae.restarts is '0'; expected an integer from 1 to 100.")]
    [InlineData("training:\n  restarts: 0\n", "exp.yaml:2: training.restarts is '0'; expected an integer from 1 to 100.")]
    [InlineData("training:\n  learning_rate: -1\n", "exp.yaml:2: training.learning_rate is '-1'; expected a number > 0 and <= 1.")]
    [InlineData("architecture:\n  initial_posterior_std: 0\n", "exp.yaml:2: architecture.initial_posterior_std is '0'; expected a number > 0.")]
    [InlineData("architecture:\n  action_head_init: pca\n", "exp.yaml:2: architecture.action_head_init is 'pca'; expected one of: drawn, centred, principal.")]
    [InlineData("architecture:\n  observation_init: marginal\n", "exp.yaml:2: architecture.observation_init is 'marginal'; expected one of: unit, data.")]
    [InlineData("architecture:\n  likelihood: poisson\n", "exp.yaml:2: architecture.likelihood is 'poisson'; expected one of: gaussian, bernoulli.")]
    [InlineData("architecture:\n  centre_action_head: true\n", "exp.yaml:2: architecture.centre_action_head has been replaced; write 'action_head_init: centred' for true, nothing (or 'drawn') for false.")]
    [InlineData("latent:\n  kind: hyperbolic\n", "exp.yaml:2: latent.kind is 'hyperbolic'; expected one of: euclidean, manifold.")]
    [InlineData("latent:\n  group_action: maybe\n", "exp.yaml:2: latent.group_action is 'maybe'; expected true or false.")]
    [InlineData("seeds: [0, x]\n", "exp.yaml:1: seeds has 'x'; expected a list of integers >= 0.")]
    [InlineData("latent: circle\n", "exp.yaml:1: latent is 'circle'; expected a mapping of settings.")]
    [InlineData("training: [1, 2\n", "exp.yaml:2: not valid YAML: ")]
    [InlineData("- a\n- b\n", "exp.yaml:1: the top level must be a mapping of settings (key: value lines).")]
    public void BadConfig_NamesFileLineKeyAndFix(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write(yaml)));
        Assert.StartsWith(Path.Combine(directory, expected), error.Message);
    }

    [Fact]
    public void MissingFile_SaysWhatToGive()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nope/x.yaml"));
        Assert.Equal("/nope/x.yaml: no such config file; give the path of a YAML file such as configs/default.yaml.", error.Message);
    }

    [Fact]
    public void Overrides_SetNestedKeysAndLists_AndAreValidatedLikeTheFile()
    {
        var config = ConfigLoader.Load(Write("training:\n  steps: 5\n"), ["training.steps=700", "seeds=[3,4]", "latent.group_action=true"]);
        Assert.Equal(700, config.Spec.Training.Steps);
        Assert.Equal([3L, 4L], config.Spec.Seeds);
        Assert.True(config.Spec.Latent.GroupAction);
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write("# no settings\n"), ["training.stepz=1"]));
        Assert.Contains("unknown key 'training.stepz'; did you mean 'steps'?", error.Message);
        Assert.Equal("command line: 'steps': expected key=value, e.g. training.steps=500.",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write("# no settings\n"), ["steps"])).Message);
    }

    /// <summary>embedding_checks: absent keys keep the measured defaults, null switches a check off, values are range-checked.</summary>
    [Fact]
    public void EmbeddingChecks_DefaultsNullAndValues()
    {
        var defaults = ConfigLoader.Load(Write("# no settings\n")).Spec.EmbeddingChecks;
        Assert.Equal(new ManifoldKit.Embeddings.EmbeddingChecks(), defaults);
        var set = ConfigLoader.Load(Write("embedding_checks:\n  min_coverage: 0.9\n  max_mean_distance: null\n  allow_failures: true\n")).Spec.EmbeddingChecks;
        Assert.Equal((0.9, (double?)null, true, defaults.MinPairRatio), (set.MinCoverage, set.MaxMeanDistance, set.AllowFailures, set.MinPairRatio));
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write("embedding_checks:\n  min_coverage: -1\n")));
        Assert.Equal($"{Path.Combine(directory, "exp.yaml")}:2: embedding_checks.min_coverage is '-1'; expected a number >= 0.", error.Message);
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write("embedding_checks:\n  min_covrage: 0.5\n")));
        Assert.Contains("unknown key 'embedding_checks.min_covrage'; did you mean 'min_coverage'?", error.Message);
    }

    [Fact]
    public void EmbeddingPath_IsRelativeToTheConfigFolder()
    {
        var config = ConfigLoader.Load(Write("latent:\n  embedding: f/circle.bin\n"));
        Assert.Equal(Path.Combine(directory, "f", "circle.bin"), config.Spec.Latent.Embedding.Path);
    }

    /// <summary>Every config shipped in configs/ loads: a renamed or mistyped key there fails here, not in a user's sweep.</summary>
    [Fact]
    public void ShippedConfigs_AllLoad()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "configs"), "*.yaml", SearchOption.AllDirectories);
        Assert.True(files.Length >= 19, $"found only {files.Length} configs");
        Assert.All(files, file => Assert.Equal(file, ConfigLoader.Load(file).Source));
        var improved = ConfigLoader.Load(Path.Combine(Repository.Root, "configs", "table1-improved", "4-er-learned-action.yaml")).Spec;
        Assert.Equal((4, EmbeddingSource.Learned), (improved.Wae.Restarts, improved.Latent.Embedding));
        Assert.Equal(ManifoldKit.Models.ObservationInit.Data, improved.Architecture.ObservationInit);
    }

    /// <summary>The resolved config a run writes loads back to the same experiment.</summary>
    [Property]
    public void ResolvedConfig_RoundTrips(Seed seed)
    {
        var random = new Random(seed.Value);
        var yaml = $"""
            name: r{random.Next(1000)}
            task: {(random.Next(2) == 0 ? "circle" : "so3")}
            noise_std: {random.NextDouble():R}
            seeds: [{random.Next(10)}, {random.Next(10, 20)}]
            latent:
              kind: {(random.Next(2) == 0 ? "euclidean" : "manifold")}
              dim: {random.Next(1, 4)}
              manifold_settings:
                dim: {random.Next(1, 4)}
              group_action: {(random.Next(2) == 0 ? "true" : "false")}
            training:
              steps: {random.Next(1, 100000)}
              restarts: {random.Next(1, 6)}
              restart_steps: {random.Next(1, 20000)}
              learning_rate: {random.NextDouble() * 0.01 + 1e-6:R}
              kl_warmup_steps: {random.Next(0, 5000)}
              final_learning_rate: {random.NextDouble() * 1e-4:R}
              decay_steps: {(random.Next(2) == 0 ? "null" : random.Next(1, 20_000).ToString())}
            wae:
              restarts: {random.Next(1, 5)}
            embedding_checks:
              max_mean_distance: {(random.Next(2) == 0 ? "null" : random.NextDouble().ToString("R"))}
              min_uniformity_p: {(random.Next(2) == 0 ? "null" : random.NextDouble().ToString("R"))}
              allow_failures: {(random.Next(2) == 0 ? "true" : "false")}
            architecture:
              action_head_init: {new[] { "drawn", "centred", "principal" }[random.Next(3)]}
              observation_init: {(random.Next(2) == 0 ? "unit" : "data")}
              initial_posterior_std: {(random.Next(2) == 0 ? "null" : (random.NextDouble() * 0.4 + 1e-3).ToString("R"))}
              hidden_widths: [{random.Next(1, 300)}, {random.Next(1, 300)}]
            reference: "paper ELBO 1 ± 2"
            """;
        var original = ConfigLoader.Load(Write(yaml));
        var reloaded = ConfigLoader.Load(Write(ConfigWriter.ToYaml(original), "resolved.yaml"));
        Assert.Equal(Normalise(original), Normalise(reloaded));
        Assert.Equal(original.Spec.Architecture.ObservationInit, reloaded.Spec.Architecture.ObservationInit);   // written only when set
    }

    private static string Normalise(ExperimentConfig config) =>
        ConfigWriter.ToYaml(config with { Source = "" });
}
