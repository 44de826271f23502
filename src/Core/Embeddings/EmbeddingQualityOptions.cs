namespace ManifoldKit.Embeddings;

/// <summary>Sample sizes and seed of <see cref="EmbeddingQuality.Measure"/>; the defaults take a few seconds on a CPU.</summary>
public sealed record EmbeddingQualityOptions
{
    /// <summary>Fresh uniform codes for the distance of f(z) from M.</summary>
    public int DistanceCodes { get; init; } = 2000;

    /// <summary>Fresh uniform points of M for the reconstruction error |x − f(inverse(x))|².</summary>
    public int ReconstructionPoints { get; init; } = 2000;

    /// <summary>Interior codes whose P(P−1)/2 pairs give the smallest ratio |f(z) − f(z')| / |z − z'|.</summary>
    public int PairCodes { get; init; } = 1000;

    /// <summary>ε: pair codes are uniform in [ε, 1−ε]^n, away from the faces an exact f glues together.</summary>
    public double InteriorMargin { get; init; } = 0.05;

    /// <summary>Size of each of the two samples of the uniformity test, f(Uniform codes) and M's own sampler.</summary>
    public int UniformitySamples { get; init; } = 1000;

    /// <summary>Fresh uniform codes for the volume element sqrt(det G(z)).</summary>
    public int VolumeCodes { get; init; } = 2000;

    /// <summary>Fresh uniform points of M that coverage asks about.</summary>
    public int CoveragePoints { get; init; } = 2000;

    /// <summary>K: fresh uniform codes whose projected images are the candidates for coverage.</summary>
    public int CoverageCodes { get; init; } = 10000;

    /// <summary>
    /// The coverage radius r; when null, the radius whose ball holds on average
    /// <see cref="CoverageNeighbours"/> of K uniform images.
    /// </summary>
    public double? CoverageRadius { get; init; }

    /// <summary>Expected images in a ball of the default radius: a point is missed by an exact f with probability e^(−this).</summary>
    public double CoverageNeighbours { get; init; } = 10;

    /// <summary>Seed of every random draw; each metric draws from its own generator derived from it.</summary>
    public long Seed { get; init; } = 12345;
}
