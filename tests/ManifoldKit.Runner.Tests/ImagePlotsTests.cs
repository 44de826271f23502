using ManifoldKit.Data;
using ManifoldKit.Models;
using ManifoldKit.Runner.Reporting;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Tests;

/// <summary>plots/reconstructions.png and plots/samples.png: written for square images only, at their grid's size, showing the pixels given.</summary>
public sealed class ImagePlotsTests : IDisposable
{
    private readonly string run = Directory.CreateTempSubdirectory("mk-images").FullName;

    public void Dispose() => Directory.Delete(run, recursive: true);

    private static InMemoryDataSource Source(int dim, int test = 10)
    {
        using var generator = new Generator(3);
        return new InMemoryDataSource("images", rand([20, dim], generator: generator), zeros(20, 0), rand([test, dim], generator: generator), zeros(test, 0), []);
    }

    private static VariationalAutoencoder Model(int dim, string likelihood)
    {
        manual_seed(1);
        return new VariationalAutoencoder(LatentSpace.Euclidean(2), new ArchitectureOptions { ObservedDim = dim, HiddenWidths = [8], Likelihood = likelihood });
    }

    // The grey levels of cell (row, column) of a grid of side × side images, one per image pixel.
    private static byte[] Cell((int Width, int Height, byte[] Rgb) png, int side, int row, int column)
    {
        var (x0, y0) = ImageGrid.Origin(side, row, column);
        var cell = new byte[side * side];
        for (var r = 0; r < side; r++)
            for (var c = 0; c < side; c++)
            {
                var at = ((y0 + r * ImageGrid.Scale + 1) * png.Width + x0 + c * ImageGrid.Scale + 1) * 3;   // inside the block
                Assert.True(png.Rgb[at] == png.Rgb[at + 1] && png.Rgb[at] == png.Rgb[at + 2], "a grey pixel has colour");
                cell[r * side + c] = png.Rgb[at];
            }
        return cell;
    }

    private static byte[] Grey(Tensor image) => [.. image.data<float>().ToArray().Select(ImageGrid.Grey)];

    [Theory]
    [InlineData("bernoulli")]
    [InlineData("gaussian")]
    public void SquareImages_GetReconstructionsOverTheirTestImages_AndSamples(string likelihood)
    {
        using var scope = NewDisposeScope();
        const int side = 5;
        using var data = Source(side * side);
        using var model = Model(side * side, likelihood);
        RunPlots.Images(run, model, data);

        var reconstructions = PngFile.Read(Path.Combine(run, "plots", "reconstructions.png"));
        Assert.Equal(ImageGrid.Size(side, 8, 2), (reconstructions.Width, reconstructions.Height));
        var samples = PngFile.Read(Path.Combine(run, "plots", "samples.png"));
        Assert.Equal(ImageGrid.Size(side, 8, 8), (samples.Width, samples.Height));

        var test = data.TestSet(8).X;
        using var gradients = no_grad();
        var made = model.Reconstruct(test);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(Grey(test[i]), Cell(reconstructions, side, 0, i));
            Assert.Equal(Grey(made[i]), Cell(reconstructions, side, 1, i));
        }
        // Bernoulli means are probabilities, never the logits themselves.
        if (likelihood == "bernoulli") Assert.True(made.ge(0).all().item<bool>() && made.le(1).all().item<bool>());
    }

    [Fact]
    public void ObservationsThatAreNotSquare_GetNoImagePlots()
    {
        using var data = Source(15);
        using var model = Model(15, "gaussian");
        RunPlots.Images(run, model, data);
        Assert.False(Directory.Exists(Path.Combine(run, "plots")));
    }

    [Fact]
    public void Grey_IsTheValueClampedToZeroOne_NaNBlack()
    {
        Assert.Equal([0, 255, 128, 0, 255, 0], new[] { 0f, 1f, 0.5f, -3f, 7f, float.NaN }.Select(ImageGrid.Grey));
    }

    [Fact]
    public void Save_DrawsEachValueAsAScaledGreyBlock_OnWhite()
    {
        // Two 2 × 2 images in one row: [0, 1; 0.5, −3] and all 0.25.
        var path = Path.Combine(run, "grid.png");
        ImageGrid.Save(path, tensor(new[] { 0f, 1f, 0.5f, -3f, 0.25f, 0.25f, 0.25f, 0.25f }, [2, 4]), side: 2, columns: 2);
        var (width, height, rgb) = PngFile.Read(path);
        Assert.Equal(ImageGrid.Size(2, 2, 1), (width, height));
        byte At(int x, int y) => rgb[(y * width + x) * 3];
        var (x0, y0) = ImageGrid.Origin(2, 0, 0);
        var (x1, _) = ImageGrid.Origin(2, 0, 1);
        Assert.Equal(255, At(0, 0));   // the gap round the edge
        // Row y0 of cell 0: 0, 0 then 1, 1 (each value 2 pixels wide); row y0 + 2: 0.5, 0.5 then −3 (black), −3; the gap; cell 1 all 0.25.
        Assert.Equal([0, 0, 255, 255, 255], Enumerable.Range(x0, 5).Select(x => At(x, y0)));
        Assert.Equal([128, 128, 0, 0], Enumerable.Range(x0, 4).Select(x => At(x, y0 + 3)));
        Assert.All(Enumerable.Range(0, 4).SelectMany(dy => Enumerable.Range(0, 4).Select(dx => At(x1 + dx, y0 + dy))), v => Assert.Equal(64, v));
    }
}
