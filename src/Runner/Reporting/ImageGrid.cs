using static TorchSharp.torch;

namespace ManifoldKit.Runner.Reporting;

/// <summary>Square greyscale images in a grid of cells, each image enlarged <see cref="Scale"/> times, cells <see cref="Gap"/> pixels apart.</summary>
public static class ImageGrid
{
    /// <summary>Screen pixels per image pixel: a 28 × 28 item is too small to read at 1.</summary>
    public const int Scale = 2;

    /// <summary>White pixels between cells and round the edge.</summary>
    public const int Gap = 2;

    /// <summary>The PNG's size for <paramref name="columns"/> × <paramref name="rows"/> images of side <paramref name="side"/>.</summary>
    public static (int Width, int Height) Size(int side, int columns, int rows) =>
        (Gap + columns * (side * Scale + Gap), Gap + rows * (side * Scale + Gap));

    /// <summary>The top-left pixel of cell (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public static (int X, int Y) Origin(int side, int row, int column) =>
        (Gap + column * (side * Scale + Gap), Gap + row * (side * Scale + Gap));

    /// <summary>Writes flat images <c>[N, side²]</c> (values in [0, 1]) row by row, <paramref name="columns"/> a row.</summary>
    public static void Save(string path, Tensor images, int side, int columns)
    {
        var count = (int)images.shape[0];
        var rows = (count + columns - 1) / columns;
        var values = images.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var (width, height) = Size(side, columns, rows);
        var canvas = new PngCanvas(width, height);
        for (var i = 0; i < count; i++)
        {
            var (x, y) = Origin(side, i / columns, i % columns);
            canvas.Image(x, y, values.AsSpan(i * side * side, side * side), side, Scale);
        }
        canvas.Save(path);
    }
}
