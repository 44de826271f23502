using System.Text;
using FsCheck.Xunit;
using ManifoldKit.Data.Formats;
using Xunit;

namespace ManifoldKit.Core.Tests.Data;

[Properties(Arbitrary = [typeof(FormatArbitraries)], MaxTest = 60, Replay = "(2345678,8765433)")]
public sealed class NpyTests : IDisposable
{
    private const string Supported = "'|u1', '|i1', '<i2', '<i4', '<i8', '<f4' or '<f8' (or '>' for big-endian)";
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Every dtype and shape reads back exactly from format versions 1, 2 and 3, little- and big-endian.</summary>
    [Property]
    public void WrittenArray_ReadsBackExactly(ArrayCase array)
    {
        foreach (var major in new[] { 1, 2, 3 })
        foreach (var bigEndian in new[] { false, true })
        {
            var read = Npy.Read(folder.Write($"a{major}{bigEndian}.npy", FormatWriters.Npy(array, major, bigEndian)));
            Assert.Equal(array.Type, read.ElementType);
            Assert.Equal(array.Shape, read.Shape);
            Assert.Equal(array.Bytes, IdxTests.Bytes(read.Values));
        }
    }

    /// <summary>The header as numpy 1.x and 2.x write it (and by hand, without the trailing comma or spaces) reads alike.</summary>
    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,3)}")]
    [InlineData("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}")]
    [InlineData("{'descr': '=f4', 'fortran_order': False, 'shape': (2L, 3L), }")]
    public void HeaderSpellings_ReadAlike(string header)
    {
        var values = new float[] { 1, 2, 3, 4, 5, 6.5f };
        var data = values.SelectMany(BitConverter.GetBytes).ToArray();
        var read = Npy.Read(folder.Write("h.npy", FormatWriters.Npy(header, data)));
        Assert.Equal([2L, 3], read.Shape);
        Assert.Equal(values, read.As<float>());
    }

    [Fact]
    public void FortranOrder_IsRefusedWithTheFix()
    {
        var path = folder.Write("x.npy", FormatWriters.Npy(FormatWriters.NpyHeader("<f8", true, [2, 2]), new byte[32]));
        Assert.Equal($"{path}: fortran_order is True; save it in C order (np.ascontiguousarray)", Error(path));
    }

    [Theory]
    [InlineData("<c8")]
    [InlineData("<U10")]
    [InlineData("|b1")]
    [InlineData("<f2")]
    [InlineData("<u4")]
    [InlineData("|f4")]
    public void UnsupportedDtype_IsNamed(string descr)
    {
        var path = folder.Write("x.npy", FormatWriters.Npy(FormatWriters.NpyHeader(descr, false, [1]), new byte[8]));
        Assert.Equal($"{path}: dtype '{descr}' is not supported; expected {Supported}", Error(path));
    }

    [Fact]
    public void StructuredDtype_IsNamed()
    {
        var header = "{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (1,), }";
        var path = folder.Write("x.npy", FormatWriters.Npy(header, new byte[8]));
        Assert.Equal($"{path}: descr [('x', '<f4'), ('y', '<i4')] is not a plain dtype (a structured array?); expected {Supported}", Error(path));
    }

    [Fact]
    public void MissingKey_IsNamed()
    {
        var header = "{'descr': '<f4', 'fortran_order': False}";
        var path = folder.Write("x.npy", FormatWriters.Npy(header, new byte[4]));
        Assert.Equal($"{path}: the .npy header has no 'shape' (expected 'descr', 'fortran_order' and 'shape'): {header}", Error(path));
    }

    [Fact]
    public void HeaderThatIsNotADict_IsShown()
    {
        var path = folder.Write("x.npy", FormatWriters.Npy("descr=<f4", new byte[4]));
        Assert.Equal($"{path}: the .npy header is not a Python dict (expected '{{'): descr=<f4", Error(path));
    }

    [Fact]
    public void NotNpy_IsRefusedByItsMagic()
    {
        var path = folder.Write("x.npy", Encoding.ASCII.GetBytes("PK\u0003\u0004 a zip, perhaps an .npz"));
        Assert.Equal($"{path}: does not start with the .npy magic string \\x93NUMPY (expected a file written by numpy.save)", Error(path));
        path = folder.Write("empty.npy", []);
        Assert.Equal($"{path}: does not start with the .npy magic string \\x93NUMPY (expected a file written by numpy.save)", Error(path));
    }

    [Fact]
    public void UnknownVersion_IsRefused()
    {
        var bytes = FormatWriters.Npy(FormatWriters.NpyHeader("<f4", false, [1]), new byte[4]);
        bytes[6] = 4;
        var path = folder.Write("x.npy", bytes);
        Assert.Equal($"{path}: .npy format version 4.0 is not supported (expected 1.0, 2.0 or 3.0)", Error(path));
    }

    [Fact]
    public void TruncatedHeader_IsRefused()
    {
        var bytes = FormatWriters.Npy(FormatWriters.NpyHeader("<f4", false, [1]), []);
        var path = folder.Write("x.npy", bytes[..30]);
        Assert.Equal($"{path}: the .npy header ends after 20 of its 118 bytes", Error(path));
    }

    [Fact]
    public void TruncatedData_SaysHowMuchIsThere()
    {
        var path = folder.Write("x.npy", FormatWriters.Npy(FormatWriters.NpyHeader("<f8", false, [1000, 10]), new byte[1000]));
        Assert.Equal($"{path} holds 1,000 of the 80,000 bytes its header's dtype and shape announce; the file is cut short (an interrupted download or copy?)", Error(path));
    }

    [Fact]
    public void TwoArraysInOneFile_AreRefused()
    {
        var one = FormatWriters.Npy(FormatWriters.NpyHeader("<i4", false, [2]), new byte[8]);
        var path = folder.Write("x.npy", [.. one, .. one]);
        Assert.Equal($"{path} holds 144 bytes after the header, more than the 8 its header's dtype and shape announce; expected the data to end there", Error(path));
    }

    private static string Error(string path) => Assert.Throws<InvalidDataException>(() => Npy.Read(path)).Message;
}
