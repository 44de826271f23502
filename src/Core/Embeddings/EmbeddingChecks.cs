using ManifoldKit.Settings;
using System.Globalization;

namespace ManifoldKit.Embeddings;

/// <summary>
/// Thresholds on <see cref="EmbeddingQuality"/> (config keys <c>embedding_checks.*</c>); a null
/// threshold is not checked. The defaults were measured: they pass the exact embeddings and every
/// learned f that the protocol's WAE settings (docs/protocol.md) gave for circle, sphere and SO(3) at seeds 0 to 4, and
/// fail maps that fold the cube, miss half of M, or land 0.5 or more off M.
/// </summary>
public sealed record EmbeddingChecks
{
    /// <summary>
    /// Largest allowed <see cref="EmbeddingQuality.DistanceMean"/>. Not the max distance: a learned f
    /// maps its unused codes onto a chord. The default is set by SO(3), whose learned f lies 0.36–0.44
    /// off on average (circle at most 0.12, sphere 0.06); set 0.2 to hold a circle or sphere tighter.
    /// </summary>
    [Setting("largest mean distance of f(z) from the manifold a learned f may have (`null` switches a check off)", Min = 0)]
    public double? MaxMeanDistance { get; init; } = 0.5;

    /// <summary>
    /// Smallest allowed <see cref="EmbeddingQuality.MinPairRatio"/>: below it f folds or squeezes the
    /// cube. Set for the default 1,000 pair codes, over 20 seeds: exact maps measure 0.35 or more and
    /// learned ones 0.88 or more; folds 0.014 or less on the sphere and 0.14 or less on SO(3). More codes
    /// read lower for both (the exact SO(3) map's infimum is 0.19).
    /// </summary>
    [Setting("smallest ratio of ambient to hidden distance over pairs of interior codes (near 0: f folds)", Min = 0)]
    public double? MinPairRatio { get; init; } = 0.2;

    /// <summary>
    /// Smallest allowed <see cref="EmbeddingQuality.Coverage"/>. Learned maps measure 0.85 or more on
    /// the circle and sphere but 0.69–0.87 on SO(3), whose default radius is large; maps missing half of
    /// M measure 0.49–0.62.
    /// </summary>
    [Setting("smallest fraction of the manifold's points near an f-image", Min = 0)]
    public double? MinCoverage { get; init; } = 0.6;

    /// <summary>
    /// Smallest allowed <see cref="EmbeddingQuality.UniformityPValue"/>; off by default: no learned f is
    /// exactly uniform, and at 1,000 samples the test rejects a third of the learned maps at p ≤ 0.002.
    /// </summary>
    [Setting("smallest p-value of the MMD test of f(Uniform) against the manifold's sampler (off: no learned f is exactly uniform)", Min = 0)]
    public double? MinUniformityP { get; init; }

    /// <summary>
    /// Largest allowed <see cref="EmbeddingQuality.VolumeElementCv"/>, the spread of sqrt(det G): a
    /// loose guard, since learned maps measure up to 0.68 (z ↦ z³ on the circle measures 0.91).
    /// </summary>
    [Setting("largest coefficient of variation of sqrt(det G)", Min = 0)]
    public double? MaxVolumeCv { get; init; } = 1.0;

    /// <summary>Whether a run may go on with an embedding that fails a check (the failures are still reported).</summary>
    [Setting("train on a learned f that fails a check (the failures are printed as warnings); otherwise the run stops before training, naming the metric")]
    public bool AllowFailures { get; init; }

    /// <summary>
    /// One sentence per failing metric, naming it, its value and the threshold by its config key, e.g.
    /// "coverage 0.52 &lt; min_coverage 0.6: f misses part of the manifold"; empty when all checked metrics pass.
    /// </summary>
    /// <remarks>A NaN metric fails every check on it.</remarks>
    public IReadOnlyList<string> Failures(EmbeddingQuality quality)
    {
        var failures = new List<string>();
        // Written as !(value within bound) so that NaN fails.
        if (MaxMeanDistance is { } maxDistance && !(quality.DistanceMean <= maxDistance))
            failures.Add(Sentence($"mean distance {quality.DistanceMean:G4} > max_mean_distance {maxDistance}: f(z) lands off the manifold"));
        if (MinPairRatio is { } minRatio && !(quality.MinPairRatio >= minRatio))
            failures.Add(Sentence($"pair ratio {quality.MinPairRatio:G4} < min_pair_ratio {minRatio}: f folds or squeezes the cube, bringing distinct interior codes to nearly one point"));
        if (MinCoverage is { } minCoverage && !(quality.Coverage >= minCoverage))
            failures.Add(Sentence($"coverage {quality.Coverage:G4} < min_coverage {minCoverage}: f misses part of the manifold"));
        if (MinUniformityP is { } minP && !(quality.UniformityPValue >= minP))
            failures.Add(Sentence($"uniformity p-value {quality.UniformityPValue:G4} < min_uniformity_p {minP}: f(Uniform) is not uniform on the manifold"));
        if (MaxVolumeCv is { } maxCv && !(quality.VolumeElementCv <= maxCv))
            failures.Add(Sentence($"volume-element cv {quality.VolumeElementCv:G4} > max_volume_cv {maxCv}: f stretches the cube unevenly, far from measure-preserving"));
        return failures;
    }

    private static string Sentence(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
