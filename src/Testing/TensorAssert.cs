using Xunit.Sdk;
using static TorchSharp.torch;

namespace ManifoldKit.Testing;

/// <summary>Assertions on tensors whose messages say what was compared and by how much it missed.</summary>
public static class TensorAssert
{
    /// <summary>The largest absolute entry, as a double.</summary>
    public static double MaxAbs(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.numel() == 0 ? 0 : tensor.abs().max().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Fails unless every entry of |actual − expected| is at most <paramref name="tolerance"/>.</summary>
    public static void Close(Tensor actual, Tensor expected, double tolerance, string what)
    {
        if (!actual.shape.SequenceEqual(expected.shape))
            throw new XunitException($"{what}: shape [{string.Join(", ", actual.shape)}] differs from [{string.Join(", ", expected.shape)}]");
        var error = MaxAbs(actual - expected);
        if (!(error <= tolerance))
            throw new XunitException($"{what}: max |error| = {error:G4} exceeds {tolerance:G4}");
    }

    /// <summary>Fails unless every entry is at most <paramref name="bound"/> in absolute value.</summary>
    public static void Small(Tensor actual, double bound, string what)
    {
        var value = MaxAbs(actual);
        if (!(value <= bound)) throw new XunitException($"{what}: max |value| = {value:G4} exceeds {bound:G4}");
    }

    /// <summary>Fails unless the two modules' parameters are equal entry for entry, naming the first that differs.</summary>
    public static void SameParameters(nn.Module expected, nn.Module actual, string what) =>
        SameParameters([.. expected.parameters()], actual, what);

    /// <summary>
    /// Fails unless <paramref name="actual"/>'s parameters equal <paramref name="expected"/> (for
    /// example a snapshot taken before the module changed) entry for entry, naming the first that differs.
    /// </summary>
    public static void SameParameters(IReadOnlyList<Tensor> expected, nn.Module actual, string what)
    {
        var named = actual.named_parameters().ToArray();
        if (named.Length != expected.Count) throw new XunitException($"{what}: {named.Length} parameters, expected {expected.Count}");
        for (var i = 0; i < named.Length; i++)
            if (!expected[i].eq(named[i].parameter).all().item<bool>())
                throw new XunitException($"{what}: parameter {named[i].name} differs");
    }

    /// <summary>Fails unless the shape is exactly <paramref name="shape"/>.</summary>
    public static void Shape(Tensor actual, long[] shape, string what)
    {
        if (!actual.shape.SequenceEqual(shape))
            throw new XunitException($"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", shape)}]");
    }
}
