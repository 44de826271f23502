using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using ManifoldKit.Data.Formats;

namespace ManifoldKit.Core.Tests.Data;

/// <summary>An array to write and read back: its type, shape and raw little-endian bytes (any bit pattern, NaNs included).</summary>
public sealed record ArrayCase(ElementType Type, long[] Shape, byte[] Bytes)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The values as the typed array a reader returns.</summary>
    public Array Values() => Type switch
    {
        ElementType.UInt8 => Bytes.ToArray(),
        ElementType.Int8 => MemoryMarshal.Cast<byte, sbyte>(Bytes).ToArray(),
        ElementType.Int16 => MemoryMarshal.Cast<byte, short>(Bytes).ToArray(),
        ElementType.Int32 => MemoryMarshal.Cast<byte, int>(Bytes).ToArray(),
        ElementType.Int64 => MemoryMarshal.Cast<byte, long>(Bytes).ToArray(),
        ElementType.Float32 => MemoryMarshal.Cast<byte, float>(Bytes).ToArray(),
        _ => MemoryMarshal.Cast<byte, double>(Bytes).ToArray(),
    };

    public override string ToString() => $"{Type} [{string.Join(", ", Shape)}]";
}

/// <summary>Random arrays for the round-trip properties: rank 0 to 4, sizes 0 to 6, random bytes.</summary>
public static class FormatArbitraries
{
    public static readonly ElementType[] IdxTypes =
        [ElementType.UInt8, ElementType.Int8, ElementType.Int16, ElementType.Int32, ElementType.Float32, ElementType.Float64];

    public static Arbitrary<ArrayCase> Arrays() => Arb.From(
        from type in Gen.Elements(Enum.GetValues<ElementType>())
        from rank in Gen.Choose(0, 4)
        from dims in Gen.ArrayOf(Gen.Choose(0, 6), rank)
        let count = dims.Aggregate(1, (a, b) => a * b)
        from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), count * Size(type))
        select new ArrayCase(type, dims.Select(d => (long)d).ToArray(), bytes));

    public static int Size(ElementType type) => type switch
    {
        ElementType.UInt8 or ElementType.Int8 => 1,
        ElementType.Int16 => 2,
        ElementType.Int32 or ElementType.Float32 => 4,
        _ => 8,
    };
}

/// <summary>Tiny writers of the formats, written from the format descriptions, to feed the readers.</summary>
public static class FormatWriters
{
    public static byte[] Idx(ArrayCase array) => Idx(IdxType(array.Type), array.Shape, BigEndian(array.Bytes, FormatArbitraries.Size(array.Type)));

    /// <summary>An IDX file from its parts, the data given already big-endian (or deliberately wrong).</summary>
    public static byte[] Idx(byte type, long[] shape, byte[] bigEndianData)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)shape.Length };
        var dim = new byte[4];
        foreach (var size in shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(dim, checked((int)size));
            bytes.AddRange(dim);
        }
        bytes.AddRange(bigEndianData);
        return bytes.ToArray();
    }

    public static byte IdxType(ElementType type) => type switch
    {
        ElementType.UInt8 => 0x08,
        ElementType.Int8 => 0x09,
        ElementType.Int16 => 0x0B,
        ElementType.Int32 => 0x0C,
        ElementType.Float32 => 0x0D,
        ElementType.Float64 => 0x0E,
        _ => throw new ArgumentException($"IDX has no {type}"),
    };

    /// <summary>A .npy file: magic, version, header length, a dict padded with spaces and '\n' to a multiple of 64, the data.</summary>
    public static byte[] Npy(ArrayCase array, int major = 1, bool bigEndian = false)
    {
        var size = FormatArbitraries.Size(array.Type);
        var kind = array.Type switch
        {
            ElementType.UInt8 => "u1",
            ElementType.Int8 => "i1",
            ElementType.Int16 => "i2",
            ElementType.Int32 => "i4",
            ElementType.Int64 => "i8",
            ElementType.Float32 => "f4",
            _ => "f8",
        };
        var order = size == 1 ? '|' : bigEndian ? '>' : '<';
        var data = bigEndian ? BigEndian(array.Bytes, size) : array.Bytes;
        return Npy(NpyHeader($"{order}{kind}", false, array.Shape), data, major);
    }

    public static string NpyHeader(string descr, bool fortran, long[] shape) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {Tuple(shape)}, }}";

    public static string Tuple(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => $"({string.Join(", ", shape)})",
    };

    public static byte[] Npy(string header, byte[] data, int major = 1)
    {
        var lengthBytes = major == 1 ? 2 : 4;
        var unpadded = 8 + lengthBytes + Encoding.UTF8.GetByteCount(header) + 1;
        header += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([(byte)major, 0]);
        var length = new byte[lengthBytes];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        bytes.AddRange(length);
        bytes.AddRange(headerBytes);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    /// <summary>Gzip-compresses <paramref name="bytes"/>, as one member or split into two (as <c>cat a.gz b.gz</c> makes).</summary>
    public static byte[] Gzip(byte[] bytes, bool twoMembers = false)
    {
        var output = new MemoryStream();
        var split = twoMembers ? bytes.Length / 2 : bytes.Length;
        foreach (var part in twoMembers ? [bytes[..split], bytes[split..]] : new[] { bytes })
        {
            using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(part);
        }
        return output.ToArray();
    }

    public static byte[] BigEndian(byte[] littleEndian, int size)
    {
        var swapped = (byte[])littleEndian.Clone();
        for (var i = 0; i < swapped.Length; i += size) Array.Reverse(swapped, i, size);
        return swapped;
    }
}

/// <summary>A folder of test files, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("formats-").FullName;

    public string Write(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
