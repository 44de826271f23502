using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

public sealed class LatentSpaceTests
{
    public static TheoryData<string> Manifolds => ["circle", "sphere", "so3"];

    private static IManifold Create(string name) => name switch
    {
        "circle" => new Circle(),
        "sphere" => new Sphere(2),
        _ => new SpecialOrthogonal3(),
    };

    /// <summary>
    /// A sharp Beta sample can round to exactly 0 or 1 in float32; the exact charts of S² and SO(3)
    /// have square roots with infinite derivative there. Codes on the cube's faces and corners must
    /// still give finite decoder inputs and finite gradients (without the margin: NaN at step 174
    /// of an SO(3)-latent run).
    /// </summary>
    [Theory]
    [MemberData(nameof(Manifolds))]
    public void CodesOnTheCubesFaces_GiveFiniteGradients(string name)
    {
        using var scope = NewDisposeScope();
        var manifold = Create(name);
        var latent = LatentSpace.Manifold(name, manifold.ExactEmbedding!, manifold.Symmetry);
        var n = manifold.IntrinsicDim;
        var hidden = stack([zeros(n), ones(n), full(n, 0.5f), cat([zeros(1), ones(n - 1)])]).requires_grad_(true);
        var input = latent.ToDecoderInput(hidden);
        input.square().sum().backward();
        Assert.True(input.isfinite().all().item<bool>(), $"{name}: f(z) not finite on the faces");
        Assert.True(hidden.grad!.isfinite().all().item<bool>(), $"{name}: gradient not finite on the faces: {hidden.grad.ToString(TorchSharp.TensorStringStyle.Numpy)}");
    }
}
