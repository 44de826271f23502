using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Evaluation;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary><see cref="LatentGeometry"/>: does a model's latent keep the data's geometry.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 20)]
public sealed class LatentGeometryTests
{
    /// <summary>Any rotation or reflection, scaling and shift of the points keeps every distance ratio: correlation 1.</summary>
    [Property]
    public void DistanceCorrelation_IsOne_ForAnIsometryUpToScale(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var a = randn([100, 9], dtype: ScalarType.Float64, generator: generator);
        var (q, _) = linalg.qr(randn([9, 9], dtype: ScalarType.Float64, generator: generator));
        var scale = 0.1 + 10 * rand(1, dtype: ScalarType.Float64, generator: generator);
        var b = scale * a.matmul(q) + randn([1, 9], dtype: ScalarType.Float64, generator: generator);
        Assert.Equal(1.0, LatentGeometry.PairwiseDistanceCorrelation(a, b), 9);
    }

    /// <summary>Folding the square [-1,1]² onto its quarter (b = |a|) puts far points together: the correlation drops well below 1 (about 0.2).</summary>
    [Property]
    public void DistanceCorrelation_Drops_ForAFold(Seed seed)
    {
        using var scope = NewDisposeScope();
        var a = 2 * rand([300, 2], dtype: ScalarType.Float64, generator: seed.Generator()) - 1;
        var folded = LatentGeometry.PairwiseDistanceCorrelation(a, a.abs());
        Assert.True(folded < 0.5, $"correlation {folded} after a fold");
    }

    /// <summary>
    /// A curve that goes k times round 0 (any radius, phase, direction; 720 points) has k turns, and its
    /// largest step is the even step 2π|k|/720; a quarter of a circle, closed back to its start, makes
    /// 0 turns, and its largest step is the jump back (π/2 less one even step).
    /// </summary>
    [Property]
    public void Winding_CountsTheTurnsRoundZero(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        var (k, radius, phase) = (random.Next(-3, 4), 0.1 + 10 * random.NextDouble(), 2 * Math.PI * random.NextDouble());
        var t = arange(720, dtype: ScalarType.Float64) * (2 * Math.PI / 720);
        var curve = radius * stack([cos(k * t + phase), sin(k * t + phase)], dim: -1);
        var (turns, largest) = LatentGeometry.Winding(curve);
        Assert.Equal(k, turns);
        Assert.Equal(2 * Math.PI * Math.Abs(k) / 720, largest, 9);
        var arc = radius * stack([cos(0.25 * t + phase), sin(0.25 * t + phase)], dim: -1);
        var (arcTurns, gap) = LatentGeometry.Winding(arc);
        Assert.Equal(0, arcTurns);
        Assert.Equal(Math.PI / 2 - 0.25 * 2 * Math.PI / 720, gap, 9);
    }

    /// <summary>
    /// On a model: the posterior means' spread has one entry per hidden coordinate for a manifold
    /// latent (none for a Euclidean one), each within [0, ½], and a centred posterior has none at all.
    /// </summary>
    [Fact]
    public void Measure_ReportsTheSpreadOfManifoldLatentsOnly()
    {
        using var scope = NewDisposeScope();
        var circle = new Circle();
        using var task = new ToyTask(circle);
        LatentGeometry Measured(LatentSpace latent)
        {
            using var model = new VariationalAutoencoder(latent);
            using (var weights = new Generator(7)) Initialisation.Draw(model, weights);
            var geometry = LatentGeometry.Measure(model, task, points: 200);
            Assert.InRange(geometry.DistanceCorrelation, -1.0, 1.0);
            return geometry;
        }
        Assert.Empty(Measured(LatentSpace.Euclidean(2)).HiddenMeanSpread);
        var beta = Measured(LatentSpace.Manifold("circle", circle.ExactEmbedding!, circle.Symmetry)).HiddenMeanSpread;
        Assert.InRange(Assert.Single(beta), 0.0, 0.5);
        var centred = Measured(LatentSpace.Manifold("circle", circle.ExactEmbedding!, circle.Symmetry, new CentredBetaFamily())).HiddenMeanSpread;
        Assert.Equal(0.0, Assert.Single(centred));
    }
}
