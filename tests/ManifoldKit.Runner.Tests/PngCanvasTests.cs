using System.IO.Compression;
using ManifoldKit.Runner.Reporting;
using Xunit;

namespace ManifoldKit.Runner.Tests;

public sealed class PngCanvasTests
{
    /// <summary>The PNG decodes back to the pixels drawn: chunk layout, CRCs and the zlib stream are right.</summary>
    [Fact]
    public void Save_WritesAPngThatDecodesToThePixels()
    {
        var canvas = new PngCanvas(7, 3);
        canvas.Set(2, 1, (10, 20, 30));
        var path = Path.Combine(Path.GetTempPath(), $"mk-{Guid.NewGuid():N}.png");
        try
        {
            canvas.Save(path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, bytes[..8]);
            var chunks = new List<(string Type, byte[] Data)>();
            for (var at = 8; at < bytes.Length;)
            {
                var length = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
                var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
                var data = bytes[(at + 8)..(at + 8 + length)];
                var crc = (uint)((bytes[at + 8 + length] << 24) | (bytes[at + 9 + length] << 16) | (bytes[at + 10 + length] << 8) | bytes[at + 11 + length]);
                Assert.Equal(Crc32([.. bytes[(at + 4)..(at + 8)], .. data]), crc);
                chunks.Add((type, data));
                at += 12 + length;
            }
            Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress)) zlib.CopyTo(inflated);
            var raw = inflated.ToArray();
            Assert.Equal(3 * (1 + 7 * 3), raw.Length);
            Assert.Equal(new byte[] { 10, 20, 30 }, raw[(1 * 22 + 1 + 2 * 3)..(1 * 22 + 1 + 2 * 3 + 3)]);
            Assert.Equal(new byte[] { 255, 255, 255 }, raw[1..4]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static uint Crc32(byte[] data)
    {
        // Bitwise reference CRC-32 (ISO-HDLC), independent of the table-free loop under test.
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
            for (var bit = 0; bit < 8; bit++)
            {
                var mix = ((crc ^ (uint)(b >> bit)) & 1) != 0;
                crc = (crc >> 1) ^ (mix ? 0xEDB88320 : 0);
            }
        return ~crc;
    }
}
