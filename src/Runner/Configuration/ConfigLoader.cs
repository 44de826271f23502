using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Models;
using ManifoldKit.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ManifoldKit.Runner.Configuration;

/// <summary>
/// Reads an experiment config (YAML, snake_case keys, every key optional with the protocol's default (docs/protocol.md);
/// configs/README.md lists them) and <c>key=value</c> overrides, and binds them to an
/// <see cref="ExperimentConfig"/>. Unknown keys and bad values are errors naming the file, line,
/// key and fix. Nothing in a config can name a type to load.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Loads <paramref name="path"/> (or the protocol's defaults, docs/protocol.md, when null) with overrides applied.</summary>
    /// <exception cref="ConfigException">The file or an override is not a valid config.</exception>
    public static ExperimentConfig Load(string? path, IEnumerable<string>? overrides = null)
    {
        var root = path is null ? new YamlMappingNode() : Parse(path);
        foreach (var text in overrides ?? []) ApplyOverride(root, text);
        var file = path ?? "(defaults)";
        var section = new Section(file, "", root);
        var config = Bind(section, path is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(path))!, file);
        section.Finish();
        return config;
    }

    private static YamlMappingNode Parse(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: no such config file; give the path of a YAML file such as configs/default.yaml.");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException error)
        {
            throw new ConfigException($"{path}:{error.Start.Line}: not valid YAML: {error.InnerException?.Message ?? error.Message}");
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode mapping => mapping,
            YamlScalarNode { Value: "" or null } => new YamlMappingNode(),
            var other => throw new ConfigException($"{path}:{other.Start.Line}: the top level must be a mapping of settings (key: value lines)."),
        };
    }

    /// <summary>Sets <c>a.b.c=value</c> in the tree; the value is read as YAML (so <c>seeds=[0,1]</c> is a list).</summary>
    private static void ApplyOverride(YamlMappingNode root, string text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0) throw new ConfigException($"override '{text}': expected key=value, e.g. training.steps=500.");
        var keys = text[..equals].Trim().Split('.');
        YamlNode value;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text[(equals + 1)..]));
            value = stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
        }
        catch (YamlException error)
        {
            throw new ConfigException($"override '{text}': the value is not valid YAML: {error.Message}");
        }
        var mapping = root;
        foreach (var key in keys[..^1])
        {
            if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) || child is not YamlMappingNode childMapping)
            {
                childMapping = new YamlMappingNode();
                mapping.Children[new YamlScalarNode(key)] = childMapping;
            }
            mapping = childMapping;
        }
        mapping.Children[new YamlScalarNode(keys[^1])] = value;
    }

    private static ExperimentConfig Bind(Section root, string baseDirectory, string file)
    {
        var defaults = new ExperimentSpec();
        var latent = root.Child("latent");
        var kind = latent.Choice("kind", defaults.Latent.Kind, "euclidean", "manifold");
        var architecture = root.Child("architecture");
        architecture.Replaced("centre_action_head", "'action_head_init: centred' for true, nothing (or 'drawn') for false");
        var training = root.Child("training");
        var wae = root.Child("wae");
        var evaluation = root.Child("evaluation");
        var checks = root.Child("embedding_checks");
        var spec = new ExperimentSpec
        {
            Name = root.String("name", Path.GetFileNameWithoutExtension(file) is { Length: > 0 } stem && file != "(defaults)" ? stem : "default"),
            Task = root.String("task", defaults.Task),
            TaskSettings = root.Map("task_settings"),
            DataSeed = root.Long("data_seed", defaults.DataSeed),
            NoiseStd = root.Double("noise_std", defaults.NoiseStd, min: 0),
            Seeds = root.LongList("seeds", defaults.Seeds),
            Latent = new LatentOptions
            {
                Kind = kind,
                Dim = latent.Int("dim", defaults.Latent.Dim, min: 1, max: 1024),
                Manifold = latent.String("manifold", defaults.Latent.Manifold),
                ManifoldSettings = latent.Map("manifold_settings"),
                Embedding = ResolveEmbedding(latent.String("embedding", defaults.Latent.Embedding), baseDirectory),
                GroupAction = latent.Bool("group_action", defaults.Latent.GroupAction),
                Posterior = latent.OptionalString("posterior") is { } posterior ? latent.Choice("posterior", posterior, "gaussian", "beta", "beta_log", "beta_centred") : null,
            },
            Architecture = new ArchitectureOptions
            {
                ObservedDim = architecture.Int("observed_dim", defaults.Architecture.ObservedDim, min: 1),
                HiddenWidths = architecture.IntList("hidden_widths", defaults.Architecture.HiddenWidths),
                ActionHeadInit = architecture.Choice("action_head_init", defaults.Architecture.ActionHeadInit),
                InitialPosteriorStd = architecture.NullableDouble("initial_posterior_std", defaults.Architecture.InitialPosteriorStd, min: 0, exclusive: true),
                ObservationInit = architecture.Choice("observation_init", defaults.Architecture.ObservationInit),
            },
            Training = new TrainingOptions
            {
                Steps = training.Int("steps", defaults.Training.Steps, min: 1),
                BatchSize = training.Int("batch_size", defaults.Training.BatchSize, min: 1),
                LearningRate = training.Double("learning_rate", defaults.Training.LearningRate, min: 0, exclusive: true),
                Samples = training.Int("samples", defaults.Training.Samples, min: 1),
                ReportEvery = training.Int("report_every", defaults.Training.ReportEvery, min: 1),
                CheckpointEvery = training.Int("checkpoint_every", Experiment.DefaultCheckpointEvery, min: 1),
                KlWarmupSteps = training.Int("kl_warmup_steps", defaults.Training.KlWarmupSteps, min: 0),
                FinalLearningRate = training.NullableDouble("final_learning_rate", defaults.Training.FinalLearningRate, min: 0),
                DecaySteps = training.NullableInt("decay_steps", min: 1),
                Restarts = training.Int("restarts", defaults.Training.Restarts, min: 1, max: Trainer.MaxRestarts),
                RestartSteps = training.Int("restart_steps", defaults.Training.RestartSteps, min: 1),
            },
            Wae = new WaeOptions
            {
                Steps = wae.Int("steps", defaults.Wae.Steps, min: 1),
                BatchSize = wae.Int("batch_size", defaults.Wae.BatchSize, min: 2),
                LearningRate = wae.Double("learning_rate", defaults.Wae.LearningRate, min: 0, exclusive: true),
                Restarts = wae.Int("restarts", defaults.Wae.Restarts, min: 1, max: Trainer.MaxRestarts),
                Lambda = wae.Double("lambda", defaults.Wae.Lambda, min: 0),
                Width = wae.Int("width", defaults.Wae.Width, min: 1),
            },
            EmbeddingChecks = new EmbeddingChecks
            {
                MaxMeanDistance = checks.NullableDouble("max_mean_distance", defaults.EmbeddingChecks.MaxMeanDistance, min: 0),
                MinPairRatio = checks.NullableDouble("min_pair_ratio", defaults.EmbeddingChecks.MinPairRatio, min: 0),
                MinCoverage = checks.NullableDouble("min_coverage", defaults.EmbeddingChecks.MinCoverage, min: 0),
                MinUniformityP = checks.NullableDouble("min_uniformity_p", defaults.EmbeddingChecks.MinUniformityP, min: 0),
                MaxVolumeCv = checks.NullableDouble("max_volume_cv", defaults.EmbeddingChecks.MaxVolumeCv, min: 0),
                AllowFailures = checks.Bool("allow_failures", defaults.EmbeddingChecks.AllowFailures),
            },
            Evaluation = new EvaluationOptions
            {
                ElboSamples = evaluation.Int("elbo_samples", defaults.Evaluation.ElboSamples, min: 1),
                IwaeSamples = evaluation.Int("iwae_samples", defaults.Evaluation.IwaeSamples, min: 1),
                TestSize = evaluation.Int("test_size", defaults.Evaluation.TestSize, min: 1),
                CollapseKl = evaluation.Double("collapse_kl", defaults.Evaluation.CollapseKl, min: 0),
            },
        };
        var output = root.String("output", "runs");
        var pluginDirs = root.StringList("plugin_dirs").Select(d => Path.GetFullPath(d, baseDirectory)).ToList();
        return new ExperimentConfig(spec, output, pluginDirs, file, root.OptionalString("reference"), root.Lines);
    }

    // exact and learned are keywords; anything else is a path, relative to the config's folder.
    private static string ResolveEmbedding(string value, string baseDirectory) =>
        value is "exact" or "learned" ? value : Path.GetFullPath(value, baseDirectory);
}
