using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ManifoldKit.Statistics;
using static TorchSharp.torch;

namespace ManifoldKit.Embeddings;

/// <summary>
/// How well an embedding f : [0,1]^n → R^m does what the KL identity needs of it: land on M, be
/// one-to-one, carry Uniform[0,1]^n to the uniform measure of M, and reach all of M. Each property is
/// measured on fresh samples with fixed seeds (<see cref="Measure"/>); <see cref="EmbeddingChecks"/>
/// turns the numbers into verdicts.
/// </summary>
public sealed record EmbeddingQuality
{
    /// <summary>Name of the manifold M.</summary>
    public string Manifold { get; init; } = "";

    /// <summary>Hidden dimension n.</summary>
    public int HiddenDim { get; init; }

    /// <summary>The seed all samples were drawn from.</summary>
    public long Seed { get; init; }

    /// <summary>Uniform codes z behind the distance statistics.</summary>
    public int DistanceCodes { get; init; }

    /// <summary>Mean of |f(z) − Project(f(z))| over uniform codes: how far f lands from M on average.</summary>
    public double DistanceMean { get; init; }

    /// <summary>Median of the same distances.</summary>
    public double DistanceMedian { get; init; }

    /// <summary>Largest of the same distances.</summary>
    public double DistanceMax { get; init; }

    /// <summary>Uniform points x of M behind the reconstruction error; null when no inverse was given.</summary>
    public int? ReconstructionPoints { get; init; }

    /// <summary>Mean of |x − f(inverse(x))|² over uniform points of M (the WAE's reconstruction error); null when no inverse was given.</summary>
    public double? ReconstructionError { get; init; }

    /// <summary>Codes, uniform in [ε, 1−ε]^n, whose pairs give <see cref="MinPairRatio"/>.</summary>
    public int PairCodes { get; init; }

    /// <summary>ε, the margin that keeps pair codes off the cube's faces.</summary>
    public double InteriorMargin { get; init; }

    /// <summary>
    /// The smallest |f(z) − f(z')| / |z − z'| over all pairs of interior codes. Near 0 when f folds
    /// the cube, mapping two distinct interior codes to (nearly) one point.
    /// </summary>
    public double MinPairRatio { get; init; }

    /// <summary>Size of each sample of the uniformity test.</summary>
    public int UniformitySamples { get; init; }

    /// <summary>MMD² between f(Uniform codes) and M's uniform sampler.</summary>
    public double UniformityMmdSquared { get; init; }

    /// <summary>Permutation p-value of that MMD² (<see cref="TwoSampleTest"/>); small when f(Uniform) is not uniform on M.</summary>
    public double UniformityPValue { get; init; }

    /// <summary>Uniform codes behind the volume-element statistics.</summary>
    public int VolumeCodes { get; init; }

    /// <summary>
    /// Mean of sqrt(det G(z)), G = JᵀJ: the volume of f's image counted with multiplicity. Equals
    /// Vol(M) for a one-to-one map onto M; a map covering M twice gives 2·Vol(M).
    /// </summary>
    public double VolumeElementMean { get; init; }

    /// <summary>Coefficient of variation (std / mean) of sqrt(det G(z)): 0 for a measure-preserving map.</summary>
    public double VolumeElementCv { get; init; }

    /// <summary>Smallest sqrt(det G(z)) seen.</summary>
    public double VolumeElementMin { get; init; }

    /// <summary>Largest sqrt(det G(z)) seen.</summary>
    public double VolumeElementMax { get; init; }

    /// <summary>Vol(M) as the manifold states it, for reference; null when it is not known.</summary>
    public double? ManifoldVolume { get; init; }

    /// <summary>Uniform points of M that coverage asks about.</summary>
    public int CoveragePoints { get; init; }

    /// <summary>Uniform codes whose projected images are the candidates for coverage.</summary>
    public int CoverageCodes { get; init; }

    /// <summary>The radius r within which a point of M counts as covered.</summary>
    public double CoverageRadius { get; init; }

    /// <summary>
    /// The fraction of uniform points of M with a projected image Project(f(z)) within
    /// <see cref="CoverageRadius"/>: about 1 for a map onto M, about the covered fraction otherwise.
    /// </summary>
    public double Coverage { get; init; }

    /// <summary>JSON settings: indented, snake_case like the experiment results, NaN allowed.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The metrics as JSON (<see cref="JsonOptions"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads metrics written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static EmbeddingQuality FromJson(string json) =>
        JsonSerializer.Deserialize<EmbeddingQuality>(json, JsonOptions) ?? throw new JsonException("null embedding quality");

    /// <summary>One line per metric, with the sample sizes behind it.</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var cube = string.Create(c, $"[{InteriorMargin:G3}, {1 - InteriorMargin:G3}]^{HiddenDim}");
        var pairs = (long)PairCodes * (PairCodes - 1) / 2;
        string[] lines =
        [
            string.Create(c, $"embedding quality of f : [0,1]^{HiddenDim} → {Manifold} (seed {Seed})"),
            string.Create(c, $"  on manifold:    |f(z) − M| over {DistanceCodes} uniform codes: mean {DistanceMean:G4}, median {DistanceMedian:G4}, max {DistanceMax:G4}"),
            ReconstructionError is { } error
                ? string.Create(c, $"  reconstruction: |x − f(inverse(x))|² over {ReconstructionPoints} uniform points of M: mean {error:G4}")
                : "  reconstruction: not measured (no inverse given)",
            string.Create(c, $"  injectivity:    min |f(z) − f(z')| / |z − z'| over {pairs} pairs of {PairCodes} codes in {cube}: {MinPairRatio:G4}"),
            string.Create(c, $"  uniformity:     f(Uniform) vs M's sampler, {UniformitySamples} points each: MMD² {UniformityMmdSquared:G4}, p {UniformityPValue:G4}"),
            string.Create(c, $"  volume:         sqrt(det G) over {VolumeCodes} uniform codes: mean {VolumeElementMean:G6}, cv {VolumeElementCv:G4}, min {VolumeElementMin:G4}, max {VolumeElementMax:G4}; Vol(M) {(ManifoldVolume is { } v ? v.ToString("G6", c) : "unknown")}"),
            string.Create(c, $"  coverage:       a fraction {Coverage:F3} of {CoveragePoints} uniform points of M lie within r = {CoverageRadius:G4} of one of {CoverageCodes} projected images"),
        ];
        return string.Join(Environment.NewLine, lines);
    }

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>
    /// Measures an embedding against its manifold; deterministic for given options.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Injectivity has two measures. With an <paramref name="inverse"/>, the reconstruction error
    /// |x − f(inverse(x))|² over uniform points x of M (pass an exact embedding's
    /// <see cref="IExactEmbedding.Chart"/>, or a learned one's <see cref="LearnedEmbedding.Encode"/>).
    /// Always, the smallest ratio |f(z) − f(z')| / |z − z'| over all pairs of codes drawn uniformly
    /// from the interior [ε, 1−ε]^n. The interior matters: exact embeddings glue the cube's faces
    /// together (the circle's maps z = 0 and z = 1 to one point, the sphere's maps the faces z₁ = 0 and
    /// z₁ = 1 to the poles), so pairs across the boundary would make every exact map look folded. A fold
    /// inside the cube, two distinct interior codes sent to one point, drives the ratio to about 0.
    /// Pairs closer than sqrt(machine ε) of f's dtype (3.5e-4 for float32) are skipped: there the
    /// rounding of f(z) could pass for a fold. With P random codes a fold is found only to the
    /// resolution of their spacing, so a folded map reads about 1e-5 on [0,1], 1e-2 on [0,1]² and
    /// below 0.1 on [0,1]³ at P = 1,000, against 0.4 or more for the exact maps.
    /// </para>
    /// <para>
    /// Coverage projects the images onto M first, so that it measures missing regions only and not
    /// the distance from M. Its default radius r = (k·Vol / (K·V_n))^(1/n), V_n the volume of the unit
    /// n-ball and k = <see cref="EmbeddingQualityOptions.CoverageNeighbours"/>, is the radius whose ball
    /// holds k of K uniform images on average, so an exact map misses a point with probability about
    /// e^(−k). Vol is the manifold's <see cref="IManifold.Volume"/> or, when that is null, the measured
    /// mean volume element (an overestimate for a map that covers M more than once, which only widens r).
    /// </para>
    /// <para>
    /// Codes are float64, or the dtype of f's parameters when f is a torch module; distances and
    /// statistics are computed in float64. Everything runs without gradients except the metric tensor.
    /// </para>
    /// </remarks>
    /// <param name="f">The embedding, hidden dimension n = <see cref="IManifold.IntrinsicDim"/>.</param>
    /// <param name="manifold">The manifold f should embed [0,1]^n onto.</param>
    /// <param name="inverse">An approximate inverse M → [0,1]^n, shapes <c>[B, m]</c> to <c>[B, n]</c>; the reconstruction error is null without one.</param>
    /// <param name="options">Sample sizes and seed; the defaults when null.</param>
    /// <exception cref="ArgumentException">The dimensions of f and M differ, or an option is out of range.</exception>
    public static EmbeddingQuality Measure(IEmbedding f, IManifold manifold, Func<Tensor, Tensor>? inverse = null, EmbeddingQualityOptions? options = null)
    {
        options ??= new EmbeddingQualityOptions();
        var n = manifold.IntrinsicDim;
        if (f.HiddenDim != n || f.AmbientDim != manifold.AmbientDim)
            throw new ArgumentException($"f maps [0,1]^{f.HiddenDim} into R^{f.AmbientDim}, but {manifold.Name} needs [0,1]^{n} into R^{manifold.AmbientDim}.", nameof(f));
        if (options.DistanceCodes < 1 || options.ReconstructionPoints < 1 || options.PairCodes < 2 || options.UniformitySamples < 2
            || options.VolumeCodes < 2 || options.CoveragePoints < 1 || options.CoverageCodes < 1)
            throw new ArgumentException("every sample size must be positive (at least 2 for pairs, uniformity and volume).", nameof(options));
        if (!(options.CoverageNeighbours > 0) || options.CoverageRadius is { } r && !(r > 0))
            throw new ArgumentException("the coverage radius and the expected neighbours in it must be positive.", nameof(options));
        if (options.InteriorMargin is < 0 or >= 0.5)
            throw new ArgumentException($"the interior margin is {options.InteriorMargin}; it must lie in [0, 0.5).", nameof(options));

        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        var dtype = CodeType(f);
        var seed = options.Seed;
        Tensor Codes(int count, int stream, double margin = 0)
        {
            using var generator = Stream(seed, stream);
            var unit = rand([count, n], dtype: ScalarType.Float64, device: generator.device, generator: generator);
            return (margin + (1 - 2 * margin) * unit).to_type(dtype);
        }
        Tensor Points(int count, int stream)
        {
            using var generator = Stream(seed, stream);
            return manifold.SampleUniform(count, generator, ScalarType.Float64);
        }
        Tensor Image(Tensor codes) => f.Embed(codes).to_type(ScalarType.Float64);

        var distance = manifold.Distance(Image(Codes(options.DistanceCodes, 0)));

        double? reconstruction = null;
        if (inverse is not null)
        {
            var x = Points(options.ReconstructionPoints, 1);
            reconstruction = (x - Image(inverse(x.to_type(dtype)))).square().sum(dim: -1).mean().item<double>();
        }

        var pairCodes = Codes(options.PairCodes, 2, options.InteriorMargin);
        var minPairRatio = SmallestPairRatio(pairCodes.to_type(ScalarType.Float64), Image(pairCodes), MinSeparation(dtype));

        var uniformity = TwoSampleTest.Run(Image(Codes(options.UniformitySamples, 3)), Points(options.UniformitySamples, 4), Derived(seed, 5));

        // exp(−∞) = 0 where a learned f degenerates (det G ≤ 0), so the statistics stay finite.
        var volumeElement = f.LogVolumeElement(Codes(options.VolumeCodes, 6)).to_type(ScalarType.Float64).exp();
        var volumeMean = volumeElement.mean().item<double>();

        var volume = manifold.Volume ?? volumeMean;
        var radius = options.CoverageRadius ?? Math.Pow(options.CoverageNeighbours * volume / (options.CoverageCodes * UnitBallVolume(n)), 1.0 / n);
        var images = manifold.Project(Image(Codes(options.CoverageCodes, 7)));
        var nearest = NearestDistances(Points(options.CoveragePoints, 8), images);

        return new EmbeddingQuality
        {
            Manifold = manifold.Name,
            HiddenDim = n,
            Seed = seed,
            DistanceCodes = options.DistanceCodes,
            DistanceMean = distance.mean().item<double>(),
            DistanceMedian = distance.median().item<double>(),
            DistanceMax = distance.max().item<double>(),
            ReconstructionPoints = inverse is null ? null : options.ReconstructionPoints,
            ReconstructionError = reconstruction,
            PairCodes = options.PairCodes,
            InteriorMargin = options.InteriorMargin,
            MinPairRatio = minPairRatio,
            UniformitySamples = options.UniformitySamples,
            UniformityMmdSquared = uniformity.MmdSquared,
            UniformityPValue = uniformity.PValue,
            VolumeCodes = options.VolumeCodes,
            VolumeElementMean = volumeMean,
            VolumeElementCv = (volumeElement.std() / volumeMean).item<double>(),
            VolumeElementMin = volumeElement.min().item<double>(),
            VolumeElementMax = volumeElement.max().item<double>(),
            ManifoldVolume = manifold.Volume,
            CoveragePoints = options.CoveragePoints,
            CoverageCodes = options.CoverageCodes,
            CoverageRadius = radius,
            Coverage = (nearest <= radius).to_type(ScalarType.Float64).mean().item<double>(),
        };
    }

    /// <summary>The volume of the unit n-ball, π^(n/2) / Γ(n/2 + 1), by V_n = 2π/n · V_(n−2) from V_0 = 1, V_1 = 2.</summary>
    /// <param name="n">Dimension, at least 0.</param>
    public static double UnitBallVolume(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var volume = n % 2 == 0 ? 1.0 : 2.0;
        for (var k = n % 2 == 0 ? 2 : 3; k <= n; k += 2) volume *= 2 * Math.PI / k;
        return volume;
    }

    // Rows at a time, so that the [rows, P] and [rows, K] distance blocks stay small.
    private const int ChunkRows = 250;

    // The smallest |f(z) − f(z')| / |z − z'| over pairs at least minSeparation apart. Differences are
    // taken explicitly: cdist's |a|² + |b|² − 2a·b leaves ~1e-8 on the diagonal, which would read as a fold.
    private static double SmallestPairRatio(Tensor codes, Tensor images, double minSeparation)
    {
        var count = codes.shape[0];
        var rowsPerChunk = Math.Clamp(4_000_000 / (count * images.shape[1]), 1, ChunkRows);
        var smallest = double.PositiveInfinity;
        for (long start = 0; start < count; start += rowsPerChunk)
        {
            using var scope = NewDisposeScope();
            var rows = Math.Min(rowsPerChunk, count - start);
            var hidden = Distances(codes.narrow(0, start, rows), codes);
            var ambient = Distances(images.narrow(0, start, rows), images);
            var skipped = (arange(start, start + rows, device: hidden.device).unsqueeze(1) == arange(count, device: hidden.device).unsqueeze(0)).logical_or(hidden < minSeparation);
            smallest = Math.Min(smallest, (ambient / hidden).masked_fill(skipped, double.PositiveInfinity).min().item<double>());
        }
        return smallest;
    }

    private static Tensor Distances(Tensor x, Tensor y) => (x.unsqueeze(1) - y.unsqueeze(0)).square().sum(dim: -1).sqrt();

    // For each query, the distance to its nearest candidate.
    private static Tensor NearestDistances(Tensor queries, Tensor candidates)
    {
        using var scope = NewDisposeScope();
        var chunks = new List<Tensor>();
        for (long start = 0; start < queries.shape[0]; start += ChunkRows)
        {
            var rows = Math.Min(ChunkRows, queries.shape[0] - start);
            chunks.Add(cdist(queries.narrow(0, start, rows), candidates).min(1).values);
        }
        return cat(chunks, dim: 0).MoveToOuterDisposeScope();
    }

    // Below sqrt(ε) of f's dtype, rounding of f(z) (ε·|f|) could be a sizeable part of |f(z) − f(z')|.
    private static double MinSeparation(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => Math.Sqrt(2.220446049250313e-16),
        ScalarType.Float32 => Math.Sqrt(1.1920929e-7),
        _ => Math.Sqrt(9.765625e-4),                                          // half precision
    };

    // A learned f is a module whose weights fix the dtype its input must have; exact maps take float64.
    private static ScalarType CodeType(IEmbedding f) =>
        f is nn.Module module && module.parameters().FirstOrDefault() is { } parameter ? parameter.dtype : ScalarType.Float64;

    // Each metric draws from its own stream, so changing one sample size leaves the others' samples alone.
    private static ulong Derived(long seed, int stream) => unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream);

    private static Generator Stream(long seed, int stream) => new(Derived(seed, stream));
}
