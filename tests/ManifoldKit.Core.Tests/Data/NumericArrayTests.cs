using FsCheck.Xunit;
using ManifoldKit.Data.Formats;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Data;

[Properties(Arbitrary = [typeof(FormatArbitraries)], MaxTest = 60, Replay = "(4567890,987655)")]
public sealed class NumericArrayTests
{
    /// <summary>The native tensor holds the very bytes, in the shape (scalars and empty shapes included); the float32 one their values.</summary>
    [Property]
    public void Tensors_HoldTheValues(ArrayCase array)
    {
        using var scope = NewDisposeScope();
        var numeric = new NumericArray(array.Shape, array.Values());
        var native = numeric.ToNativeTensor();
        Assert.Equal(array.Shape, native.shape);
        var floats = numeric.ToTensor();
        Assert.Equal(ScalarType.Float32, floats.dtype);
        Assert.Equal(array.Shape, floats.shape);
        if (array.Count == 0) return; // TorchSharp reads no span of an empty tensor
        Assert.Equal(array.Bytes, native.bytes.ToArray());
        Assert.Equal(native.to(ScalarType.Float32).data<float>().ToArray(), floats.data<float>().ToArray());
    }

    /// <summary>The tensor is a copy: changing the array afterwards leaves it alone.</summary>
    [Fact]
    public void Tensor_IsACopy()
    {
        var values = new byte[] { 1, 2, 3 };
        using var tensor = new NumericArray([3], values).ToByteTensor();
        values[0] = 9;
        Assert.Equal([1, 2, 3], tensor.data<byte>().ToArray());
    }

    [Fact]
    public void MismatchedShape_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new NumericArray([2, 2], new float[3]));
        Assert.StartsWith("shape [2, 2] holds 4 elements, but 3 values were given", error.Message);
        Assert.Throws<ArgumentException>(() => new NumericArray([1], new ushort[1]));
    }
}
