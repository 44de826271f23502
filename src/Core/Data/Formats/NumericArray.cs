using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ManifoldKit.Data.Formats;

/// <summary>The element types the readers return, each kept as read until converted.</summary>
public enum ElementType
{
    /// <summary>Unsigned 8-bit integer (IDX 0x08, NumPy u1).</summary>
    UInt8,
    /// <summary>Signed 8-bit integer (IDX 0x09, NumPy i1).</summary>
    Int8,
    /// <summary>Signed 16-bit integer (IDX 0x0B, NumPy i2).</summary>
    Int16,
    /// <summary>Signed 32-bit integer (IDX 0x0C, NumPy i4).</summary>
    Int32,
    /// <summary>Signed 64-bit integer (NumPy i8).</summary>
    Int64,
    /// <summary>32-bit float (IDX 0x0D, NumPy f4).</summary>
    Float32,
    /// <summary>64-bit float (IDX 0x0E, NumPy f8).</summary>
    Float64,
}

/// <summary>
/// An n-dimensional array as a file held it: its shape, its element type and its values in C order,
/// in the machine's byte order. The values stay in their own type (60,000 × 784 bytes stay 47 MB)
/// until <see cref="ToTensor"/> converts them.
/// </summary>
public sealed class NumericArray
{
    private readonly long[] shape;

    /// <summary>Wraps values already in C order.</summary>
    /// <param name="shape">The dimensions; empty for a scalar.</param>
    /// <param name="values">A byte[], sbyte[], short[], int[], long[], float[] or double[] holding exactly the product of <paramref name="shape"/> elements.</param>
    public NumericArray(long[] shape, Array values)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(values);
        ElementType = TypeOf(values);
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0) throw new ArgumentException($"dimension {dim} is negative", nameof(shape));
            count = checked(count * dim);
        }
        if (count != values.LongLength)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements, but {values.LongLength} values were given", nameof(values));
        this.shape = (long[])shape.Clone();
        Values = values;
    }

    /// <summary>The dimensions (a copy); empty for a scalar.</summary>
    public long[] Shape => (long[])shape.Clone();

    /// <summary>The element type as stored in the file.</summary>
    public ElementType ElementType { get; }

    /// <summary>The values in C order: a byte[], sbyte[], short[], int[], long[], float[] or double[] per <see cref="ElementType"/>.</summary>
    public Array Values { get; }

    /// <summary>The number of elements.</summary>
    public long Count => Values.LongLength;

    /// <summary>The values as <typeparamref name="T"/>[]; throws when that is not their element type.</summary>
    public T[] As<T>() where T : unmanaged =>
        Values.GetType() == typeof(T[]) ? (T[])Values : throw new InvalidOperationException($"the values are {ElementType}, not {typeof(T).Name}");

    /// <summary>A new float32 tensor of <see cref="Shape"/> (int64 values beyond 2²⁴ round).</summary>
    public Tensor ToTensor()
    {
        using var native = ToNativeTensor();
        return native.to(ScalarType.Float32);
    }

    /// <summary>A new uint8 tensor of the values; only for <see cref="ElementType.UInt8"/>, since any other type would be cut.</summary>
    public Tensor ToByteTensor() => ElementType == ElementType.UInt8
        ? ToNativeTensor()
        : throw new InvalidOperationException($"the values are {ElementType}, not UInt8; use ToTensor() for float32");

    /// <summary>A new tensor in the file's own element type, copied from <see cref="Values"/>.</summary>
    public Tensor ToNativeTensor()
    {
        // Copy rather than alias: the tensor must not change when Values does, nor pin the array.
        var dtype = ElementType switch
        {
            ElementType.UInt8 => ScalarType.Byte,
            ElementType.Int8 => ScalarType.Int8,
            ElementType.Int16 => ScalarType.Int16,
            ElementType.Int32 => ScalarType.Int32,
            ElementType.Int64 => ScalarType.Int64,
            ElementType.Float32 => ScalarType.Float32,
            _ => ScalarType.Float64,
        };
        var tensor = empty(shape, dtype);
        if (Count > 0) tensor.bytes = Bytes(); // TorchSharp's span over an empty tensor throws
        return tensor;
    }

    private Span<byte> Bytes() => AsBytes(Values);

    /// <summary>The raw bytes of a typed value array (any of the element types), without a copy.</summary>
    internal static Span<byte> AsBytes(Array values) => values switch
    {
        byte[] v => v,
        sbyte[] v => MemoryMarshal.AsBytes(v.AsSpan()),
        short[] v => MemoryMarshal.AsBytes(v.AsSpan()),
        int[] v => MemoryMarshal.AsBytes(v.AsSpan()),
        long[] v => MemoryMarshal.AsBytes(v.AsSpan()),
        float[] v => MemoryMarshal.AsBytes(v.AsSpan()),
        double[] v => MemoryMarshal.AsBytes(v.AsSpan()),
        _ => throw new InvalidOperationException("unreachable"),
    };

    // By exact type: the runtime lets an sbyte[] pass as byte[] and a ushort[] as short[], so `is` cannot tell them apart.
    private static ElementType TypeOf(Array values)
    {
        var type = values.GetType();
        if (type == typeof(byte[])) return ElementType.UInt8;
        if (type == typeof(sbyte[])) return ElementType.Int8;
        if (type == typeof(short[])) return ElementType.Int16;
        if (type == typeof(int[])) return ElementType.Int32;
        if (type == typeof(long[])) return ElementType.Int64;
        if (type == typeof(float[])) return ElementType.Float32;
        if (type == typeof(double[])) return ElementType.Float64;
        throw new ArgumentException($"{type.Name} is not a supported element array (expected byte[], sbyte[], short[], int[], long[], float[] or double[])", nameof(values));
    }

    /// <summary>Size in bytes of one element.</summary>
    internal static int SizeOf(ElementType type) => type switch
    {
        ElementType.UInt8 or ElementType.Int8 => 1,
        ElementType.Int16 => 2,
        ElementType.Int32 or ElementType.Float32 => 4,
        _ => 8,
    };

    /// <summary>A zeroed array of <paramref name="count"/> elements of <paramref name="type"/>.</summary>
    internal static Array Allocate(ElementType type, long count) => type switch
    {
        ElementType.UInt8 => new byte[count],
        ElementType.Int8 => new sbyte[count],
        ElementType.Int16 => new short[count],
        ElementType.Int32 => new int[count],
        ElementType.Int64 => new long[count],
        ElementType.Float32 => new float[count],
        _ => new double[count],
    };
}
