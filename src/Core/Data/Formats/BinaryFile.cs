using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace ManifoldKit.Data.Formats;

/// <summary>
/// A binary array file, plain or gzip-compressed (told by its first two bytes, 1f 8b, not by its name),
/// read in large blocks. Every failure becomes an <see cref="InvalidDataException"/> naming the file.
/// </summary>
internal sealed class BinaryFile : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly FileStream file;
    private readonly Stream stream;

    private BinaryFile(string path)
    {
        Path = path;
        file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        Gzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        stream = Gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
    }

    public string Path { get; }

    public bool Gzip { get; }

    /// <summary>Bytes read so far (after decompression).</summary>
    public long Position { get; private set; }

    public static BinaryFile Open(string path) => new(path);

    public InvalidDataException Error(string message) => new($"{Path}{message}");

    /// <summary>Fills as much of <paramref name="buffer"/> as the file holds; returns the count.</summary>
    public int ReadUpTo(Span<byte> buffer)
    {
        try
        {
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            Position += read;
            return read;
        }
        catch (InvalidDataException e)
        {
            // Only GZipStream throws this: say which file and what it was.
            throw new InvalidDataException($"{Path}: the gzip data is damaged after {Position:N0} bytes ({e.Message})", e);
        }
    }

    /// <summary>
    /// How many bytes follow the current position, if known without decompressing: the file's length
    /// for a plain file, the gzip trailer's size (mod 2³²) for one gzip member. Null when unknown.
    /// </summary>
    public long? RemainingHint()
    {
        if (!Gzip) return file.Length - Position;
        if (file.Length < 18) return null;
        var saved = file.Position;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = saved;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    /// <summary>Reads and discards the rest of the file, returning how many bytes it held.</summary>
    public long Drain()
    {
        var scratch = new byte[BufferSize];
        long total = 0;
        int read;
        while ((read = ReadUpTo(scratch)) > 0) total += read;
        return total;
    }

    /// <summary>
    /// Checks that exactly <paramref name="dataBytes"/> follow the header before anything of that size
    /// is allocated: a plain file by its length, a gzip file by its trailer, else (several gzip members,
    /// or a trailer that disagrees) by decompressing once without keeping the bytes.
    /// Returns false when the caller must reopen the file, since the check consumed the stream.
    /// </summary>
    public bool CheckLength(long dataBytes, string what)
    {
        var hint = RemainingHint();
        if (!Gzip)
        {
            Announce(hint!.Value, dataBytes, what);
            return true;
        }
        if (hint is { } size && size == ((Position + dataBytes) & 0xFFFFFFFFL)) return true;
        Announce(Drain(), dataBytes, what);
        return false;
    }

    /// <summary>Reads exactly <paramref name="count"/> elements of <paramref name="type"/> and checks nothing follows.</summary>
    public Array ReadArray(ElementType type, long count, bool bigEndian, string what)
    {
        var values = NumericArray.Allocate(type, count);
        var bytes = NumericArray.AsBytes(values);
        long dataBytes = (long)bytes.Length;
        var read = ReadUpTo(bytes);
        if (read < dataBytes) throw Truncated(read, dataBytes, what);
        Span<byte> extra = stackalloc byte[1];
        if (ReadUpTo(extra) > 0) throw Trailing(dataBytes + Drain() + 1, dataBytes, what);
        if (bigEndian != !BitConverter.IsLittleEndian) Swap(values);
        return values;
    }

    private void Announce(long remaining, long dataBytes, string what)
    {
        if (remaining < dataBytes) throw Truncated(remaining, dataBytes, what);
        if (remaining > dataBytes) throw Trailing(remaining, dataBytes, what);
    }

    private InvalidDataException Truncated(long held, long announced, string what) => Error(
        $" holds {N(held)} of the {N(announced)} bytes {what}; the file is cut short (an interrupted download or copy?)");

    private InvalidDataException Trailing(long held, long announced, string what) => Error(
        $" holds {N(held)} bytes after the header, more than the {N(announced)} {what}; expected the data to end there");

    internal static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static void Swap(Array values)
    {
        switch (values)
        {
            case short[] v: BinaryPrimitives.ReverseEndianness(v, v); break;
            case int[] v: BinaryPrimitives.ReverseEndianness(v, v); break;
            case long[] v: BinaryPrimitives.ReverseEndianness(v, v); break;
            // Floats swap as the integers of the same width.
            case float[] v: var f = MemoryMarshal.Cast<float, int>(v.AsSpan()); BinaryPrimitives.ReverseEndianness(f, f); break;
            case double[] v: var d = MemoryMarshal.Cast<double, long>(v.AsSpan()); BinaryPrimitives.ReverseEndianness(d, d); break;
        }
    }

    public void Dispose()
    {
        if (Gzip) stream.Dispose();
        file.Dispose();
    }
}
