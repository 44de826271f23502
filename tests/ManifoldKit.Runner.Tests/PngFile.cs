using System.IO.Compression;

namespace ManifoldKit.Runner.Tests;

/// <summary>Reads back the PNGs PngCanvas writes (8-bit RGB, one IDAT, filter 0 on every row): size and pixels.</summary>
internal static class PngFile
{
    public static (int Width, int Height, byte[] Rgb) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!bytes[..8].SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 })) throw new InvalidDataException($"{path} is not a PNG");
        int BigEndian(int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
        var (width, height) = (BigEndian(16), BigEndian(20));
        using var compressed = new MemoryStream();
        for (var at = 8; at < bytes.Length;)
        {
            var length = BigEndian(at);
            if (System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4) == "IDAT") compressed.Write(bytes, at + 8, length);
            at += 12 + length;
        }
        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        if (raw.Length != height * (1 + 3 * width)) throw new InvalidDataException($"{path}: {raw.Length} bytes of pixels for {width} × {height}");
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            if (raw[y * (1 + 3 * width)] != 0) throw new InvalidDataException($"{path}: row {y} is filtered");
            Array.Copy(raw, y * (1 + 3 * width) + 1, rgb, y * width * 3, width * 3);
        }
        return (width, height, rgb);
    }
}
