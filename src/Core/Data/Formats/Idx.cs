using System.Buffers.Binary;

namespace ManifoldKit.Data.Formats;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST (train-images-idx3-ubyte.gz): two zero
/// bytes, a type byte, a dimension count, each dimension as a big-endian int32, then the values
/// big-endian in C order. Plain or gzip-compressed.
/// </summary>
public static class Idx
{
    private const string Expected = "expected two zero bytes, a type byte 0x08–0x0E and a dimension count";

    /// <summary>Reads the whole array.</summary>
    /// <exception cref="InvalidDataException">The file is not a whole, well-formed IDX file; the message names it and what is wrong.</exception>
    public static NumericArray Read(string path)
    {
        var file = BinaryFile.Open(path);
        try
        {
            var (shape, type, count, headerBytes) = ReadHeader(file);
            if (!file.CheckLength(count * NumericArray.SizeOf(type), Announced))
            {
                // Checking a multi-member gzip file's length decompressed it: start again after the header.
                file.Dispose();
                file = BinaryFile.Open(path);
                file.ReadUpTo(new byte[headerBytes]);
            }
            return new NumericArray(shape, file.ReadArray(type, count, bigEndian: true, Announced));
        }
        finally
        {
            file.Dispose();
        }
    }

    private const string Announced = "its header announces";

    private static (long[] Shape, ElementType Type, long Count, int HeaderBytes) ReadHeader(BinaryFile file)
    {
        Span<byte> magic = stackalloc byte[4];
        var got = file.ReadUpTo(magic);
        if (got < 4) throw file.Error($": {got} bytes is too short for an IDX header ({Expected})");
        var type = magic[2] switch
        {
            0x08 => ElementType.UInt8,
            0x09 => ElementType.Int8,
            0x0B => ElementType.Int16,
            0x0C => ElementType.Int32,
            0x0D => ElementType.Float32,
            0x0E => ElementType.Float64,
            _ => (ElementType?)null,
        };
        if (magic[0] != 0 || magic[1] != 0 || type is null)
            throw file.Error($": magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8} is not an IDX header ({Expected})");
        int rank = magic[3];
        var dims = new byte[4 * rank];
        got = file.ReadUpTo(dims);
        if (got < dims.Length)
            throw file.Error($": the header ends after {4 + got} bytes, but its {rank} dimensions need {4 + dims.Length} (expected a big-endian int32 per dimension)");
        var shape = new long[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dims.AsSpan(4 * i));
            if (shape[i] < 0)
                throw file.Error($": dimension {i} is {shape[i]}; expected a size >= 0 (is this an IDX file?)");
            // Each dimension is < 2³¹ and the product is checked at every step, so it cannot overflow a long.
            count *= shape[i];
            if (count * NumericArray.SizeOf(type.Value) > Array.MaxLength)
                throw file.Error($": shape [{string.Join(", ", shape.Take(i + 1))}{(i + 1 < rank ? ", ..." : "")}] of {type} is more than {BinaryFile.N(Array.MaxLength)} bytes, the most one array can hold");
        }
        return (shape, type.Value, count, 4 + dims.Length);
    }
}
