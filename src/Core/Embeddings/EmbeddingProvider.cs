using System.Globalization;
using System.Text.Json;
using ManifoldKit.Experiments;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Embeddings;

/// <summary>
/// Supplies the embedding f of a plan's manifold latent: the manifold's exact f, the saved f the plan
/// loaded, or a WAE-MMD learned once per seed and kept in a cache folder (named by every WAE setting
/// that changes f) with its quality beside it. A learned f must pass the spec's embedding checks.
/// </summary>
/// <param name="cacheDirectory">Where learned embeddings are kept for reuse across runs.</param>
/// <param name="log">One-line messages (learned, reused, quality, allowed failures).</param>
public sealed class EmbeddingProvider(string cacheDirectory, Action<string>? log = null)
{
    /// <summary>The f of <paramref name="plan"/>'s latent for <paramref name="seed"/>, with the path and quality of a learned or saved f.</summary>
    /// <exception cref="ExperimentException">A learned f fails a check (key <c>embedding_checks</c>).</exception>
    public (IEmbedding Embedding, string? Path, EmbeddingQuality? Quality) Provide(ExperimentPlan plan, long seed) => Provide(plan, plan.Factors[0], seed);

    /// <summary>The f of one manifold factor of <paramref name="plan"/>'s latent; a learned f is cached by manifold and settings, so factors on the same manifold share it.</summary>
    /// <exception cref="ExperimentException">A learned f fails a check (key <c>embedding_checks</c>).</exception>
    public (IEmbedding Embedding, string? Path, EmbeddingQuality? Quality) Provide(ExperimentPlan plan, FactorPlan factor, long seed)
    {
        var manifold = factor.Manifold ?? throw new InvalidOperationException("a Euclidean latent has no embedding");
        var spec = plan.Spec;
        if (factor.Options.Embedding == EmbeddingSource.Exact) return (manifold.ExactEmbedding!, null, null);

        string path;
        LearnedEmbedding embedding;
        EmbeddingQuality quality;
        if (factor.SavedEmbedding is { } saved)
        {
            (embedding, path) = (saved, factor.Options.Embedding.Path!);
            quality = QualityOf(embedding, manifold, path);
        }
        else
        {
            path = System.IO.Path.Combine(cacheDirectory, $"{CacheKey(manifold, factor.Options, spec.Wae)}-seed{seed}.bin");
            // Processes sharing the cache (shards of a sweep) learn each f once: the others wait, then read it.
            using var held = FileLock.Acquire(path + ".lock", () => log?.Invoke($"waiting for another process learning {path} (it holds {path}.lock)"));
            embedding = Cached(path) ?? Learn(manifold, spec.Wae with { Seed = seed }, path, ComputeDevice.Parse(spec.Device));
            quality = QualityOf(embedding, manifold, path);
        }
        Check(quality, path, spec.EmbeddingChecks);
        return (embedding, path, quality);
    }

    /// <summary>Where the quality of the embedding saved at <paramref name="embeddingPath"/> is kept.</summary>
    public static string QualityPath(string embeddingPath) => embeddingPath + ".quality.json";

    /// <summary>
    /// The quality of a learned embedding, measured once and kept beside it (<see cref="QualityPath"/>),
    /// with the WAE's encoder as the inverse for the reconstruction error.
    /// </summary>
    public static EmbeddingQuality QualityOf(LearnedEmbedding f, IManifold manifold, string path)
    {
        var file = QualityPath(path);
        if (File.Exists(file))
        {
            try
            {
                return EmbeddingQuality.FromJson(File.ReadAllText(file));
            }
            catch (JsonException)
            {
                // Unreadable (an interrupted write of an older version): measure again below.
            }
        }
        var quality = EmbeddingQuality.Measure(f, manifold, f.Encode);
        AtomicFile.WriteAllText(file, quality.ToJson());
        return quality;
    }

    private LearnedEmbedding? Cached(string path)
    {
        if (!File.Exists(path) || !File.Exists(path + ".json")) return null;
        try
        {
            var cached = LearnedEmbedding.Load(path);
            log?.Invoke($"reusing learned embedding {path}");
            return cached;
        }
        catch (InvalidDataException error)
        {
            // A cache entry, not a user's file: an older format is learned again rather than refused.
            log?.Invoke($"not reusing {path}: {error.Message.Split(';')[0]}");
            File.Delete(QualityPath(path));
            return null;
        }
    }

    private LearnedEmbedding Learn(IManifold manifold, WaeOptions options, string path, Device device)
    {
        var attempts = options.Restarts > 1 ? $", best of {options.Restarts}" : "";
        log?.Invoke($"learning a WAE-MMD embedding of {manifold.Name} ({options.Steps} steps, seed {options.Seed}{attempts}) into {path}");
        var learned = WaeMmdTrainer.Train(manifold, options, log: log, device: device);
        learned.SaveTo(path);
        return learned;
    }

    /// <summary>Reports a learned f's quality in one line and stops on a failed check unless the config allows it.</summary>
    private void Check(EmbeddingQuality quality, string path, EmbeddingChecks checks)
    {
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"embedding quality: distance from {quality.Manifold} mean {quality.DistanceMean:G3} (max {quality.DistanceMax:G3}), reconstruction {quality.ReconstructionError:G3}, " +
            $"pair ratio {quality.MinPairRatio:G3}, uniformity p {quality.UniformityPValue:G3}, volume element {quality.VolumeElementMean:G4} (cv {quality.VolumeElementCv:G3}), " +
            $"coverage {quality.Coverage:G3}; all figures in {QualityPath(path)}"));
        var failures = checks.Failures(quality);
        if (failures.Count == 0) return;
        if (checks.AllowFailures)
        {
            foreach (var failure in failures) log?.Invoke($"warning: {path} fails a check, allowed by embedding_checks.allow_failures: {failure}");
            return;
        }
        throw new ExperimentException("embedding_checks",
            $"the learned embedding {path} fails {(failures.Count == 1 ? "a check" : $"{failures.Count} checks")}: {string.Join("; ", failures)}. " +
            "Learn a better f (e.g. more wae.steps), loosen the threshold, or set embedding_checks.allow_failures: true to train with it anyway.");
    }

    private static string CacheKey(IManifold manifold, LatentOptions options, WaeOptions wae)
    {
        var settings = string.Concat(options.ManifoldSettings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"-{p.Key}{p.Value}"));
        // Settings left at their defaults stay out of the name, so caches learned before they existed still match.
        var defaults = new WaeOptions();
        var rate = wae.LearningRate == defaults.LearningRate ? "" : $"-lr{wae.LearningRate}";
        var width = wae.Width == defaults.Width ? "" : $"-width{wae.Width}";
        var restarts = wae.Restarts > 1 ? $"-best{wae.Restarts}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{manifold.Name}{settings}-wae{wae.Steps}x{wae.BatchSize}-lambda{wae.Lambda}{rate}{width}{restarts}");
    }
}
