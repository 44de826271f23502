using System.Runtime.InteropServices;
using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Data.Formats;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Data;

/// <summary>
/// <c>data.rotate</c>: the bilinear turn of padded square images, and the source that draws the angles.
/// Tolerances come from bilinear interpolation's error bound on a pixel grid (h = 1):
/// |f − If| ≤ (|f_xx| + |f_yy|)_max / 8, which for a Gaussian blob of peak 1 and width σ is 2 / (8σ²).
/// </summary>
public sealed class ImageRotationTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-rotate").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static double InterpolationBound(double sigma) => 2 / (8 * sigma * sigma);

    /// <summary>Flat P × P images of one Gaussian blob each, peak 1, centred at (cx, cy) from the image's centre.</summary>
    private static Tensor Blob(int side, double sigma, double cx = 0, double cy = 0)
    {
        var centre = (side - 1) / 2.0;
        var values = new float[side * side];
        for (var r = 0; r < side; r++)
            for (var c = 0; c < side; c++)
            {
                var (dx, dy) = (c - centre - cx, r - centre - cy);
                values[r * side + c] = (float)Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            }
        return tensor(values).reshape(1, -1);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static Tensor Angles(params double[] angles) => tensor(angles.Select(a => (float)a).ToArray());

    // Pixels at most `radius` from the centre: there the turned grid reads inside the image both ways.
    private static Tensor Interior(int side, double radius)
    {
        var centre = (side - 1) / 2.0;
        var mask = new bool[side * side];
        for (var r = 0; r < side; r++)
            for (var c = 0; c < side; c++)
                mask[r * side + c] = Math.Sqrt((r - centre) * (r - centre) + (c - centre) * (c - centre)) <= radius;
        return tensor(mask).reshape(1, -1);
    }

    [Theory]
    [InlineData(28, 40)]
    [InlineData(1, 3)]                                                          // ⌈√2⌉ = 2 would pad 0.5 a side
    [InlineData(4, 6)]
    [InlineData(5, 9)]                                                          // ⌈5√2⌉ = 8 would pad 1.5 a side
    public void PaddedSide_FitsTheDiagonal_Evenly(int side, int padded)
    {
        Assert.Equal(padded, ImageRotation.PaddedSide(side));
        Assert.True(padded >= side * Math.Sqrt(2));
    }

    [Fact]
    public void Pad_CentresTheImageInZeros()
    {
        using var scope = NewDisposeScope();
        var x = arange(1, 785, dtype: ScalarType.Float32).reshape(1, -1);
        var padded = ImageRotation.Pad(x, 28).reshape(40, 40);
        Assert.Equal(x.sum().item<float>(), padded.sum().item<float>());
        Assert.True(Same(padded[TensorIndex.Slice(6, 34), TensorIndex.Slice(6, 34)].reshape(1, -1), x));
    }

    /// <summary>Turning by 0 keeps any padded image exactly (the grid reads the pixel centres).</summary>
    [Property(MaxTest = 20)]
    public void RotateByZero_KeepsTheImage(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed.Value);
        var side = new Random(seed.Value).Next(2, 20);
        var x = ImageRotation.Pad(rand([3, side * side], generator: generator), side);
        var turned = ImageRotation.Rotate(x, zeros(3));
        Assert.True(turned.allclose(x, rtol: 0, atol: 1e-5), $"max error {(turned - x).abs().max().item<float>()}");
    }

    /// <summary>By π/2 every pixel lands on a pixel centre: the exact quarter turn (transpose, columns flipped), up to cos(π/2) ≈ −4e-8 in float32.</summary>
    [Property(MaxTest = 20)]
    public void RotateByQuarterTurn_IsTheTransposeFlipped(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed.Value);
        var side = new Random(seed.Value).Next(2, 20);
        var padded = ImageRotation.PaddedSide(side);
        var x = ImageRotation.Pad(rand([2, side * side], generator: generator), side);
        var turned = ImageRotation.Rotate(x, Angles(Math.PI / 2, Math.PI / 2));
        var exact = x.reshape(2, padded, padded).transpose(1, 2).flip(2).reshape(2, -1);
        Assert.True(turned.allclose(exact, rtol: 0, atol: 1e-4), $"max error {(turned - exact).abs().max().item<float>()}");
    }

    /// <summary>θ then −θ gives back a smooth image in the interior within twice the bound (each pass adds at most one, and resampling does not grow an error).</summary>
    [Property(MaxTest = 25)]
    public void RotateThenBack_ReturnsTheImage_InTheInterior(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        var sigma = 2 + 2 * random.NextDouble();
        var x = Blob(40, sigma, random.NextDouble() * 6 - 3, random.NextDouble() * 6 - 3);
        var angle = 2 * Math.PI * random.NextDouble();
        var back = ImageRotation.Rotate(ImageRotation.Rotate(x, Angles(angle)), Angles(-angle));
        var error = (back - x).abs().masked_select(Interior(40, 18)).max().item<float>();
        Assert.True(error <= 2 * InterpolationBound(sigma), $"σ {sigma:F2}, θ {angle:F3}: error {error:G3} > {2 * InterpolationBound(sigma):G3}");
    }

    /// <summary>
    /// A centred blob keeps its mass: the summed interpolation error is at most (1/8) Σ (|f_xx| + |f_yy|), about
    /// 2 · 0.968 / (8σ²) of the mass for a Gaussian (∫|u² − 1|φ(u) du = 4φ(1) ≈ 0.968).
    /// </summary>
    [Property(MaxTest = 25)]
    public void Rotate_PreservesTheMassOfACentredBlob(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        var sigma = 1.5 + 3 * random.NextDouble();
        var x = Blob(40, sigma);
        var angle = 2 * Math.PI * random.NextDouble();
        var (before, after) = (x.sum().item<float>(), ImageRotation.Rotate(x, Angles(angle)).sum().item<float>());
        var bound = 2 * 0.968 / (8 * sigma * sigma);
        Assert.True(Math.Abs(after - before) <= bound * before, $"σ {sigma:F2}, θ {angle:F3}: mass {before} → {after}");
    }

    private ExperimentSpec Source(int n, int test, float[] image, Binarization binarize = Binarization.None, long seed = 3)
    {
        // Every point the same image, so any turned row can be turned back and compared.
        var values = Enumerable.Range(0, n).SelectMany(_ => image).ToArray();
        var path = Path.Combine(root, $"x{Guid.NewGuid():N}.npy");
        File.WriteAllBytes(path, FormatWriters.Npy(new ArrayCase(ElementType.Float32, [n, image.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())));
        var labels = Path.Combine(root, $"y{Guid.NewGuid():N}.npy");
        var label = Enumerable.Range(0, n).Select(i => (float)(i % 10)).ToArray();
        File.WriteAllBytes(labels, FormatWriters.Npy(new ArrayCase(ElementType.Float32, [n], MemoryMarshal.AsBytes(label.AsSpan()).ToArray())));
        var data = new DataOptions { Source = DataSources.Files, Train = path, TrainFactors = labels, Split = (double)test / n, Rotate = Rotation.Uniform, Binarize = binarize };
        return new ExperimentSpec { Data = data, DataSeed = seed, Architecture = new ArchitectureOptions { ObservedDim = ImageRotation.PaddedSide((int)Math.Sqrt(image.Length)) * ImageRotation.PaddedSide((int)Math.Sqrt(image.Length)) } };
    }

    /// <summary>
    /// The source pads to 1,600 values, adds <c>angle</c> after <c>label</c>, draws fresh angles for every training
    /// batch (the same batch twice differs) and the same test angles every time; each angle, turned back, gives the image.
    /// </summary>
    [Fact]
    public void Source_AddsTheAngle_FreshForTraining_FixedForTheTestSet()
    {
        using var scope = NewDisposeScope();
        const double sigma = 3;
        var image = ImageRotation.Pad(Blob(40, sigma).reshape(40, 40)[TensorIndex.Slice(6, 34), TensorIndex.Slice(6, 34)].reshape(1, -1), 28);
        var raw = Blob(40, sigma).reshape(40, 40)[TensorIndex.Slice(6, 34), TensorIndex.Slice(6, 34)].reshape(-1).data<float>().ToArray();
        using var data = DataSources.Create(Source(60, 20, raw), new Circle());
        Assert.Equal(1600, data.ObservationDim);
        Assert.Equal(["label", DataSources.RotationFactor], data.FactorNames);
        using var generator = new Generator(11);
        var (a, aFactors) = data.TrainingBatch(1, 20, generator);
        var (b, bFactors) = data.TrainingBatch(1, 20, generator);
        Assert.Equal([20L, 1600L], a.shape);
        Assert.Equal([20L, 2L], aFactors.shape);
        Assert.Equal(aFactors.select(1, 0).data<float>().ToArray(), bFactors.select(1, 0).data<float>().ToArray());   // the same points
        Assert.False(Same(aFactors.select(1, 1), bFactors.select(1, 1)), "the same batch was turned by the same angles twice");
        var (test, testFactors) = data.TestSet(100);
        var (again, againFactors) = data.TestSet(100);
        Assert.True(Same(test, again) && Same(testFactors, againFactors));
        var interior = Interior(40, 18);
        foreach (var (x, factors) in new[] { (a, aFactors), (b, bFactors), (test, testFactors) })
        {
            var angles = factors.select(1, 1);
            Assert.True(angles.ge(0).all().item<bool>() && angles.lt(2 * Math.PI + 1e-6).all().item<bool>());
            var back = ImageRotation.Rotate(x, -angles);
            var error = (back - image).abs().masked_select(interior.expand_as(back)).max().item<float>();
            Assert.True(error <= 2 * InterpolationBound(sigma), $"turned back by its angle factor, the image is off by {error:G3}");
        }
        // A differently seeded source draws other test angles.
        using var other = DataSources.Create(Source(60, 20, raw, seed: 4), new Circle());
        Assert.False(Same(other.TestSet(100).Factors.select(1, 1), testFactors.select(1, 1)));
    }

    /// <summary>Grey values are turned, then binarised: 0/1 values, with the turned grey image's mean.</summary>
    [Fact]
    public void Source_WithDynamicBinarisation_TurnsThenBinarises()
    {
        using var scope = NewDisposeScope();
        var raw = Blob(40, 4).reshape(40, 40)[TensorIndex.Slice(6, 34), TensorIndex.Slice(6, 34)].reshape(-1).data<float>().ToArray();
        using var data = DataSources.Create(Source(400, 100, raw, Binarization.Dynamic), new Circle());
        using var generator = new Generator(2);
        var (x, factors) = data.TrainingBatch(1, 300, generator);
        Assert.True(x.eq(0).logical_or(x.eq(1)).all().item<bool>());
        Assert.Equal([300L, 2L], factors.shape);
        var test = data.TestSet(100).X;
        Assert.True(test.eq(0).logical_or(test.eq(1)).all().item<bool>());
        // Mass is kept by turning, so the mean count of ones is the grey mass (300 draws: SE ≈ √(mass)/√300).
        var mass = raw.Sum();
        var ones = x.sum(1).mean().item<float>();
        Assert.True(Math.Abs(ones - mass) < 5 * Math.Sqrt(mass / 300) + 0.05 * mass, $"{ones} ones per image against a grey mass of {mass}");
    }

    [Fact]
    public void Source_RefusesImagesThatAreNotSquare_AndStaticBinarisation_NamingDataRotate()
    {
        var notSquare = Assert.Throws<ExperimentException>(() => DataSources.Create(Source(10, 2, new float[30]), new Circle()).Dispose());
        Assert.Equal("data.rotate", notSquare.Key);
        Assert.Contains("30 values each", notSquare.Message);
        var binary = Assert.Throws<ExperimentException>(() => DataSources.Create(Source(10, 2, new float[16], Binarization.Static), new Circle()).Dispose());
        Assert.Equal("data.rotate", binary.Key);
        var toy = Assert.Throws<ExperimentException>(() => DataSources.Check(new ExperimentSpec { Data = new DataOptions { Rotate = Rotation.Uniform } }));
        Assert.Equal("data.rotate", toy.Key);
    }
}
