using ManifoldKit.Geometry;
using ManifoldKit.Testing;
using Xunit;

namespace ManifoldKit.Manifolds.Tests;

public sealed class SphereManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new Sphere(2); }

public sealed class SphereEmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Sphere(2); }

public sealed class SphereSymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new Sphere(2); }

public sealed class SphereQuaternionSymmetryTests : GroupActionContract
{
    protected override IManifold CreateManifold() => new Sphere(2, RotationParameterization.Quaternion);
}

public sealed class Sphere1ManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new Sphere(1); }

public sealed class Sphere1SymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new Sphere(1); }

public sealed class Sphere3ManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new Sphere(3); }

public sealed class Sphere3SymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new Sphere(3); }

public sealed class Sphere1EmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Sphere(1); }

public sealed class Sphere3EmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Sphere(3); }

public sealed class Sphere4EmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Sphere(4); }

public sealed class Sphere5EmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Sphere(5); }

public sealed class Sphere10EmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Sphere(10); }

public sealed class SphereFacts
{
    [Theory]
    [InlineData(1, 2 * Math.PI)]
    [InlineData(2, 4 * Math.PI)]
    [InlineData(3, 2 * Math.PI * Math.PI)]
    [InlineData(4, 8 * Math.PI * Math.PI / 3)]
    public void Volume_MatchesClosedForm(int n, double expected) =>
        Assert.Equal(expected, new Sphere(n).Volume!.Value, 12);

    [Fact]
    public void ExactEmbedding_IsOfferedForEveryDimension()
    {
        for (var n = 1; n <= 12; n++)
        {
            IManifold sphere = new Sphere(n);
            var embedding = sphere.ExactEmbedding;
            Assert.NotNull(embedding);
            Assert.Equal(n, embedding.HiddenDim);
            Assert.Equal(n + 1, embedding.AmbientDim);
        }
    }

    /// <summary>The engine keeps codes 1e-6 inside the cube: there f and its metric are finite, in float32 too.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    public void Embedding_IsFiniteNearTheFaces(int n)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var embedding = new Sphere(n).ExactEmbedding;
        foreach (var dtype in new[] { TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.ScalarType.Float64 })
            foreach (var edge in new[] { 1e-6, 1 - 1e-6 })
            {
                var codes = TorchSharp.torch.full([2, n], edge, dtype: dtype);
                codes[1] = TorchSharp.torch.full(n, 0.5, dtype: dtype);
                codes[1, n - 2] = edge;
                Assert.True(embedding.Embed(codes).isfinite().all().item<bool>(), $"f not finite at {edge} ({dtype})");
                Assert.True(embedding.MetricTensor(codes).isfinite().all().item<bool>(), $"G not finite at {edge} ({dtype})");
            }
    }

    /// <summary>Published results depend on the S² map bit for bit: it stays height and longitude.</summary>
    [Fact]
    public void S2Embedding_IsHeightAndLongitude()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        double[,] codes = { { 1e-6, 0.3 }, { 0.01, 0.99 }, { 0.25, 0.5 }, { 0.5, 0.125 }, { 0.7, 1e-6 }, { 0.9, 0.75 }, { 1 - 1e-6, 0.6 } };
        var f = new Sphere(2).ExactEmbedding.Embed(TorchSharp.torch.tensor(codes, dtype: TorchSharp.torch.ScalarType.Float64));
        for (var i = 0; i < codes.GetLength(0); i++)
        {
            var cosTheta = 1 - 2 * codes[i, 0];
            var sinTheta = Math.Sqrt(1 - cosTheta * cosTheta);
            var phi = 2 * Math.PI * codes[i, 1];
            double[] expected = [sinTheta * Math.Cos(phi), sinTheta * Math.Sin(phi), cosTheta];
            for (var j = 0; j < 3; j++)
                Assert.Equal(expected[j], f[i, j].item<double>(), 1e-12);
        }
    }

    [Fact]
    public void Constructor_RejectsBadSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sphere(0));
        var error = Assert.Throws<ArgumentException>(() => new Sphere(3, RotationParameterization.Quaternion));
        Assert.Contains("SO(3) only", error.Message);
    }
}

public sealed class SphereUniformityFacts
{
    /// <summary>
    /// The classic mistake, θ uniform instead of cos θ uniform, piles points at the poles; the
    /// two-sample test the suites rely on must see it.
    /// </summary>
    [Fact]
    public void TwoSampleTest_DetectsUniformPolarAngle()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(13);
        var codes = TorchSharp.torch.rand([1000, 2], dtype: TorchSharp.torch.ScalarType.Float64, generator: generator);
        var theta = Math.PI * codes.select(-1, 0);
        var phi = 2 * Math.PI * codes.select(-1, 1);
        var wrong = TorchSharp.torch.stack([theta.sin() * phi.cos(), theta.sin() * phi.sin(), theta.cos()], dim: -1);
        var test = ManifoldKit.Statistics.TwoSampleTest.Run(wrong, new Sphere(2).SampleUniform(1000, generator, TorchSharp.torch.ScalarType.Float64));
        Assert.True(test.Rejects, $"uniform polar angle passed as uniform: {test}");
    }
}
