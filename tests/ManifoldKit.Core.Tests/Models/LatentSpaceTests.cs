using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
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

    /// <summary>
    /// Codes on the faces still pass their gradient on: d f(z)/dz there equals f's derivative just
    /// inside the cube, not 0 (a plain clamp would cut every sample beyond the margin off from the
    /// reparameterisation gradient). On the circle, |f'(z)| = 2π everywhere.
    /// </summary>
    [Fact]
    public void CodesOnTheFaces_PassTheirGradientOn()
    {
        using var scope = NewDisposeScope();
        var circle = new Circle();
        var latent = LatentSpace.Manifold("circle", circle.ExactEmbedding);
        var hidden = tensor(new[] { 0.0, 1.0, 0.5 }, dtype: ScalarType.Float64).unsqueeze(-1).requires_grad_(true);
        var input = latent.ToDecoderInput(hidden);
        var x = input.detach();
        var tangent = stack([-x.select(-1, 1), x.select(-1, 0)], dim: -1);   // the circle's unit tangent at f(z)
        var along = autograd.grad([(input * tangent).sum()], [hidden])[0].squeeze(-1);
        TensorAssert.Close(along.abs(), full_like(along, 2 * Math.PI), 1e-6, "gradient along the tangent");
    }
}
