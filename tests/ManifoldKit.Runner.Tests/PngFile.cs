using SkiaSharp;

namespace ManifoldKit.Runner.Tests;

/// <summary>Reads back a PNG through SkiaSharp's decoder: size and 8-bit RGB pixels, row by row.</summary>
internal static class PngFile
{
    public static (int Width, int Height, byte[] Rgb) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan(0, Math.Min(8, bytes.Length)).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 })) throw new InvalidDataException($"{path} is not a PNG");
        using var bitmap = SKBitmap.Decode(bytes) ?? throw new InvalidDataException($"{path} does not decode");
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                var colour = bitmap.GetPixel(x, y);
                var at = (y * bitmap.Width + x) * 3;
                (rgb[at], rgb[at + 1], rgb[at + 2]) = (colour.Red, colour.Green, colour.Blue);
            }
        return (bitmap.Width, bitmap.Height, rgb);
    }
}
