using SkiaSharp;
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

    /// <summary>The grey level of a value: 0 black, 1 white, clamped to [0, 1] (NaN black).</summary>
    public static byte Grey(float value) => (byte)Math.Round(255 * (float.IsNaN(value) ? 0 : Math.Clamp(value, 0, 1)));

    /// <summary>Writes flat images <c>[N, side²]</c> (values in [0, 1]) row by row, <paramref name="columns"/> a row, as a PNG on white.</summary>
    public static void Save(string path, Tensor images, int side, int columns)
    {
        var count = (int)images.shape[0];
        var rows = (count + columns - 1) / columns;
        var values = images.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var (width, height) = Size(side, columns, rows);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = new byte[width * height];
        Array.Fill(pixels, (byte)255);
        for (var i = 0; i < count; i++)
        {
            var (x, y) = Origin(side, i / columns, i % columns);
            for (var row = 0; row < side * Scale; row++)
                for (var column = 0; column < side * Scale; column++)
                    pixels[(y + row) * width + x + column] = Grey(values[i * side * side + row / Scale * side + column / Scale]);
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, temporary => File.WriteAllBytes(temporary, png.ToArray()));
    }
}
