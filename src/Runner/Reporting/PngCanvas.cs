using System.IO.Compression;

namespace ManifoldKit.Runner.Reporting;

/// <summary>
/// A small RGB raster with lines, dots and a 5×7 pixel font, saved as PNG (zlib from the BCL, no
/// native dependency): enough for readable training curves, latent scatter plots and grids of small greyscale images.
/// </summary>
public sealed class PngCanvas(int width, int height)
{
    private readonly byte[] pixels = Enumerable.Repeat((byte)255, width * height * 3).ToArray();

    /// <summary>Sets one pixel; points outside are ignored.</summary>
    public void Set(int x, int y, (byte R, byte G, byte B) color)
    {
        if (x < 0 || y < 0 || x >= width || y >= height) return;
        var i = (y * width + x) * 3;
        (pixels[i], pixels[i + 1], pixels[i + 2]) = color;
    }

    /// <summary>
    /// A greyscale image, row by row (<paramref name="values"/> of length side²), its top-left corner at
    /// (x, y), each value v a <paramref name="scale"/> × <paramref name="scale"/> block of grey <see cref="Grey"/>(v).
    /// </summary>
    public void Image(int x, int y, ReadOnlySpan<float> values, int side, int scale = 1)
    {
        for (var row = 0; row < side; row++)
            for (var column = 0; column < side; column++)
            {
                var grey = Grey(values[row * side + column]);
                for (var sy = 0; sy < scale; sy++)
                    for (var sx = 0; sx < scale; sx++)
                        Set(x + column * scale + sx, y + row * scale + sy, (grey, grey, grey));
            }
    }

    /// <summary>The grey level of a value: 0 black, 1 white, clamped to [0, 1] (NaN black).</summary>
    public static byte Grey(float value) => (byte)Math.Round(255 * (float.IsNaN(value) ? 0 : Math.Clamp(value, 0, 1)));

    /// <summary>A straight line (Bresenham).</summary>
    public void Line(int x0, int y0, int x1, int y1, (byte, byte, byte) color)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, error = dx + dy;
        while (true)
        {
            Set(x0, y0, color);
            if (x0 == x1 && y0 == y1) return;
            var e2 = 2 * error;
            if (e2 >= dy) { error += dy; x0 += sx; }
            if (e2 <= dx) { error += dx; y0 += sy; }
        }
    }

    /// <summary>A filled disc of radius <paramref name="radius"/>.</summary>
    public void Dot(int x, int y, int radius, (byte, byte, byte) color)
    {
        for (var dy = -radius; dy <= radius; dy++)
            for (var dx = -radius; dx <= radius; dx++)
                if (dx * dx + dy * dy <= radius * radius) Set(x + dx, y + dy, color);
    }

    /// <summary>Text in the 5×7 font (upper case; unknown characters print as blanks), scaled by <paramref name="scale"/>.</summary>
    public void Text(int x, int y, string text, (byte, byte, byte) color, int scale = 1)
    {
        foreach (var character in text.ToUpperInvariant())
        {
            if (Font.Glyphs.TryGetValue(character, out var rows))
                for (var row = 0; row < 7; row++)
                    for (var column = 0; column < 5; column++)
                        if ((rows[row] >> (4 - column) & 1) == 1)
                            for (var sy = 0; sy < scale; sy++)
                                for (var sx = 0; sx < scale; sx++)
                                    Set(x + column * scale + sx, y + row * scale + sy, color);
            x += 6 * scale;
        }
    }

    /// <summary>Width of <paramref name="text"/> in pixels.</summary>
    public static int TextWidth(string text, int scale = 1) => text.Length * 6 * scale;

    /// <summary>Writes the PNG to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, temporary =>
    {
        using var file = File.Create(temporary);
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        WriteBigEndian(header, 0, (uint)width);
        WriteBigEndian(header, 4, (uint)height);
        (header[8], header[9]) = (8, 2);                                           // 8-bit RGB
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0);                                                     // no filter
                zlib.Write(pixels, y * width * 3, width * 3);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    });

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        var buffer = new byte[4];
        WriteBigEndian(buffer, 0, (uint)data.Length);
        stream.Write(buffer);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        WriteBigEndian(buffer, 0, Crc32([.. typeBytes, .. data]));
        stream.Write(buffer);
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A 5×7 font: each glyph is 7 rows of 5 bits, most significant bit leftmost.</summary>
    private static class Font
    {
        public static readonly Dictionary<char, byte[]> Glyphs = new()
        {
            ['0'] = [14, 17, 19, 21, 25, 17, 14], ['1'] = [4, 12, 4, 4, 4, 4, 14], ['2'] = [14, 17, 1, 2, 4, 8, 31],
            ['3'] = [31, 2, 4, 2, 1, 17, 14], ['4'] = [2, 6, 10, 18, 31, 2, 2], ['5'] = [31, 16, 30, 1, 1, 17, 14],
            ['6'] = [6, 8, 16, 30, 17, 17, 14], ['7'] = [31, 1, 2, 4, 8, 8, 8], ['8'] = [14, 17, 17, 14, 17, 17, 14],
            ['9'] = [14, 17, 17, 15, 1, 2, 12],
            ['A'] = [14, 17, 17, 31, 17, 17, 17], ['B'] = [30, 17, 17, 30, 17, 17, 30], ['C'] = [14, 17, 16, 16, 16, 17, 14],
            ['D'] = [28, 18, 17, 17, 17, 18, 28], ['E'] = [31, 16, 16, 30, 16, 16, 31], ['F'] = [31, 16, 16, 30, 16, 16, 16],
            ['G'] = [14, 17, 16, 23, 17, 17, 15], ['H'] = [17, 17, 17, 31, 17, 17, 17], ['I'] = [14, 4, 4, 4, 4, 4, 14],
            ['J'] = [7, 2, 2, 2, 2, 18, 12], ['K'] = [17, 18, 20, 24, 20, 18, 17], ['L'] = [16, 16, 16, 16, 16, 16, 31],
            ['M'] = [17, 27, 21, 21, 17, 17, 17], ['N'] = [17, 17, 25, 21, 19, 17, 17], ['O'] = [14, 17, 17, 17, 17, 17, 14],
            ['P'] = [30, 17, 17, 30, 16, 16, 16], ['Q'] = [14, 17, 17, 17, 21, 18, 13], ['R'] = [30, 17, 17, 30, 20, 18, 17],
            ['S'] = [15, 16, 16, 14, 1, 1, 30], ['T'] = [31, 4, 4, 4, 4, 4, 4], ['U'] = [17, 17, 17, 17, 17, 17, 14],
            ['V'] = [17, 17, 17, 17, 17, 10, 4], ['W'] = [17, 17, 17, 21, 21, 21, 10], ['X'] = [17, 17, 10, 4, 10, 17, 17],
            ['Y'] = [17, 17, 17, 10, 4, 4, 4], ['Z'] = [31, 1, 2, 4, 8, 16, 31],
            ['.'] = [0, 0, 0, 0, 0, 12, 12], ['-'] = [0, 0, 0, 31, 0, 0, 0], ['+'] = [0, 4, 4, 31, 4, 4, 0],
            [':'] = [0, 12, 12, 0, 12, 12, 0], ['('] = [2, 4, 8, 8, 8, 4, 2], [')'] = [8, 4, 2, 2, 2, 4, 8],
            ['='] = [0, 0, 31, 0, 31, 0, 0], ['/'] = [0, 1, 2, 4, 8, 16, 0], [','] = [0, 0, 0, 0, 12, 4, 8],
            ['_'] = [0, 0, 0, 0, 0, 0, 31], ['['] = [14, 8, 8, 8, 8, 8, 14], [']'] = [14, 2, 2, 2, 2, 2, 14],
        };
    }
}
