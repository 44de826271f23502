using FsCheck.Xunit;
using ManifoldKit.Distributions;
using ManifoldKit.Geometry;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Distributions;

/// <summary>
/// The von Mises–Fisher and Power Spherical families (<see cref="DirectionalFamily"/>): their closed
/// forms against Monte Carlo and quadrature, their gradients against finite differences, their
/// symmetry, and their numerics over the whole range of concentrations the family produces.
/// </summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 12, Replay = "(8812345,4433221)")]
public sealed class DirectionalFamilyTests
{
    private static readonly string[] Families = ["vmf", "power_spherical"];

    /// <summary>A distribution of the named family on S^(p−1) for one row: mean direction μ, concentration κ, float64.</summary>
    private static DirectionalDistribution Create(string family, Tensor mu, double kappa) => family == "vmf"
        ? new VonMisesFisher(mu.unsqueeze(0), tensor(new[] { kappa }, dtype: ScalarType.Float64))
        : new PowerSpherical(mu.unsqueeze(0), tensor(new[] { kappa }, dtype: ScalarType.Float64));

    private static Tensor RandomDirection(int p, Generator generator) => Spheres.SampleUniform(1, p - 1, generator, ScalarType.Float64)[0];

    /// <summary>κ log-uniform on [10^lo, 10^hi].</summary>
    private static double LogUniform(Random random, double lo, double hi) => Math.Pow(10, lo + random.NextDouble() * (hi - lo));

    /// <summary>
    /// log S_ν(κ) from <see cref="BesselI"/> equals the power series summed term by term in double, with
    /// as many terms as it needs (up to 2κ + 200), for ν = 0, ½, …, 31 and κ from 10⁻³ to 10⁵: both
    /// the series branch and Debye's expansion beyond κ = 50. Tolerance 10⁻⁹ + 10⁻¹² |value|.
    /// </summary>
    [Property(MaxTest = 40)]
    public void LogScaledBessel_MatchesTheSeries(Seed seed)
    {
        var random = new Random(seed.Value);
        for (var i = 0; i < 10; i++)
        {
            var nu = random.Next(0, 63) / 2.0;
            var kappa = LogUniform(random, -3, i < 5 ? 2.5 : 5);
            var expected = ReferenceLogScaled(nu, kappa);
            using var value = BesselI.LogScaled(nu, tensor(kappa, dtype: ScalarType.Float64));
            var actual = value.item<double>();
            Assert.True(Math.Abs(actual - expected) <= 1e-9 + 1e-12 * Math.Abs(expected), $"ν = {nu}, κ = {kappa:G6}: {actual:R} against {expected:R}");
        }
    }

    /// <summary>
    /// Σ_k (κ²/4)^k Γ(ν+1)/(k! Γ(ν+k+1)) in log space, each term from the last, summed by a running
    /// log-sum-exp that allocates nothing: a list of 2·10⁵ terms forced full garbage collections while
    /// other tests ran libtorch, and one run then met a libtorch "Expected false to be true" (a
    /// finalised temporary scalar is the suspect).
    /// </summary>
    private static double ReferenceLogScaled(double nu, double kappa)
    {
        var logX = 2 * Math.Log(kappa / 2);
        var (term, max, sum) = (0.0, 0.0, 1.0);                               // the k = 0 term is 1
        for (var k = 1; k < 2 * kappa + 200; k++)
        {
            term += logX - Math.Log(k) - Math.Log(nu + k);
            if (term > max) (sum, max) = (sum * Math.Exp(max - term) + 1, term);
            else sum += Math.Exp(term - max);
        }
        return max + Math.Log(sum);
    }

    /// <summary>I_(1/2)(κ) = √(2/(πκ)) sinh κ and I_(3/2)(κ) = √(2/(πκ))(cosh κ − sinh κ / κ): closed forms at half-integer order.</summary>
    [Theory]
    [InlineData(0.5, 0.01)]
    [InlineData(0.5, 3.0)]
    [InlineData(0.5, 49.0)]
    [InlineData(0.5, 51.0)]
    [InlineData(0.5, 600.0)]
    [InlineData(1.5, 0.2)]
    [InlineData(1.5, 80.0)]
    public void LogBessel_MatchesHalfIntegerClosedForms(double nu, double kappa)
    {
        // log sinh κ = κ + log(1 − e^(−2κ)) − log 2, which does not overflow.
        var logSinh = kappa + Math.Log(1 - Math.Exp(-2 * kappa)) - Math.Log(2);
        var logPrefactor = 0.5 * Math.Log(2 / (Math.PI * kappa));
        var expected = nu == 0.5
            ? logPrefactor + logSinh
            : logPrefactor + Math.Log(Math.Cosh(Math.Min(kappa, 700)) - Math.Sinh(Math.Min(kappa, 700)) / kappa);
        using var value = BesselI.Log(nu, tensor(kappa, dtype: ScalarType.Float64));
        Assert.True(Math.Abs(value.item<double>() - expected) < 1e-9 * Math.Max(1, Math.Abs(expected)), $"log I_{nu}({kappa}) = {value.item<double>():R}, expected {expected:R}");
    }

    /// <summary>KL(q ‖ uniform) ≥ 0, 0 at κ = 0 (to rounding), and growing with κ, for p from 2 to 64.</summary>
    [Property]
    public void Kl_IsNonNegative_ZeroAtZeroConcentration_AndGrowsWithIt(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in Families)
        {
            var p = random.Next(2, 65);
            var mu = RandomDirection(p, generator);
            Assert.True(Math.Abs(Create(family, mu, 0).KlToPrior().item<double>()) < 1e-10, $"{family} on S^{p - 1}: KL at κ = 0 is {Create(family, mu, 0).KlToPrior().item<double>():G3}");
            var previous = 0.0;
            foreach (var kappa in new[] { 1e-3, 0.1, 1, 10, 100, 1e3, 1e4, 1e5 })
            {
                var kl = Create(family, mu, kappa).KlToPrior().item<double>();
                Assert.True(kl >= previous - 1e-12, $"{family} on S^{p - 1}: KL {kl:G6} at κ = {kappa} below {previous:G6} at the κ before");
                previous = kl;
            }
            Assert.True(previous > 0, $"{family}: KL at κ = 10⁵ is {previous}");
        }
    }

    /// <summary>
    /// The closed-form KL equals the Monte Carlo mean of log q(z) − log p(z) over 20,000 of the family's
    /// own samples, and the entropy the mean of −log q(z), within 5 standard errors plus 10⁻⁹ (the estimators are exact in expectation), for
    /// random p in 2..20 and κ from 10⁻² to 10⁴; the samples' log q is also the density at the sample.
    /// </summary>
    [Property]
    public void Kl_MatchesMonteCarlo(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in Families)
        {
            var (p, kappa) = (random.Next(2, 21), LogUniform(random, -2, 4));
            var q = Create(family, RandomDirection(p, generator), kappa);
            var sample = q.RSampleWithDensities(20_000, generator);
            var estimate = Statistic.Of(sample.LogQ - sample.LogPrior);
            var exact = q.KlToPrior().item<double>();
            Assert.True(Math.Abs(estimate.Mean - exact) <= estimate.Tolerance + 1e-9, $"{family}, p = {p}, κ = {kappa:G4}: KL {exact:G8}, Monte Carlo {estimate}");
            var entropy = Statistic.Of(-sample.LogQ);
            Assert.True(Math.Abs(entropy.Mean - q.Entropy().item<double>()) <= entropy.Tolerance + 1e-9, $"{family}, p = {p}, κ = {kappa:G4}: entropy {q.Entropy().item<double>():G8}, Monte Carlo {entropy}");
            TensorAssert.Close(q.LogProb(sample.Value), sample.LogQ, 1e-7, $"{family}: log q of the samples");
            TensorAssert.Close(linalg.vector_norm(sample.Value, dims: [-1]), ones_like(sample.LogQ), 1e-12, $"{family}: samples on the sphere");
        }
    }

    /// <summary>
    /// The mean resultant length E[μᵀz] and E[(μᵀz)²] match 20,000 samples within 5 standard errors, as
    /// does each coordinate's <see cref="LatentDistribution.Stddev"/> (to 5 standard errors of a sample
    /// variance, from the fourth moment), for p in 2..20 and κ from 10⁻² to 10⁴.
    /// </summary>
    [Property]
    public void Moments_MatchSamples(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in Families)
        {
            var (p, kappa) = (random.Next(2, 21), LogUniform(random, -2, 4));
            var mu = RandomDirection(p, generator);
            var q = Create(family, mu, kappa);
            var z = q.RSample(20_000, generator).squeeze(1);                     // [N, p]
            var t = z.matmul(mu);
            var (first, second) = q.MomentsOfT();
            foreach (var (values, exact, what) in new[] { (t, first, "E[t]"), (t.square(), second, "E[t²]") })
            {
                var estimate = Statistic.Of(values);
                Assert.True(Math.Abs(estimate.Mean - exact.item<double>()) <= estimate.Tolerance + 1e-12, $"{family}, p = {p}, κ = {kappa:G4}: {what} {exact.item<double>():G8}, samples {estimate}");
            }
            var centred = (z - z.mean([0L])).square();
            var variance = centred.mean([0L]);
            var error = ((centred.square().mean([0L]) - variance.square()).clamp_min(0) / z.shape[0]).sqrt();
            var gap = (q.Stddev[0].square() - variance).abs();
            Assert.True((gap <= 5 * error + 1e-12).all().item<bool>(), $"{family}, p = {p}, κ = {kappa:G4}: variances {q.Stddev[0].square().ToString(TorchSharp.TensorStringStyle.Numpy)} against {variance.ToString(TorchSharp.TensorStringStyle.Numpy)}");
        }
    }

    /// <summary>
    /// The density integrates to 1: on S¹ by the trapezoid rule over the angle (exact to rounding for
    /// vMF's smooth periodic integrand; to 10⁻⁴ for Power Spherical, whose (1 + μᵀz)^κ has a cusp at −μ
    /// for κ not an integer), on S² over height and longitude (Archimedes: dA = dh dφ), for κ from
    /// 10⁻³ to 200, where 4,000 nodes resolve the peak.
    /// </summary>
    [Property]
    public void Density_IntegratesToOne_OnS1AndS2(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in Families)
        {
            var kappa = LogUniform(random, -3, Math.Log10(200));
            const int nodes = 4000;
            var angle = linspace(0, 2 * Math.PI, nodes + 1, dtype: ScalarType.Float64)[..^1];
            var circle = stack([angle.cos(), angle.sin()], -1).unsqueeze(1);
            var onCircle = (Create(family, RandomDirection(2, generator), kappa).LogProb(circle).exp().sum() * (2 * Math.PI / nodes)).item<double>();
            Assert.True(Math.Abs(onCircle - 1) < (family == "vmf" ? 1e-9 : 1e-4), $"{family} on S¹, κ = {kappa:G4}: integral {onCircle:R}");

            // Midpoint rule in height h (the integrand is smooth in h) and trapezoid in φ.
            var h = (arange(nodes, dtype: ScalarType.Float64) + 0.5) / nodes * 2 - 1;
            var phi = linspace(0, 2 * Math.PI, 257, dtype: ScalarType.Float64)[..^1];
            var (hh, pp) = (h.unsqueeze(1).expand(nodes, 256), phi.unsqueeze(0).expand(nodes, 256));
            var r = (1 - hh.square()).sqrt();
            var sphere = stack([r * pp.cos(), r * pp.sin(), hh], -1).reshape(-1, 1, 3);
            var onSphere = (Create(family, RandomDirection(3, generator), kappa).LogProb(sphere).exp().sum() * (2.0 / nodes) * (2 * Math.PI / 256)).item<double>();
            Assert.True(Math.Abs(onSphere - 1) < 1e-4, $"{family} on S², κ = {kappa:G4}: integral {onSphere:R}");
        }
    }

    /// <summary>
    /// Rotating the mean direction rotates the distribution: log q(Rz; Rμ) = log q(z; μ) for random
    /// rotations R and points z (to 10⁻⁷), and the sample mean under Rμ is R times the mean under μ (to 5 standard
    /// errors, 20,000 samples each, with independent noise).
    /// </summary>
    [Property]
    public void MeanDirection_IsEquivariantUnderRotations(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in Families)
        {
            var (p, kappa) = (random.Next(2, 12), LogUniform(random, -1, 3));
            var mu = RandomDirection(p, generator);
            var rotation = new RotationGroupAction(p).SampleHaar(1, generator, ScalarType.Float64)[0];
            var z = Spheres.SampleUniform(64, p - 1, generator, ScalarType.Float64).unsqueeze(1);
            var (q, rotated) = (Create(family, mu, kappa), Create(family, rotation.matmul(mu), kappa));
            // 1e-7: near −μ, Power Spherical's κ/(1 + t) amplifies the rounding of t = μᵀz.
            TensorAssert.Close(rotated.LogProb(z.matmul(rotation.T)), q.LogProb(z), 1e-7, $"{family}: log q(Rz; Rμ)");

            var (a, b) = (q.RSample(20_000, generator).squeeze(1).matmul(rotation.T), rotated.RSample(20_000, generator).squeeze(1));
            var gap = (a.mean([0L]) - b.mean([0L])).abs();
            var error = ((a.var(0L) + b.var(0L)) / 20_000).sqrt();
            Assert.True((gap <= 5 * error + 1e-12).all().item<bool>(), $"{family}, p = {p}, κ = {kappa:G4}: R·E[z] {a.mean([0L]).ToString(TorchSharp.TensorStringStyle.Numpy)} against E[z] under Rμ {b.mean([0L]).ToString(TorchSharp.TensorStringStyle.Numpy)}");
        }
    }

    /// <summary>
    /// The gradient training takes of E[g(z)], g(z) = aᵀz + (bᵀz)², with respect to κ and to the raw
    /// direction (pathwise, plus for vMF the rejection correction <see cref="ManifoldKit.Models.ModelTerms.RejectionCorrection"/>),
    /// matches central finite differences of the exact E[g] = E[t]·aᵀμ + E[t²](bᵀμ)² + (1 − E[t²])(|b|² − (bᵀμ)²)/(p − 1),
    /// within 5 standard errors measured over 20 batches of 5,000 samples, for p in 2..10 and κ from 10⁻¹ to 10³.
    /// </summary>
    [Property(MaxTest = 8)]
    public void ReparameterisationGradient_MatchesFiniteDifferences(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in Families)
        {
            var (p, kappa) = (random.Next(2, 11), LogUniform(random, -1, 3));
            var raw = randn([p], dtype: ScalarType.Float64, generator: generator);
            var (a, b) = (randn([p], dtype: ScalarType.Float64, generator: generator), randn([p], dtype: ScalarType.Float64, generator: generator));
            double Exact(Tensor r, double k)
            {
                using var inner = NewDisposeScope();
                var mu = r / r.norm();
                var (first, second) = Create(family, mu, k).MomentsOfT();
                var bm = b.dot(mu);
                return (first * a.dot(mu) + second * bm.square() + (1 - second) * (b.square().sum() - bm.square()) / (p - 1)).item<double>();
            }
            const int batches = 20;
            var estimates = new double[batches, p + 1];
            for (var i = 0; i < batches; i++)
            {
                using var inner = NewDisposeScope();
                var r = raw.clone().requires_grad_(true);
                var logKappa = tensor(Math.Log(kappa), dtype: ScalarType.Float64).requires_grad_(true);
                var family_ = family == "vmf" ? DirectionalFamily.VonMisesFisher() : DirectionalFamily.PowerSpherical();
                var q = family_.Create(cat([r, logKappa.unsqueeze(0)]).unsqueeze(0));
                var (z, noise) = q.RSampleForTraining(5_000, generator);
                var g = z.matmul(a) + z.matmul(b).square();                        // [S, 1]
                var objective = g.mean();
                var terms = new ManifoldKit.Models.ModelTerms(g, zeros(1, dtype: ScalarType.Float64), null, null, noise);
                if (terms.RejectionCorrection is { } correction) objective += correction;
                objective.backward();
                for (var j = 0; j < p; j++) estimates[i, j] = r.grad![j].item<double>();
                estimates[i, p] = logKappa.grad!.item<double>() / kappa;            // d/dκ
            }
            for (var j = 0; j <= p; j++)
            {
                double expected;
                if (j < p)
                {
                    var step = 1e-6;
                    var (up, down) = (raw.clone(), raw.clone());
                    up[j] += step;
                    down[j] -= step;
                    expected = (Exact(up, kappa) - Exact(down, kappa)) / (2 * step);
                }
                else
                {
                    var step = 1e-5 * kappa;
                    expected = (Exact(raw, kappa + step) - Exact(raw, kappa - step)) / (2 * step);
                }
                var column = Enumerable.Range(0, batches).Select(i => estimates[i, j]).ToArray();
                var mean = column.Average();
                var se = Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Sum() / (batches - 1) / batches);
                Assert.True(Math.Abs(mean - expected) <= 5 * se + 1e-6 * Math.Max(1, Math.Abs(expected)),
                    $"{family}, p = {p}, κ = {kappa:G4}: ∂E[g]/∂{(j < p ? $"raw[{j}]" : "κ")} = {expected:G6} by finite differences, {mean:G6} ± {se:G3} by the sampler");
            }
        }
    }

    /// <summary>
    /// Without the rejection correction the vMF gradient in κ is biased where the acceptance rate is
    /// lowest (p = 3, κ near 1): the pathwise part alone misses the finite-difference value by more
    /// than 5 standard errors, so the correction is what makes the property above hold.
    /// </summary>
    [Fact]
    public void VmfPathwiseGradient_WithoutTheCorrection_IsBiased()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        const double kappa = 1.0;
        var mu = tensor(new[] { 0.0, 0.0, 1.0 }, dtype: ScalarType.Float64);
        var a = tensor(new[] { 0.3, -0.2, 1.0 }, dtype: ScalarType.Float64);
        double Exact(double k) => (Create("vmf", mu, k).MomentsOfT().First * a.dot(mu)).item<double>();
        var expected = (Exact(kappa + 1e-5) - Exact(kappa - 1e-5)) / 2e-5;
        var estimates = new double[20];
        for (var i = 0; i < estimates.Length; i++)
        {
            using var inner = NewDisposeScope();
            var k = tensor(new[] { kappa }, dtype: ScalarType.Float64).requires_grad_(true);
            var z = new VonMisesFisher(mu.unsqueeze(0), k).RSample(20_000, generator);
            z.matmul(a).mean().backward();
            estimates[i] = k.grad![0].item<double>();
        }
        var mean = estimates.Average();
        var se = Math.Sqrt(estimates.Select(v => (v - mean) * (v - mean)).Sum() / 19 / 20);
        Assert.True(Math.Abs(mean - expected) > 5 * se, $"the pathwise gradient alone gave {mean:G6} ± {se:G3}, the exact {expected:G6}: no bias to correct here");
    }

    /// <summary>
    /// No NaN or infinity anywhere a model can reach: κ from 10⁻³ to 10⁵ (log-uniform), p from 2 to 64,
    /// float32 and float64, in samples, log q, log p, the KL, the standard deviations and the gradients
    /// of a loss built from them all.
    /// </summary>
    [Property(MaxTest = 20)]
    public void EverythingStaysFinite_AcrossConcentrationsDimensionsAndDtypes(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        using var generator = seed.Generator();
        foreach (var family in new[] { DirectionalFamily.VonMisesFisher(), DirectionalFamily.PowerSpherical() })
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                var p = random.Next(2, 65);
                var kappas = Enumerable.Range(0, 16).Select(_ => LogUniform(random, -3, 5)).Concat([1e-3, 1e5]).ToArray();
                var raw = cat([randn([kappas.Length, p], dtype: dtype, generator: generator), tensor(kappas.Select(k => Math.Log(k)).ToArray(), dtype: dtype).unsqueeze(1)], 1).requires_grad_(true);
                var q = family.Create(raw);
                var sample = q.RSampleWithDensities(8, generator);
                var (value, noise) = q.RSampleForTraining(8, generator);
                var parts = new[] { sample.Value, sample.LogQ, sample.LogPrior, q.KlToPrior(), q.Stddev, value };
                foreach (var part in parts)
                    Assert.True(part.isfinite().all().item<bool>(), $"{family.Name}, p = {p}, {dtype}: a non-finite value among κ = {string.Join(", ", kappas.Select(k => k.ToString("G3")))}");
                var loss = sample.Value.sum() + sample.LogQ.sum() + q.KlToPrior().sum() + value.sum() + (noise?.sum() ?? zeros(1, dtype: dtype).sum());
                loss.backward();
                Assert.True(raw.grad!.isfinite().all().item<bool>(), $"{family.Name}, p = {p}, {dtype}: a non-finite gradient");
            }
    }

    /// <summary>
    /// <see cref="DirectionalFamily.RawForStd"/> gives the posterior that tangent standard deviation
    /// (√((1 − E[t²])/(p − 1)), to 10⁻⁹ relative) and leaves the direction to the draw; spreads at or
    /// beyond the uniform's 1/√p, or below κ = 10⁵'s, have no member.
    /// </summary>
    [Property]
    public void RawForStd_GivesThatTangentSpread(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        foreach (var family in new[] { DirectionalFamily.VonMisesFisher(), DirectionalFamily.PowerSpherical() })
        {
            var p = random.Next(2, 33);
            var std = Math.Exp(Math.Log(0.01) + random.NextDouble() * (Math.Log(0.9 / Math.Sqrt(p)) - Math.Log(0.01)));
            var layout = family.RawForStd(p, std);
            Assert.Equal(p + 1, layout.Length);
            Assert.All(layout.Take(p), entry => Assert.Null(entry));
            var q = (DirectionalDistribution)family.Create(cat([ones(1, p, dtype: ScalarType.Float64), tensor(new[] { layout[p]!.Value }, dtype: ScalarType.Float64).unsqueeze(0)], 1));
            var spread = Math.Sqrt((1 - q.MomentsOfT().Second.item<double>()) / (p - 1));
            Assert.True(Math.Abs(spread - std) < 1e-9 * std, $"{family.Name}, p = {p}: asked {std:G6}, got {spread:G6}");
            Assert.Throws<ArgumentOutOfRangeException>(() => family.RawForStd(p, 1 / Math.Sqrt(p)));
            Assert.Throws<ArgumentOutOfRangeException>(() => family.RawForStd(p, 1e-4));
        }
    }
}
