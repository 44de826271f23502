using ManifoldKit.Distributions;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.TestPlugins;

/// <summary>A posterior family from a plugin: the wrapped Cauchy distribution on the circle, <c>latent.posterior: wrapped_cauchy</c>.</summary>
public sealed class WrappedCauchyPlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) => registrar.AddPosteriorFamily("wrapped_cauchy", () => new WrappedCauchyFamily());
}

/// <summary>
/// The wrapped Cauchy family on the unit circle S¹ ⊂ R², with the uniform prior. Three raw outputs per
/// latent: the mean angle μ = atan2(raw₁, raw₀) and the concentration ρ = sigmoid(raw₂) in (0, 1).
/// </summary>
public sealed class WrappedCauchyFamily : IManifoldPosteriorFamily
{
    public string Name => "wrapped_cauchy";

    /// <summary>The unit circle: one intrinsic and two ambient dimensions, length 2π, points of norm 1.</summary>
    public bool Supports(IManifold manifold)
    {
        if (manifold.IntrinsicDim != 1 || manifold.AmbientDim != 2 || manifold.Volume is not { } length || Math.Abs(length - 2 * Math.PI) > 1e-9) return false;
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var norms = linalg.vector_norm(manifold.SampleUniform(64, generator, ScalarType.Float64), dims: [-1]);
        return (norms - 1).abs().max().item<double>() < 1e-9;
    }

    /// <summary><paramref name="dim"/> is the ambient width of a sample, 2 on the circle.</summary>
    public int RawDim(int dim) => dim == 2 ? 3 : throw new ArgumentOutOfRangeException(nameof(dim), dim, "wrapped_cauchy lives on the circle, whose points have 2 coordinates");

    public LatentDistribution Create(Tensor raw) => new WrappedCauchy(atan2(raw.select(-1, 1), raw.select(-1, 0)), raw.select(-1, 2));

    /// <summary>
    /// The spread is the tangent standard deviation √E[sin²(θ − μ)] = √((1 − ρ²)/2), so ρ = √(1 − 2·std²);
    /// the mean angle's two outputs are left as drawn.
    /// </summary>
    public double?[] RawForStd(int dim, double std)
    {
        RawDim(dim);
        if (!(std > 0 && std < 1 / Math.Sqrt(2)))
            throw new ArgumentOutOfRangeException(nameof(std), std, "a wrapped Cauchy posterior's tangent standard deviation lies in (0, 1/√2)");
        var rho = Math.Sqrt(1 - 2 * std * std);
        return [null, null, Math.Log(rho / (1 - rho))];                        // logit ρ
    }

    public Tensor SamplePrior(long count, int dim, Generator? generator)
    {
        RawDim(dim);
        var angle = 2 * Math.PI * rand([count], dtype: get_default_dtype(), generator: generator);
        return stack([angle.cos(), angle.sin()], -1);
    }
}

/// <summary>Wrapped Cauchy posteriors, mean angles μ <c>[B]</c> and ρ = sigmoid(logit) <c>[B]</c>.</summary>
public sealed class WrappedCauchy(Tensor mu, Tensor logit) : LatentDistribution
{
    private Tensor Rho => logit.sigmoid();
    private Tensor OneMinusRho => (-logit).sigmoid();                             // 1 − ρ without cancellation
    private Tensor LogOneMinusRhoSquared => nn.functional.logsigmoid(-logit) + (1 + Rho).log();

    public override long Dim => 2;

    /// <summary>The mean direction (cos μ, sin μ).</summary>
    public override Tensor Mean => stack([mu.cos(), mu.sin()], -1);

    /// <summary>
    /// From E[cos k(θ − μ)] = ρ^k and E[sin k(θ − μ)] = 0: E[cos θ] = ρ cos μ, E[cos² θ] = (1 + ρ² cos 2μ)/2,
    /// so Var cos θ = (1 + ρ² cos 2μ)/2 − ρ² cos² μ, and Var sin θ = (1 − ρ² cos 2μ)/2 − ρ² sin² μ.
    /// </summary>
    public override Tensor Stddev
    {
        get
        {
            var (rho2, cos2Mu) = (Rho.square(), (2 * mu).cos());
            var varCos = (1 + rho2 * cos2Mu) / 2 - rho2 * mu.cos().square();
            var varSin = (1 - rho2 * cos2Mu) / 2 - rho2 * mu.sin().square();
            return stack([varCos, varSin], -1).clamp_min(0).sqrt();
        }
    }

    /// <summary>Inverse CDF, reparameterised in μ and ρ: θ = μ + 2·atan(((1 − ρ)/(1 + ρ))·tan(π(u − ½))), u uniform.</summary>
    public override Tensor RSample(long samples, Generator? generator)
    {
        var u = rand([samples, .. mu.shape], dtype: mu.dtype, device: mu.device, generator: generator);
        var theta = mu + 2 * (OneMinusRho / (1 + Rho) * (Math.PI * (u - 0.5)).tan()).atan();
        return stack([theta.cos(), theta.sin()], -1);
    }

    /// <summary>
    /// log q(θ) = log(1 − ρ²) − log 2π − log(1 + ρ² − 2ρ cos(θ − μ)), the last term as
    /// (1 − ρ)² + ρ|z − (cos μ, sin μ)|², which stays positive when ρ is close to 1.
    /// </summary>
    public override LatentSample RSampleWithDensities(long samples, Generator? generator)
    {
        var z = RSample(samples, generator);
        var gap = (z - Mean).square().sum(-1);
        var logQ = LogOneMinusRhoSquared - Math.Log(2 * Math.PI) - (OneMinusRho.square() + Rho * gap).log();
        return new LatentSample(z, logQ, full_like(logQ, -Math.Log(2 * Math.PI)));
    }

    /// <summary>KL to the uniform prior, −log(1 − ρ²).</summary>
    public override Tensor KlToPrior() => -LogOneMinusRhoSquared;
}
