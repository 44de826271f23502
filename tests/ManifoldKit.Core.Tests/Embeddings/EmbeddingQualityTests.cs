using System.Text.Json;
using FsCheck.Xunit;
using ManifoldKit.Embeddings;
using ManifoldKit.Manifolds;
using ManifoldKit.Statistics;
using ManifoldKit.Testing;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Embeddings;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 8)]
public sealed class EmbeddingQualityTests(ITestOutputHelper output)
{
    private static readonly Circle Circle = new();
    private static readonly Sphere Sphere = new(2);
    private static readonly SpecialOrthogonal3 Rotations = new();

    private static IManifold Manifold(string name) => name switch
    {
        "circle" => Circle,
        "sphere" => Sphere,
        "so3" => Rotations,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static IExactEmbedding Exact(IManifold manifold) => manifold.ExactEmbedding!;

    /// <summary>Any map, for the deliberately bad embeddings below.</summary>
    private sealed class Map(int hiddenDim, int ambientDim, Func<Tensor, Tensor> map) : IEmbedding
    {
        public int HiddenDim => hiddenDim;

        public int AmbientDim => ambientDim;

        public Tensor Embed(Tensor hidden) => map(hidden);
    }

    // z ↦ 1 − |2z − 1|: the tent, which runs over [0, 1] twice (there and back).
    private static Tensor Tent(Tensor z) => 1 - (2 * z - 1).abs();

    private EmbeddingQuality MeasureAndLog(IEmbedding f, IManifold manifold, Func<Tensor, Tensor>? inverse = null, EmbeddingQualityOptions? options = null)
    {
        var quality = EmbeddingQuality.Measure(f, manifold, inverse, options);
        output.WriteLine(quality.Describe());
        foreach (var failure in new EmbeddingChecks().Failures(quality)) output.WriteLine("  fails: " + failure);
        return quality;
    }

    /// <summary>
    /// Binomial tolerance for a coverage fraction measured on <paramref name="points"/> points: 5
    /// standard errors at the least favourable p = 1/2 (a false-alarm rate of 6e-7).
    /// </summary>
    private static double CoverageTolerance(int points) => 5 * Math.Sqrt(0.25 / points);

    /// <summary>
    /// The default coverage radius holds 10 images on average, so an exact map misses a point with
    /// probability e^-10 = 4.5e-5: 0.09 of 2,000 points expected, and 20 misses (coverage 0.99) have
    /// a Poisson tail below 1e-30.
    /// </summary>
    private const double ExactCoverage = 0.99;

    private static void AssertScoresAsExact(EmbeddingQuality quality, double volume, double minPairRatio)
    {
        Assert.True(quality.DistanceMax < 1e-12, $"distance from M {quality.DistanceMax:G3}");
        Assert.True(quality.ReconstructionError is < 1e-20, $"reconstruction error {quality.ReconstructionError:G3}");
        Assert.True(quality.MinPairRatio > minPairRatio, $"min pair ratio {quality.MinPairRatio:G4} <= {minPairRatio}");
        Assert.Equal(volume, quality.VolumeElementMean, volume * 1e-9);
        Assert.True(quality.VolumeElementCv < 1e-9, $"volume-element cv {quality.VolumeElementCv:G3}");
        Assert.True(quality.Coverage >= ExactCoverage, $"coverage {quality.Coverage:G4}");
        Assert.Empty(new EmbeddingChecks().Failures(quality));
    }

    /// <summary>
    /// The lowest pair ratio an exact map can have on [0.05, 0.95]^n, so a sample of pairs cannot go
    /// below it: circle 2·sin(0.9π)/0.9 = 0.687 (the codes farthest apart, going round); sphere 0.299
    /// (longitudes 0.05 and 0.95 at z₁ = 0.05, where sin θ = 0.44); SO(3) 0.19 (found by a dense random
    /// search over pairs near the faces, 5 million pairs).
    /// </summary>
    private static double ExactPairRatioFloor(string name) => name switch { "circle" => 0.68, "sphere" => 0.29, _ => 0.18 };

    /// <summary>
    /// The exact embeddings score as exact: on M, inverted by their chart, not folded, uniform,
    /// measure-preserving (sqrt(det G) ≡ Vol(M)), onto M, and they pass the default checks.
    /// </summary>
    [Theory]
    [InlineData("circle")]
    [InlineData("sphere")]
    [InlineData("so3")]
    public void ExactEmbedding_ScoresAsExact(string name)
    {
        using var scope = NewDisposeScope();
        var manifold = Manifold(name);
        var quality = MeasureAndLog(Exact(manifold), manifold, Exact(manifold).Chart);
        AssertScoresAsExact(quality, manifold.Volume!.Value, ExactPairRatioFloor(name));
        Assert.True(quality.UniformityPValue > TwoSampleTest.Alpha, $"the uniformity test rejects an exact map: p = {quality.UniformityPValue}");
        Assert.Equal(manifold.Volume, quality.ManifoldVolume);
    }

    /// <summary>
    /// The metrics are invariant under the manifold's symmetry: g·f, for a Haar-random isometry g, with
    /// the chart Chart(g⁻¹·x), scores as exact, with the same pair ratio and volume element as f
    /// (the codes are the same, and g preserves distances). Uniformity is left to the fixed-seed test
    /// above: its p-value moves with g, and a 1e-3 false-alarm rate per case would make this flaky.
    /// </summary>
    [Property(MaxTest = 4)]
    public void ExactEmbedding_MovedBySymmetry_StillScoresAsExact(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        foreach (var name in new[] { "circle", "sphere", "so3" })
        {
            var manifold = Manifold(name);
            var group = manifold.Symmetry!;
            var g = group.SampleHaar(1, generator, ScalarType.Float64);
            var inverse = group.Inverse(g);
            var f = Exact(manifold);
            var moved = new Map(f.HiddenDim, f.AmbientDim, z => group.Act(g, f.Embed(z)));
            var quality = EmbeddingQuality.Measure(moved, manifold, x => f.Chart(group.Act(inverse, x)), SmallSamples);
            var unmoved = Unmoved.Value[name];
            AssertScoresAsExact(quality, manifold.Volume!.Value, ExactPairRatioFloor(name));
            Assert.Equal(unmoved.MinPairRatio, quality.MinPairRatio, 1e-9);
            Assert.Equal(unmoved.VolumeElementMean, quality.VolumeElementMean, 1e-9 * unmoved.VolumeElementMean);
        }
    }

    private static readonly EmbeddingQualityOptions SmallSamples = new() { PairCodes = 300, UniformitySamples = 100, VolumeCodes = 500, CoveragePoints = 1000, CoverageCodes = 3000 };

    // The exact maps' scores with SmallSamples, measured once for all cases of the property.
    private static readonly Lazy<Dictionary<string, EmbeddingQuality>> Unmoved = new(() =>
        new[] { "circle", "sphere", "so3" }.ToDictionary(name => name, name =>
        {
            using var scope = NewDisposeScope();
            var f = Exact(Manifold(name));
            return EmbeddingQuality.Measure(f, Manifold(name), f.Chart, SmallSamples);
        }));

    /// <summary>
    /// The circle run around twice, there and back (f(z) = (cos 2πt, sin 2πt), t the tent): its
    /// pushforward is still uniform and it covers the whole circle, but codes z and 1 − z meet, so
    /// the pair ratio is about 0 and |f'| = 4π, twice the circle's length.
    /// </summary>
    [Fact]
    public void CircleFoldedByTheTent_IsCaughtByThePairRatio()
    {
        using var scope = NewDisposeScope();
        var f = new Map(1, 2, z => Exact(Circle).Embed(Tent(z)));
        var quality = MeasureAndLog(f, Circle);
        // ~250,000 pairs straddle 1/2; the closest to mirror images has |z + z' − 1| ~ 1e-6, so the ratio is ~1e-5.
        Assert.True(quality.MinPairRatio < 1e-3, $"min pair ratio {quality.MinPairRatio:G3}");
        Assert.Equal(4 * Math.PI, quality.VolumeElementMean, 1e-9);
        Assert.True(quality.Coverage >= ExactCoverage, $"coverage {quality.Coverage:G4}");
        Assert.True(quality.DistanceMax < 1e-12, $"distance {quality.DistanceMax:G3}");
        Assert.Null(quality.ReconstructionError);
        var failure = Assert.Single(new EmbeddingChecks().Failures(quality));
        Assert.StartsWith("pair ratio ", failure);
    }

    /// <summary>
    /// The sphere folded along either hidden axis: longitude or height run there and back. In two
    /// dimensions 1,000 random codes come within ~1e-3 of each other's mirror images only, so the
    /// ratio is ~1e-2 rather than ~0, still far below the exact map's 0.3.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void SphereFolded_IsCaughtByThePairRatio(int axis)
    {
        using var scope = NewDisposeScope();
        var f = new Map(2, 3, z =>
        {
            var axes = new[] { z.select(-1, 0), z.select(-1, 1) };
            axes[axis] = Tent(axes[axis]);
            return Exact(Sphere).Embed(stack(axes, dim: -1));
        });
        var quality = MeasureAndLog(f, Sphere);
        Assert.True(quality.MinPairRatio < 0.03, $"min pair ratio {quality.MinPairRatio:G3}");
        Assert.Equal(8 * Math.PI, quality.VolumeElementMean, 1e-9);
        Assert.True(quality.Coverage >= ExactCoverage, $"coverage {quality.Coverage:G4}");
        var failure = Assert.Single(new EmbeddingChecks().Failures(quality));
        Assert.StartsWith("pair ratio ", failure);
    }

    /// <summary>
    /// SO(3) folded along each hidden axis. In three dimensions 1,000 codes come only within ~1e-2 of
    /// mirror images, so the ratio is ~0.07, yet well below the exact map's 0.56.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void RotationsFolded_AreCaughtByThePairRatio(int axis)
    {
        using var scope = NewDisposeScope();
        var f = new Map(3, 9, z =>
        {
            var axes = new[] { z.select(-1, 0), z.select(-1, 1), z.select(-1, 2) };
            axes[axis] = Tent(axes[axis]);
            return Exact(Rotations).Embed(stack(axes, dim: -1));
        });
        var quality = MeasureAndLog(f, Rotations);
        Assert.True(quality.MinPairRatio < 0.15, $"min pair ratio {quality.MinPairRatio:G3}");
        Assert.Equal(2 * Rotations.Volume!.Value, quality.VolumeElementMean, 1e-9 * Rotations.Volume!.Value);
        Assert.True(quality.Coverage >= ExactCoverage, $"coverage {quality.Coverage:G4}");
        var failure = Assert.Single(new EmbeddingChecks().Failures(quality));
        Assert.StartsWith("pair ratio ", failure);
    }

    /// <summary>
    /// Half the circle, f(z) = (cos πz, sin πz): coverage is 1/2 plus the two boundary layers of
    /// length r, within the binomial error of 2,000 points; the pushforward is not uniform; |f'| = π.
    /// </summary>
    [Fact]
    public void HalfCircle_IsCaughtByCoverage()
    {
        using var scope = NewDisposeScope();
        var f = new Map(1, 2, z => Exact(Circle).Embed(z / 2));
        var quality = MeasureAndLog(f, Circle);
        var expected = 0.5 + quality.CoverageRadius / Math.PI;
        Assert.Equal(expected, quality.Coverage, CoverageTolerance(quality.CoveragePoints));
        Assert.True(quality.UniformityPValue <= TwoSampleTest.Alpha, $"uniformity p {quality.UniformityPValue}");
        Assert.Equal(Math.PI, quality.VolumeElementMean, 1e-9);
        var failure = Assert.Single(new EmbeddingChecks().Failures(quality));
        Assert.StartsWith("coverage ", failure);
        Assert.Contains("min_coverage", failure);
    }

    /// <summary>
    /// A map that ignores z₂ has det G = 0 exactly: its volume element is reported as 0 (log −∞,
    /// exponentiated), not NaN, as the clamp of det at 0 did before LogVolumeElement.
    /// </summary>
    [Fact]
    public void DegenerateMap_HasVolumeElementZero_NotNaN()
    {
        using var scope = NewDisposeScope();
        var f = new Map(2, 3, z => Exact(Sphere).Embed(stack([z.select(-1, 0), 0.25 * ones_like(z.select(-1, 1))], dim: -1)));
        var quality = MeasureAndLog(f, Sphere);
        Assert.Equal(0, quality.VolumeElementMean);
        Assert.Equal(0, quality.VolumeElementMin);
        Assert.Equal(0, quality.VolumeElementMax);
    }

    /// <summary>
    /// The northern hemisphere only (z₁ ↦ z₁/2 in the exact map): coverage is 1/2 plus a band of
    /// width r along the equator (area 2πr of 4π), within the binomial error; volume 2π.
    /// </summary>
    [Fact]
    public void Hemisphere_IsCaughtByCoverage()
    {
        using var scope = NewDisposeScope();
        var f = new Map(2, 3, z => Exact(Sphere).Embed(stack([z.select(-1, 0) / 2, z.select(-1, 1)], dim: -1)));
        var quality = MeasureAndLog(f, Sphere);
        var expected = 0.5 + quality.CoverageRadius / 2;
        Assert.Equal(expected, quality.Coverage, CoverageTolerance(quality.CoveragePoints));
        Assert.True(quality.UniformityPValue <= TwoSampleTest.Alpha, $"uniformity p {quality.UniformityPValue}");
        Assert.Equal(2 * Math.PI, quality.VolumeElementMean, 1e-9);
        var failure = Assert.Single(new EmbeddingChecks().Failures(quality));
        Assert.StartsWith("coverage ", failure);
    }

    /// <summary>
    /// Scaled copies of the exact circle lie off it by exactly the excess scale, and only the distance
    /// check fails: 1.6× by the default (0.6 > 0.5), 1.3× by the tighter 0.2 a circle can afford (the
    /// default is set by SO(3), whose learned f lies up to 0.44 off).
    /// </summary>
    [Theory]
    [InlineData(1.6, null)]
    [InlineData(1.3, 0.2)]
    public void ScaledCircle_IsCaughtByMeanDistance(double scale, double? maxMeanDistance)
    {
        using var scope = NewDisposeScope();
        var f = new Map(1, 2, z => scale * Exact(Circle).Embed(z));
        var quality = MeasureAndLog(f, Circle);
        Assert.Equal(scale - 1, quality.DistanceMean, 1e-12);
        Assert.Equal(scale - 1, quality.DistanceMax, 1e-12);
        Assert.True(quality.Coverage >= ExactCoverage, $"coverage after projection {quality.Coverage:G4}");
        var checks = maxMeanDistance is { } max ? new EmbeddingChecks { MaxMeanDistance = max } : new EmbeddingChecks();
        var failure = Assert.Single(checks.Failures(quality));
        Assert.Equal(FormattableString.Invariant($"mean distance {scale - 1:G3} > max_mean_distance {checks.MaxMeanDistance:G3}: f(z) lands off the manifold"), failure);
    }

    /// <summary>Null thresholds are not checked, and a NaN metric fails the check on it.</summary>
    [Fact]
    public void Checks_NullThresholdsAreOff_NaNFails()
    {
        var bad = new EmbeddingQuality { DistanceMean = 5, MinPairRatio = 0, Coverage = 0, UniformityPValue = 0, VolumeElementCv = 9 };
        Assert.Equal(5, new EmbeddingChecks { MinUniformityP = 0.01 }.Failures(bad).Count);
        Assert.Empty(new EmbeddingChecks { MaxMeanDistance = null, MinPairRatio = null, MinCoverage = null, MinUniformityP = null, MaxVolumeCv = null }.Failures(bad));
        var nan = new EmbeddingQuality { DistanceMean = double.NaN, MinPairRatio = 1, Coverage = 1, VolumeElementCv = 0 };
        Assert.StartsWith("mean distance NaN > max_mean_distance", Assert.Single(new EmbeddingChecks().Failures(nan)));
    }

    /// <summary>The same options give the same numbers; the JSON is snake_case and reads back equal; Describe has one line per metric.</summary>
    [Fact]
    public void Measure_IsDeterministic_AndSerialises()
    {
        using var scope = NewDisposeScope();
        var options = new EmbeddingQualityOptions { PairCodes = 200, UniformitySamples = 200, CoverageCodes = 2000, Seed = 4 };
        var f = Exact(Sphere);
        var quality = EmbeddingQuality.Measure(f, Sphere, f.Chart, options);
        Assert.Equal(quality, EmbeddingQuality.Measure(f, Sphere, f.Chart, options));
        var json = quality.ToJson();
        Assert.Contains("\"min_pair_ratio\":", json);
        Assert.Contains("\"volume_element_cv\":", json);
        Assert.Equal(quality, EmbeddingQuality.FromJson(json));
        Assert.Equal(7, quality.Describe().Split(Environment.NewLine).Length);
        Assert.Equal(quality.Describe(), quality.ToString());
    }

    /// <summary>The default radius uses V_n = π^(n/2) / Γ(n/2 + 1).</summary>
    [Fact]
    public void UnitBallVolume_MatchesTheGammaFormula()
    {
        Assert.Equal(1, EmbeddingQuality.UnitBallVolume(0));
        Assert.Equal(2, EmbeddingQuality.UnitBallVolume(1));
        Assert.Equal(Math.PI, EmbeddingQuality.UnitBallVolume(2), 1e-15);
        Assert.Equal(4 * Math.PI / 3, EmbeddingQuality.UnitBallVolume(3), 1e-15);
        Assert.Equal(Math.PI * Math.PI / 2, EmbeddingQuality.UnitBallVolume(4), 1e-15);
        Assert.Equal(8 * Math.PI * Math.PI / 15, EmbeddingQuality.UnitBallVolume(5), 1e-14);
    }

    /// <summary>Mismatched dimensions are refused with both shapes named.</summary>
    [Fact]
    public void Measure_WrongManifold_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => EmbeddingQuality.Measure(Exact(Circle), Sphere));
        Assert.StartsWith("f maps [0,1]^1 into R^2, but sphere needs [0,1]^2 into R^3.", error.Message);
    }

    /// <summary>
    /// A saved learned embedding keeps its WAE encoder: every metric, the reconstruction error through
    /// Encode included, is identical after loading.
    /// </summary>
    [Fact]
    public void LearnedEmbedding_SaveAndLoad_KeepsTheEncoder()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"mk-quality-{Guid.NewGuid():N}.bin");
        try
        {
            var options = new EmbeddingQualityOptions { PairCodes = 200, UniformitySamples = 200, CoverageCodes = 2000 };
            using var f = WaeMmdTrainer.Train(Sphere, new WaeOptions { Steps = 20, Seed = 1 });
            var before = EmbeddingQuality.Measure(f, Sphere, f.Encode, options);
            f.SaveTo(path);
            using var loaded = LearnedEmbedding.Load(path);
            var after = EmbeddingQuality.Measure(loaded, Sphere, loaded.Encode, options);
            Assert.NotNull(after.ReconstructionError);
            Assert.Equal(before, after);
            Assert.StartsWith("{\"format\":2,", File.ReadAllText(path + ".json"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".json");
        }
    }

    /// <summary>A file saved before the encoder was kept (metadata without "format") is refused with what to do.</summary>
    [Fact]
    public void LearnedEmbedding_OldFormat_SaysToEmbedAgain()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"mk-quality-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(path, [0]);
            File.WriteAllText(path + ".json", JsonSerializer.Serialize(new { Manifold = "sphere", HiddenDim = 2, AmbientDim = 3, Width = 64 }));
            var error = Assert.Throws<InvalidDataException>(() => LearnedEmbedding.Load(path));
            Assert.Equal($"{path} was saved by an older ManifoldKit (without its WAE encoder); delete {path} and {path}.json and run 'manifoldkit embed' again.", error.Message);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".json");
        }
    }
}
