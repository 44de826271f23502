using System.Runtime.InteropServices;
using FsCheck.Xunit;
using ManifoldKit.Data.Formats;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Data;

[Properties(Arbitrary = [typeof(FormatArbitraries)], MaxTest = 60, Replay = "(1234567,7654321)")]
public sealed class IdxTests : IDisposable
{
    private const string Expected = "(expected two zero bytes, a type byte 0x08–0x0E and a dimension count)";
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Every IDX type and shape reads back exactly, bit for bit, from plain, gzip and two-member gzip files alike.</summary>
    [Property]
    public void WrittenArray_ReadsBackExactly_PlainOrGzip(ArrayCase array)
    {
        if (!FormatArbitraries.IdxTypes.Contains(array.Type)) return; // IDX has no int64
        {
            var bytes = FormatWriters.Idx(array);
            foreach (var (name, file) in new[] { ("a.idx", bytes), ("a.gz", FormatWriters.Gzip(bytes)), ("a2.gz", FormatWriters.Gzip(bytes, twoMembers: true)) })
            {
                var read = Idx.Read(folder.Write(name, file));
                Assert.Equal(array.Type, read.ElementType);
                Assert.Equal(array.Shape, read.Shape);
                Assert.Equal(array.Bytes, Bytes(read.Values));
            }
        }
    }

    [Fact]
    public void ImageFile_GivesTensorsOfItsShape()
    {
        var pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();
        var path = folder.Write("images-idx3-ubyte.gz", FormatWriters.Gzip(FormatWriters.Idx(0x08, [2, 3, 4], pixels)));
        var array = Idx.Read(path);
        Assert.Same(array.Values, array.As<byte>());
        using var scope = NewDisposeScope();
        var asBytes = array.ToByteTensor();
        Assert.Equal(ScalarType.Byte, asBytes.dtype);
        Assert.Equal([2L, 3, 4], asBytes.shape);
        Assert.Equal(pixels, asBytes.data<byte>().ToArray());
        var asFloats = array.ToTensor();
        Assert.Equal(ScalarType.Float32, asFloats.dtype);
        Assert.Equal(pixels.Select(p => (float)p), asFloats.data<float>().ToArray());
    }

    /// <summary>The runtime lets an sbyte[] pass for a byte[]: a signed file must still say Int8 and refuse As&lt;byte&gt;.</summary>
    [Fact]
    public void SignedBytes_AreNotTakenForUnsigned()
    {
        var array = Idx.Read(folder.Write("s.idx", FormatWriters.Idx(0x09, [2], [0xFF, 0x01])));
        Assert.Equal(ElementType.Int8, array.ElementType);
        Assert.Equal([(sbyte)-1, 1], array.As<sbyte>());
        Assert.Throws<InvalidOperationException>(() => array.As<byte>());
        Assert.Throws<InvalidOperationException>(() => array.ToByteTensor());
        using var tensor = array.ToTensor();
        Assert.Equal([-1f, 1f], tensor.data<float>().ToArray());
    }

    [Fact]
    public void FloatFile_RefusesAByteTensor()
    {
        var array = Idx.Read(folder.Write("f.idx", FormatWriters.Idx(0x0D, [1], [0x3f, 0x80, 0, 0])));
        Assert.Equal([1f], array.As<float>());
        var error = Assert.Throws<InvalidOperationException>(() => array.ToByteTensor());
        Assert.Equal("the values are Float32, not UInt8; use ToTensor() for float32", error.Message);
    }

    [Fact]
    public void BadMagic_SaysWhatAnIdxHeaderIs()
    {
        var path = folder.Write("x.idx", [0x00, 0x00, 0x0A, 0x03, 0, 0, 0, 1]);
        Assert.Equal($"{path}: magic number 0x00000A03 is not an IDX header {Expected}", Error(path));
        path = folder.Write("text.idx", "P5 28 28\n"u8.ToArray());
        Assert.Equal($"{path}: magic number 0x50352032 is not an IDX header {Expected}", Error(path));
    }

    [Fact]
    public void ShortFile_IsRefusedBeforeItsHeader()
    {
        var path = folder.Write("x.idx", [0x00, 0x00, 0x08]);
        Assert.Equal($"{path}: 3 bytes is too short for an IDX header {Expected}", Error(path));
        path = folder.Write("y.idx", [0x00, 0x00, 0x08, 0x03, 0, 0, 0, 5, 0, 0]);
        Assert.Equal($"{path}: the header ends after 10 bytes, but its 3 dimensions need 16 (expected a big-endian int32 per dimension)", Error(path));
    }

    [Fact]
    public void NegativeDimension_IsRefused()
    {
        var path = folder.Write("x.idx", [0x00, 0x00, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFE]);
        Assert.Equal($"{path}: dimension 0 is -2; expected a size >= 0 (is this an IDX file?)", Error(path));
    }

    [Fact]
    public void HugeShape_IsRefusedWithoutAllocating()
    {
        var path = folder.Write("x.idx", FormatWriters.Idx(0x0E, [60000, 60000, 784], []));
        Assert.Equal($"{path}: shape [60000, 60000, ...] of Float64 is more than 2,147,483,591 bytes, the most one array can hold", Error(path));
    }

    /// <summary>A cut-short file names how much it holds of what its header announces, plain or compressed.</summary>
    [Fact]
    public void TruncatedData_SaysHowMuchIsThere()
    {
        var bytes = FormatWriters.Idx(0x08, [60000, 784], new byte[1000]);
        var expected = " holds 1,000 of the 47,040,000 bytes its header announces; the file is cut short (an interrupted download or copy?)";
        var plain = folder.Write("x.idx", bytes);
        Assert.Equal(plain + expected, Error(plain));
        var gzip = folder.Write("x.idx.gz", FormatWriters.Gzip(bytes));
        Assert.Equal(gzip + expected, Error(gzip));
        var members = folder.Write("x2.gz", FormatWriters.Gzip(bytes, twoMembers: true));
        Assert.Equal(members + expected, Error(members));
    }

    /// <summary>A gzip file cut mid-stream (an interrupted download) is refused by name, never as an EndOfStreamException.</summary>
    [Fact]
    public void CutGzipStream_IsNamed()
    {
        var data = new byte[200_000];
        new Random(3).NextBytes(data);
        var gzip = FormatWriters.Gzip(FormatWriters.Idx(0x08, [200, 1000], data));
        var path = folder.Write("cut.gz", gzip[..(gzip.Length / 2)]);
        var message = Error(path);
        Assert.StartsWith($"{path}", message);
        Assert.Matches(@"( holds [\d,]+ of the 200,000 bytes its header announces; the file is cut short|: the gzip data is damaged after)", message);
    }

    [Fact]
    public void DamagedGzip_IsNamed()
    {
        var gzip = FormatWriters.Gzip(FormatWriters.Idx(0x08, [100], new byte[100]));
        for (var i = 10; i < gzip.Length - 8; i++) gzip[i] = 0xFF;
        var path = folder.Write("bad.gz", gzip);
        Assert.StartsWith($"{path}: the gzip data is damaged after 0 bytes (", Error(path));
    }

    [Fact]
    public void TrailingBytes_AreRefused()
    {
        var path = folder.Write("x.idx", FormatWriters.Idx(0x08, [2, 2], [1, 2, 3, 4, 5]));
        Assert.Equal($"{path} holds 5 bytes after the header, more than the 4 its header announces; expected the data to end there", Error(path));
        path = folder.Write("x.gz", FormatWriters.Gzip(FormatWriters.Idx(0x08, [2, 2], [1, 2, 3, 4, 5])));
        Assert.Equal($"{path} holds 5 bytes after the header, more than the 4 its header announces; expected the data to end there", Error(path));
    }

    private static string Error(string path) => Assert.Throws<InvalidDataException>(() => Idx.Read(path)).Message;

    internal static byte[] Bytes(Array values) => values switch
    {
        byte[] v => v,
        sbyte[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        short[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        int[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        long[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        float[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        double[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        _ => throw new ArgumentException(values.GetType().Name),
    };
}
