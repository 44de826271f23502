using FsCheck.Xunit;
using ManifoldKit.Distributions;
using ManifoldKit.Manifolds;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Kl;

/// <summary>
/// The paper's appendix: the KL between the induced posterior and prior on the manifold equals
/// the KL in the hidden space, computed here by routes that share nothing with the hidden-space
/// closed form.
/// </summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 12)]
public sealed class KlCancellationTests
{
    private static readonly IManifold[] Manifolds = [new Circle(), new Sphere(2), new SpecialOrthogonal3()];

    /// <summary>
    /// Appendix 5.3. For a random Beta posterior on [0,1]^n and each built-in exact embedding f:
    /// sample points x = f(z) on M, then from x alone compute the manifold densities
    /// q_M(x) = q(f⁻¹(x)) |det G(f⁻¹(x))|^(−1/2) (inverse chart, metric tensor by autograd, Beta
    /// density by its formula) and p_M(x) = 1 / Vol(M) (the manifold's known volume). The Monte-Carlo
    /// mean of log q_M − log p_M must equal the hidden-space closed form within 5 standard errors.
    /// </summary>
    [Property]
    public void Kl_OnManifold_EqualsHiddenSpaceKl(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        foreach (var manifold in Manifolds)
        {
            var f = manifold.ExactEmbedding!;
            var n = f.HiddenDim;
            var a = Enumerable.Range(0, n).Select(_ => 1.5 + 40 * random.NextDouble()).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => 1.5 + 40 * random.NextDouble()).ToArray();
            var posterior = new BetaProduct(tensor(a).unsqueeze(0), tensor(b).unsqueeze(0));
            var hiddenKl = posterior.KlToPrior().item<double>();

            var points = f.Embed(posterior.RSample(20_000, seed.Generator()).squeeze(1));  // [S, m] on M
            var codes = f.Chart(points);                                                       // [S, n]
            var alpha = tensor(a);
            var beta = tensor(b);
            var logQHidden = ((alpha - 1) * codes.log() + (beta - 1) * (1 - codes).log()
                              - (alpha.lgamma() + beta.lgamma() - (alpha + beta).lgamma())).sum(-1);
            var logVolumeElement = ((IEmbedding)new ByAutograd(f)).LogVolumeElement(codes);
            var logQManifold = logQHidden - logVolumeElement;
            var logPManifold = -Math.Log(manifold.Volume!.Value);
            var estimate = Statistic.Of(logQManifold - logPManifold);
            Assert.True(Math.Abs(estimate.Mean - hiddenKl) <= estimate.Tolerance,
                $"{manifold.Name}, Beta({string.Join(", ", a.Select(v => v.ToString("G3")))} | {string.Join(", ", b.Select(v => v.ToString("G3")))}): KL on M {estimate}, hidden KL {hiddenKl:G6}");
        }
    }

    /// <summary>f with its closed forms stripped: the metric, so the volume element, comes from autograd.</summary>
    private sealed class ByAutograd(IEmbedding f) : IEmbedding
    {
        public int HiddenDim => f.HiddenDim;
        public int AmbientDim => f.AmbientDim;
        public Tensor Embed(Tensor hidden) => f.Embed(hidden);
    }

    /// <summary>
    /// Appendix 5.2, for a square diffeomorphism y = A z + c of R^n: the KL between the pushed
    /// Gaussians N(Aμ + c, A diag(σ²) Aᵀ) and N(c, A Aᵀ), by the full-covariance formula in y-space,
    /// equals the diagonal Gaussian KL in z-space, for random invertible A.
    /// </summary>
    [Property(MaxTest = 50)]
    public void Kl_UnderInvertibleAffineMap_IsUnchanged(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        const int n = 4;
        var mu = randn([n], dtype: ScalarType.Float64, generator: generator);
        var sigma = exp(0.5 * randn([n], dtype: ScalarType.Float64, generator: generator));
        var (q1, _) = linalg.qr(randn([n, n], dtype: ScalarType.Float64, generator: generator));
        var (q2, _) = linalg.qr(randn([n, n], dtype: ScalarType.Float64, generator: generator));
        var a = q1.matmul(diag(exp(randn([n], dtype: ScalarType.Float64, generator: generator)))).matmul(q2);
        var c = randn([n], dtype: ScalarType.Float64, generator: generator);

        var m1 = a.matmul(mu) + c;
        var s1 = a.matmul(diag(sigma.square())).matmul(a.T);
        var m2 = c;
        var s2 = a.matmul(a.T);
        var difference = (m2 - m1).unsqueeze(-1);
        var yKl = 0.5 * (linalg.solve(s2, s1).trace() + difference.T.matmul(linalg.solve(s2, difference)).squeeze()
                         - n + linalg.slogdet(s2).Item2 - linalg.slogdet(s1).Item2);
        var zKl = new DiagonalGaussian(mu.unsqueeze(0), sigma.unsqueeze(0)).KlToPrior().squeeze();
        TensorAssert.Close(yKl, zKl, 1e-8 * (1 + zKl.abs().item<double>()), "KL after y = Az + c vs KL in z");
    }
}
