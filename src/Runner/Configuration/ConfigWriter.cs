using System.Globalization;
using System.Text;
using ManifoldKit.Experiments;
using ManifoldKit.Models;

namespace ManifoldKit.Runner.Configuration;

/// <summary>Writes the fully resolved config of a run as YAML, every key explicit, loadable by <see cref="ConfigLoader"/>.</summary>
public static class ConfigWriter
{
    /// <summary>The YAML text of <paramref name="config"/>.</summary>
    public static string ToYaml(ExperimentConfig config)
    {
        var s = config.Spec;
        var text = new StringBuilder();
        void Line(int indent, string key, object value) => text.Append(' ', indent).Append(key).Append(": ").AppendLine(Format(value));
        text.AppendLine($"# resolved from {config.Source}");
        Line(0, "name", s.Name);
        Line(0, "task", s.Task);
        Line(0, "task_settings", s.TaskSettings);
        Line(0, "data_seed", s.DataSeed);
        Line(0, "noise_std", s.NoiseStd);
        Line(0, "seeds", s.Seeds);
        text.AppendLine("latent:");
        Line(2, "kind", s.Latent.Kind);
        Line(2, "dim", s.Latent.Dim);
        Line(2, "manifold", s.Latent.Manifold);
        Line(2, "manifold_settings", s.Latent.ManifoldSettings);
        Line(2, "embedding", s.Latent.Embedding);
        Line(2, "group_action", s.Latent.GroupAction);
        Line(2, "posterior", s.Latent.Posterior ?? (s.Latent.Kind == "euclidean" ? "gaussian" : "beta"));
        text.AppendLine("architecture:");
        Line(2, "observed_dim", s.Architecture.ObservedDim);
        Line(2, "hidden_widths", s.Architecture.HiddenWidths);
        Line(2, "action_head_init", s.Architecture.ActionHeadInit.ToString().ToLowerInvariant());
        if (s.Architecture.InitialPosteriorStd is { } std) Line(2, "initial_posterior_std", std);
        // Written only when set, so runs made before the key existed still match their configs.
        if (s.Architecture.ObservationInit != ObservationInit.Unit) Line(2, "observation_init", s.Architecture.ObservationInit.ToString().ToLowerInvariant());
        text.AppendLine("training:");
        Line(2, "steps", s.Training.Steps);
        Line(2, "batch_size", s.Training.BatchSize);
        Line(2, "learning_rate", s.Training.LearningRate);
        Line(2, "samples", s.Training.Samples);
        Line(2, "report_every", s.Training.ReportEvery);
        Line(2, "checkpoint_every", s.Training.CheckpointEvery);
        Line(2, "kl_warmup_steps", s.Training.KlWarmupSteps);
        if (s.Training.FinalLearningRate is { } final) Line(2, "final_learning_rate", final);
        if (s.Training.DecaySteps is { } decay) Line(2, "decay_steps", decay);
        if (s.Training.Restarts > 1)
        {
            Line(2, "restarts", s.Training.Restarts);
            Line(2, "restart_steps", s.Training.RestartSteps);
        }
        text.AppendLine("wae:");
        Line(2, "steps", s.Wae.Steps);
        Line(2, "batch_size", s.Wae.BatchSize);
        Line(2, "learning_rate", s.Wae.LearningRate);
        if (s.Wae.Restarts > 1) Line(2, "restarts", s.Wae.Restarts);
        Line(2, "lambda", s.Wae.Lambda);
        Line(2, "width", s.Wae.Width);
        text.AppendLine("embedding_checks:");
        Line(2, "max_mean_distance", Nullable(s.EmbeddingChecks.MaxMeanDistance));
        Line(2, "min_pair_ratio", Nullable(s.EmbeddingChecks.MinPairRatio));
        Line(2, "min_coverage", Nullable(s.EmbeddingChecks.MinCoverage));
        Line(2, "min_uniformity_p", Nullable(s.EmbeddingChecks.MinUniformityP));
        Line(2, "max_volume_cv", Nullable(s.EmbeddingChecks.MaxVolumeCv));
        Line(2, "allow_failures", s.EmbeddingChecks.AllowFailures);
        text.AppendLine("evaluation:");
        Line(2, "elbo_samples", s.Evaluation.ElboSamples);
        Line(2, "iwae_samples", s.Evaluation.IwaeSamples);
        Line(2, "test_size", s.Evaluation.TestSize);
        Line(2, "collapse_kl", s.Evaluation.CollapseKl);
        Line(0, "output", config.Output);
        Line(0, "plugin_dirs", config.PluginDirs);
        if (config.Reference is not null) Line(0, "reference", config.Reference);
        return text.ToString();
    }

    // A switched-off threshold is written as YAML's null, which the loader reads back as off.
    private static object Nullable(double? value) => value is { } v ? v : new NullValue();

    private sealed record NullValue;

    private static string Format(object value) => value switch
    {
        NullValue => "null",
        string s => s.Length == 0 || s.IndexOfAny([':', '#', '[', ']', '{', '}', ',', '\'', '"']) >= 0 || s.Trim() != s ? $"'{s.Replace("'", "''")}'" : s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, string> map => "{" + string.Join(", ", map.Select(p => $"{p.Key}: {Format(p.Value)}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
