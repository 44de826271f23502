using System.Globalization;

namespace ManifoldKit.Experiments;

/// <summary>
/// The rule that bounds every size-like key: the memory a spec implies, estimated from its largest
/// tensors, must fit in half of the memory this process may use, so that a run is refused before it
/// starts instead of dying in an allocation. The estimate counts float32 tensors of four kinds and
/// names the key that drives the largest: a training step's activations (batch × samples × widths,
/// kept for the backward pass), the weights with their gradient and two Adam moments, an evaluation
/// chunk (test points × samples × widths, the IWAE's chunk shrinking as k grows), and the test set with its factors.
/// </summary>
public static class MemoryBudget
{
    private const long Float = sizeof(float);

    /// <summary>The bytes a run may plan for: half of what the GC reports as available (physical memory or a container's limit).</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>Refuses a spec whose estimated memory exceeds <paramref name="available"/> bytes (default <see cref="Available"/>).</summary>
    /// <exception cref="ExperimentException">Too large; the key is the one driving the largest term.</exception>
    public static void Check(ExperimentSpec spec, long? available = null)
    {
        var budget = available ?? Available;
        var a = spec.Architecture;
        double widest = Math.Max(a.ObservedDim, a.HiddenWidths.Length == 0 ? 0 : a.HiddenWidths.Max());
        double layerSum = a.ObservedDim + a.HiddenWidths.Select(w => (double)w).Sum();
        var layers = new[] { (double)a.ObservedDim }.Concat(a.HiddenWidths.Select(w => (double)w)).ToArray();
        var weights = 2 * layers.Zip(layers.Skip(1), (x, y) => x * y).Sum();                 // encoder and decoder
        var terms = new (string Key, string What, double Bytes)[]
        {
            ("training.batch_size", "a training step's activations", 3.0 * spec.Training.BatchSize * spec.Training.Samples * layerSum * 2 * Float),
            ("architecture.hidden_widths", "the weights with their gradients and Adam moments", 4.0 * weights * Float),
            ("evaluation.iwae_samples", "an evaluation chunk", 3.0 * EvaluationChunk(spec.Evaluation) * layerSum * 2 * Float),
            ("evaluation.test_size", "the test set", 2.0 * spec.Evaluation.TestSize * widest * Float),
            ("wae.batch_size", "a WAE step (its MMD kernel matrix)", 3.0 * spec.Wae.BatchSize * (spec.Wae.BatchSize + 2.0 * spec.Wae.Width) * Float),
        };
        var total = terms.Sum(t => t.Bytes);
        if (total <= budget) return;
        var largest = terms.MaxBy(t => t.Bytes);
        // Name the batch key that scales the largest term; samples scale the same tensor.
        var key = largest.Key == "training.batch_size" && spec.Training.Samples > spec.Training.BatchSize ? "training.samples" : largest.Key;
        throw new ExperimentException(key, string.Create(CultureInfo.InvariantCulture,
            $"the settings need about {Size(total)} of memory ({largest.What}: {Size(largest.Bytes)}, set by {key}), more than the {Size(budget)} a run may use here " +
            $"(half of this machine's {Size(2 * budget)}); lower {key}."));
    }

    /// <summary>Samples in the largest evaluation chunk: the ELBO's 500 points × its samples, or the IWAE's chunk.</summary>
    private static double EvaluationChunk(EvaluationOptions e) =>
        Math.Max(500.0 * e.ElboSamples, (double)Evaluation.Evaluator.ChunkPoints(e.IwaeSamples) * e.IwaeSamples);

    private static string Size(double bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):F1} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 20):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:F1} KiB"),
    };
}
