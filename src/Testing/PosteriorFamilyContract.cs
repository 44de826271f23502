using FsCheck.Xunit;
using ManifoldKit.Distributions;
using Xunit;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace ManifoldKit.Testing;

/// <summary>
/// Laws of a posterior family that lives on a manifold itself (<see cref="IManifoldPosteriorFamily"/>):
/// it supports the manifold, its samples and its prior's lie on it, its closed-form KL is the mean of
/// log q − log p over its own samples, its prior is the uniform density, <see cref="IPosteriorFamily.RawForStd"/>
/// has the layout <see cref="IPosteriorFamily.Create"/> reads, and everything is finite and differentiable.
/// Inherit it with the family and a manifold it supports:
/// <code>public sealed class VmfOnS2 : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() =&gt; DirectionalFamily.VonMisesFisher(); protected override IManifold CreateManifold() =&gt; new Sphere(2); }</code>
/// Properties run in float64 (one law also in float32) over replayed seeds, on raw parameters
/// randn·s with a per-row scale s log-uniform in [<see cref="MinRawScale"/>, <see cref="MaxRawScale"/>],
/// so concentrations range from near-uniform to sharp.
/// </summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 8, Replay = "(20261130,777)")]
public abstract class PosteriorFamilyContract : ConformanceSuite
{
    private IManifoldPosteriorFamily? family;

    /// <summary>The family under test.</summary>
    protected IManifoldPosteriorFamily Family => family ??= CreateFamily();

    /// <summary>Builds the family under test.</summary>
    protected abstract IManifoldPosteriorFamily CreateFamily();

    /// <summary>Whether the family's prior is the uniform distribution on the manifold (then log p = −log Vol(M) is checked).</summary>
    protected virtual bool UniformPrior => true;

    /// <summary>A spread (tangent standard deviation) the family has a member for, given to <see cref="IPosteriorFamily.RawForStd"/>.</summary>
    protected virtual double Spread => 0.05;

    /// <summary>Smallest scale of the generated raw parameters.</summary>
    protected virtual double MinRawScale => 0.1;

    /// <summary>Largest scale of the generated raw parameters.</summary>
    protected virtual double MaxRawScale => 3;

    /// <summary>Rows per generated batch of raw parameters.</summary>
    protected virtual int BatchSize => 4;

    /// <summary>The ambient dimension m: the width of a sample.</summary>
    protected int Width => Manifold.AmbientDim;

    /// <summary>Raw parameters <c>[B, RawDim(m)]</c>: randn times a per-row scale, log-uniform in [MinRawScale, MaxRawScale].</summary>
    protected Tensor RandomRaw(Generator generator, ScalarType dtype = ScalarType.Float64)
    {
        var logScale = Math.Log(MinRawScale) + rand([BatchSize, 1], dtype: ScalarType.Float64, device: Device, generator: generator) * Math.Log(MaxRawScale / MinRawScale);
        return (randn([BatchSize, Family.RawDim(Width)], dtype: ScalarType.Float64, device: Device, generator: generator) * logScale.exp()).to_type(dtype);
    }

    /// <summary>The family is offered for the suite's manifold: a config could select it there. Guards a Supports that is too strict.</summary>
    [Fact]
    public void Supports_TheManifold() =>
        Assert.True(Family.Supports(Manifold), $"{Family.Name} does not support {Manifold.Name} (intrinsic {Manifold.IntrinsicDim}, ambient {Manifold.AmbientDim})");

    /// <summary>
    /// RSample and RSampleWithDensities return <c>[S, B, m]</c> points of M (Project(z) = z): guards
    /// unnormalised samples, a decoder fed points off the manifold, and a swapped sample/batch axis.
    /// </summary>
    [Property]
    public void Samples_LieOnTheManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var q = Family.Create(RandomRaw(generator));
        Assert.Equal(Width, q.Dim);
        var z = q.RSample(16, generator);
        TensorAssert.Shape(z, [16, BatchSize, Width], "RSample");
        TensorAssert.Close(Manifold.Project(z), z, Tolerance, $"{Family.Name}: RSample vs its projection onto {Manifold.Name}");
        var sample = q.RSampleWithDensities(16, generator);
        TensorAssert.Shape(sample.Value, [16, BatchSize, Width], "RSampleWithDensities value");
        TensorAssert.Shape(sample.LogQ, [16, BatchSize], "log q");
        TensorAssert.Shape(sample.LogPrior, [16, BatchSize], "log p");
        TensorAssert.Close(Manifold.Project(sample.Value), sample.Value, Tolerance, $"{Family.Name}: RSampleWithDensities vs its projection onto {Manifold.Name}");
    }

    /// <summary>
    /// SamplePrior(count, m) returns <c>[count, m]</c> points of M: guards a prior drawn in the wrong
    /// space (the hidden cube, R^m), which generation from the prior would decode. Checked in the
    /// default dtype the family draws in (to 10⁻⁵ when that is float32).
    /// </summary>
    [Property]
    public void PriorSamples_LieOnTheManifold(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var z = Family.SamplePrior(256, Width, generator);
        TensorAssert.Shape(z, [256, Width], "SamplePrior");
        var points = z.to_type(ScalarType.Float64);
        TensorAssert.Close(Manifold.Project(points), points, z.dtype == ScalarType.Float64 ? Tolerance : 1e-5, $"{Family.Name}: prior samples vs their projection onto {Manifold.Name}");
    }

    /// <summary>
    /// KL(q ‖ p) ≥ 0 and equals the Monte Carlo mean of log q − log p over 20,000 of q's own samples,
    /// row by row, within 5 standard errors plus 10⁻⁹: guards a closed form off by a constant or a
    /// factor, a log density that is not normalised (or not the density the sampler draws from), and a
    /// prior that differs from the one the KL assumes.
    /// </summary>
    [Property]
    public void Kl_IsNonNegative_AndMatchesMonteCarlo(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var q = Family.Create(RandomRaw(generator));
        var kl = q.KlToPrior();
        TensorAssert.Shape(kl, [BatchSize], "KlToPrior");
        const int samples = 20_000;
        var sample = q.RSampleWithDensities(samples, generator);
        var terms = sample.LogQ - sample.LogPrior;                                  // [S, B]
        var (mean, error) = (terms.mean([0L]), terms.std(0L) / Math.Sqrt(samples));
        for (var b = 0; b < BatchSize; b++)
        {
            var (exact, estimate, standardError) = (kl[b].item<double>(), mean[b].item<double>(), error[b].item<double>());
            if (!(exact >= -Tolerance))
                throw new XunitException($"{Family.Name} on {Manifold.Name}: KL {exact:G6} is negative (row {b})");
            if (!(Math.Abs(exact - estimate) <= 5 * standardError + 1e-9))
                throw new XunitException($"{Family.Name} on {Manifold.Name}: KL {exact:G8} against Monte Carlo {estimate:G8} ± {standardError:G3} (row {b})");
        }
    }

    /// <summary>
    /// Each coordinate's <see cref="LatentDistribution.Stddev"/> squared equals the variance of 20,000 of
    /// q's samples within 5 standard errors of a sample variance (from the fourth moment) plus 10⁻⁹:
    /// guards a Stddev that states a spread the posterior does not have (plots and reports read it).
    /// </summary>
    [Property]
    public void Stddev_MatchesSamples(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var q = Family.Create(RandomRaw(generator));
        const int samples = 20_000;
        var z = q.RSample(samples, generator);                                       // [S, B, m]
        var centred = (z - z.mean([0L])).square();
        var variance = centred.mean([0L]);
        var error = ((centred.square().mean([0L]) - variance.square()).clamp_min(0) / samples).sqrt();
        var stated = q.Stddev;
        TensorAssert.Shape(stated, [BatchSize, Width], "Stddev");
        var gap = (stated.square() - variance).abs();
        if (!(gap <= 5 * error + 1e-9).all().item<bool>())
            throw new XunitException($"{Family.Name} on {Manifold.Name}: Stddev² {stated.square().ToString(TorchSharp.TensorStringStyle.Numpy)} against sample variances {variance.ToString(TorchSharp.TensorStringStyle.Numpy)}");
    }

    /// <summary>
    /// For a uniform prior (<see cref="UniformPrior"/>), log p(z) = −log Vol(M) at every sample: guards a
    /// prior density taken with respect to the wrong measure (the hidden cube's, or a chart's) or the
    /// wrong volume. Skipped when the manifold states no volume.
    /// </summary>
    [Property]
    public void LogPrior_IsTheUniformDensity(Seed seed)
    {
        if (!UniformPrior || Manifold.Volume is not { } volume) return;
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var sample = Family.Create(RandomRaw(generator)).RSampleWithDensities(16, generator);
        TensorAssert.Close(sample.LogPrior, full_like(sample.LogPrior, -Math.Log(volume)), Tolerance, $"{Family.Name}: log p vs −log Vol({Manifold.Name}) = {-Math.Log(volume):G8}");
    }

    /// <summary>
    /// RawForStd(m, <see cref="Spread"/>) has RawDim(m) entries, and Create from them (nulls filled with
    /// random values, as an encoder's initial bias leaves them) gives a finite posterior; RawForStd(m, 0)
    /// throws <see cref="ArgumentOutOfRangeException"/> (no member is a point mass). Guards an initial
    /// bias of the wrong width or order, which training would read as other parameters.
    /// </summary>
    [Property]
    public void RawForStd_HasTheFamilysLayout(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator(Device);
        var raws = Family.RawForStd(Width, Spread);
        Assert.Equal(Family.RawDim(Width), raws.Length);
        var drawn = randn([BatchSize, raws.Length], dtype: ScalarType.Float64, device: Device, generator: generator);
        var fixedValues = tensor(raws.Select(r => r ?? 0).ToArray(), dtype: ScalarType.Float64, device: Device);
        var isFixed = tensor(raws.Select(r => r.HasValue).ToArray(), device: Device);
        var q = Family.Create(where(isFixed, fixedValues.expand_as(drawn), drawn));
        AssertFinite(q.Mean, "Mean from RawForStd");
        AssertFinite(q.Stddev, "Stddev from RawForStd");
        AssertFinite(q.KlToPrior(), "KL from RawForStd");
        var sample = q.RSampleWithDensities(16, generator);
        AssertFinite(sample.Value, "samples from RawForStd");
        AssertFinite(sample.LogQ, "log q from RawForStd");
        Assert.Throws<ArgumentOutOfRangeException>(() => Family.RawForStd(Width, 0));
    }

    /// <summary>
    /// Samples, Mean, Stddev, log q, log p, KL and the gradient of their sum with respect to the raw
    /// parameters are finite, in float32 and float64, over the whole range of raw scales: guards
    /// overflow at sharp posteriors, 0/0 at broad ones, and a sampler that breaks the gradient.
    /// </summary>
    [Property]
    public void EverythingIsFinite_AndDifferentiable(Seed seed)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var scope = NewDisposeScope();
            using var generator = seed.Generator(Device);
            var raw = RandomRaw(generator, dtype).requires_grad_();
            var q = Family.Create(raw);
            var sample = q.RSampleWithDensities(16, generator);
            var (value, noise) = q.RSampleForTraining(16, generator);
            var kl = q.KlToPrior();
            foreach (var (tensor, what) in new[] { (q.Mean, "Mean"), (q.Stddev, "Stddev"), (sample.Value, "samples"), (sample.LogQ, "log q"), (sample.LogPrior, "log p"), (value, "training samples"), (kl, "KL") })
                AssertFinite(tensor, $"{what} ({dtype})");
            var total = sample.Value.sum() + sample.LogQ.sum() + value.sum() + kl.sum();
            if (sample.NoiseLogDensity is { } logPi) total += logPi.sum();
            if (noise is not null) total += noise.sum();
            total.backward();
            Assert.NotNull(raw.grad);
            AssertFinite(raw.grad!, $"gradient with respect to the raw parameters ({dtype})");
        }
    }

    private void AssertFinite(Tensor tensor, string what)
    {
        if (!isfinite(tensor.detach()).all().item<bool>())
            throw new XunitException($"{Family.Name} on {Manifold.Name}: {what} is not finite: {tensor.detach().ToString(TorchSharp.TensorStringStyle.Numpy)}");
    }
}
