using FsCheck.Xunit;
using ManifoldKit.Geometry;
using ManifoldKit.Testing;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds.Tests;

public sealed class SpecialOrthogonal3ManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new SpecialOrthogonal3(); }

public sealed class SpecialOrthogonal3EmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new SpecialOrthogonal3(); }

public sealed class SpecialOrthogonal3SymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new SpecialOrthogonal3(); }

public sealed class SpecialOrthogonal3QuaternionSymmetryTests : GroupActionContract
{
    protected override IManifold CreateManifold() => new SpecialOrthogonal3(RotationParameterization.Quaternion);
}

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 40)]
public sealed class RotationsFacts
{
    /// <summary>ToQuaternion inverts FromQuaternion up to the sign of q.</summary>
    [Property]
    public void ToQuaternion_InvertsFromQuaternion_UpToSign(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var q = randn([64, 4], dtype: ScalarType.Float64, generator: generator);
        q = q / linalg.vector_norm(q, dims: [-1], keepdim: true);
        var back = Rotations.ToQuaternion(Rotations.FromQuaternion(q));
        var sign = (back * q).sum(-1, keepdim: true).sign();
        TensorAssert.Close(back * sign, q, 1e-9, "ToQuaternion(FromQuaternion(q)) vs ±q");
    }

    /// <summary>The embedding is one-to-one: distinct interior codes never give the same rotation.</summary>
    [Property]
    public void ShoemakeEmbedding_SeparatesAntipodalQuaternions(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var embedding = new SpecialOrthogonal3().ExactEmbedding;
        var codes = 0.01 + 0.98 * rand([256, 3], dtype: ScalarType.Float64, generator: generator);
        var images = embedding.Embed(codes);
        var imageDistances = cdist(images, images);
        var codeDistances = cdist(codes, codes);
        // Off the diagonal, two codes at distance > 0.05 must not map closer than 1e-3.
        var collisions = (codeDistances > 0.05).logical_and(imageDistances < 1e-3).sum().item<long>();
        Xunit.Assert.Equal(0L, collisions);
    }
}
