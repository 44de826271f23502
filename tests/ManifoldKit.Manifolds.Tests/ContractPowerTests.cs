using ManifoldKit.Geometry;
using ManifoldKit.Testing;
using Xunit;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace ManifoldKit.Manifolds.Tests;

/// <summary>
/// Laws run on deliberately broken plugins must fail, naming what broke (a law that cannot fail
/// checks nothing). The suites are private, so xunit does not run them as tests of their own.
/// </summary>
public sealed class ContractPowerTests
{
    /// <summary>
    /// The unit circle f(z) = (cos 2πz, sin 2πz) with a correct closed-form metric (2π)², whose Embed
    /// optionally has the right values but a doubled derivative: y = f(z).detach() + (2f(z) − 2f(z).detach()).
    /// </summary>
    private sealed class DetachedCircle(bool wrongGradient) : IManifold, IExactEmbedding
    {
        public string Name => "detached_circle";
        public int IntrinsicDim => 1;
        public int AmbientDim => 2;
        public int HiddenDim => 1;
        public double? Volume => 2 * Math.PI;
        public IExactEmbedding? ExactEmbedding => this;
        public IGroupAction? Symmetry => null;

        public Tensor SampleUniform(long count, Generator? generator = null, ScalarType dtype = ScalarType.Float32) =>
            Embed(rand([count, 1], dtype: dtype, generator: generator));

        public Tensor Project(Tensor ambient) => Spheres.Project(ambient);

        public Tensor Embed(Tensor hidden)
        {
            var f = cat([(2 * Math.PI * hidden).cos(), (2 * Math.PI * hidden).sin()], dim: -1);
            return wrongGradient ? f.detach() + (2 * f - (2 * f).detach()) : f;
        }

        public Tensor Chart(Tensor point) => remainder(atan2(point.select(-1, 1), point.select(-1, 0)) / (2 * Math.PI), 1.0).unsqueeze(-1);

        public Tensor MetricTensor(Tensor hidden) => full([.. hidden.shape[..^1], 1, 1], 4 * Math.PI * Math.PI, dtype: hidden.dtype);
    }

    private sealed class DetachedCircleEmbedding(bool wrongGradient) : ExactEmbeddingContract
    {
        protected override IManifold CreateManifold() => new DetachedCircle(wrongGradient);
    }

    [Fact]
    public void FiniteDifferenceLaw_PassesOnTheCorrectCircle() =>
        new DetachedCircleEmbedding(wrongGradient: false).MetricTensor_MatchesFiniteDifferences(new Seed(1));

    /// <summary>
    /// The closed form matches finite differences (what the law checked before), so the failure is
    /// the autograd arm's: its message names autograd, and it is reached only after the MetricTensor arm passed.
    /// </summary>
    [Fact]
    public void FiniteDifferenceLaw_FailsWhenAutogradSeesAnotherMap()
    {
        var error = Assert.Throws<XunitException>(() => new DetachedCircleEmbedding(wrongGradient: true).MetricTensor_MatchesFiniteDifferences(new Seed(1)));
        Assert.StartsWith("autograd JᵀJ vs finite differences", error.Message);
    }
}
