using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// A posterior on the unit sphere S^(p−1) ⊂ R^p itself (no embedding) whose density depends on z only
/// through t = μᵀz, for a mean direction μ and a concentration κ ≥ 0; the prior is uniform on the
/// sphere, and every density is with respect to the sphere's surface measure. Shapes: μ <c>[B, p]</c>,
/// κ <c>[B]</c>, samples <c>[S, B, p]</c>.
/// </summary>
/// <remarks>
/// Sampling is the tangent-normal decomposition z = tμ + √(1 − t²)·v: t from the family's marginal,
/// v uniform on the unit sphere of μ's orthogonal complement, built as y = (t, √(1 − t²)·v′) and moved
/// by a Householder reflection that takes e₁ to μ (or to −μ, then negated: whichever of e₁ ∓ μ is
/// longer, so the reflection is never ill-conditioned). The arithmetic runs in float64, where 1 − t for
/// κ = 10⁵ keeps its digits; samples are returned in the parameters' dtype.
/// </remarks>
public abstract class DirectionalDistribution : LatentDistribution
{
    /// <summary>Creates the distribution from a unit mean direction <c>[B, p]</c> and a concentration <c>[B]</c>.</summary>
    protected DirectionalDistribution(Tensor direction, Tensor concentration)
    {
        if (direction.dim() != 2 || direction.shape[1] < 2)
            throw new ArgumentException($"the mean direction must be [B, p] with p ≥ 2, not [{string.Join(", ", direction.shape)}]", nameof(direction));
        (Direction, Concentration) = (direction, concentration);
    }

    /// <summary>μ, unit vectors, tensor of shape <c>[B, p]</c>.</summary>
    public Tensor Direction { get; }

    /// <summary>κ ≥ 0, tensor of shape <c>[B]</c>; κ = 0 is the uniform distribution.</summary>
    public Tensor Concentration { get; }

    /// <summary>p, the ambient dimension (the sphere is S^(p−1)).</summary>
    public override long Dim => Direction.shape[^1];

    /// <summary>The mean direction μ, <c>[B, p]</c>: a point of the sphere, unlike E[z], which lies inside the ball.</summary>
    public override Tensor Mean => Direction;

    /// <inheritdoc />
    /// <remarks>
    /// From E[zzᵀ] = E[t²] μμᵀ + (1 − E[t²])(I − μμᵀ)/(p − 1) and E[z] = E[t] μ.
    /// </remarks>
    public override Tensor Stddev
    {
        get
        {
            using var scope = NewDisposeScope();
            var (first, second) = MomentsOfT();
            var squared = Direction.to_type(ScalarType.Float64).square();
            var variance = second.unsqueeze(-1) * squared + ((1 - second) / (Dim - 1)).unsqueeze(-1) * (1 - squared) - (first.unsqueeze(-1)).square() * squared;
            return variance.clamp_min(0).sqrt().to_type(Direction.dtype).MoveToOuterDisposeScope();
        }
    }

    /// <summary>log of the prior's density, −log Vol(S^(p−1)).</summary>
    public double LogPrior => -Math.Log(Spheres.Volume((int)Dim - 1));

    /// <inheritdoc />
    public override Tensor RSample(long samples, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return Draw(samples, generator).Value.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override (Tensor Value, Tensor? NoiseLogDensity) RSampleForTraining(long samples, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var draw = Draw(samples, generator);
        return (draw.Value.MoveToOuterDisposeScope(), draw.Marginal.NoiseLogDensity?.to_type(Direction.dtype).MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public override LatentSample RSampleWithDensities(long samples, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var (value, marginal) = Draw(samples, generator);
        var logQ = (LogNormaliser() + LogKernel(marginal.T, marginal.OnePlusT)).to_type(Direction.dtype);
        var result = new LatentSample(value, logQ, full_like(logQ, LogPrior), marginal.NoiseLogDensity?.to_type(Direction.dtype));
        result.Value.MoveToOuterDisposeScope();
        result.LogQ.MoveToOuterDisposeScope();
        result.LogPrior.MoveToOuterDisposeScope();
        result.NoiseLogDensity?.MoveToOuterDisposeScope();
        return result;
    }

    /// <inheritdoc />
    /// <remarks>E[log q] + log Vol(S^(p−1)): log normaliser plus the kernel's expectation, in float64.</remarks>
    public override Tensor KlToPrior()
    {
        using var scope = NewDisposeScope();
        return (LogNormaliser() + ExpectedLogKernel() - LogPrior).to_type(Direction.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The differential entropy −E[log q] on the sphere, closed form, <c>[B]</c> (log Vol(S^(p−1)) minus the KL).</summary>
    public Tensor Entropy()
    {
        using var scope = NewDisposeScope();
        return (-(LogNormaliser() + ExpectedLogKernel())).to_type(Direction.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>log q(z|x) of points <paramref name="z"/> of the sphere, <c>[..., B, p]</c> → <c>[..., B]</c>, float64.</summary>
    public Tensor LogProb(Tensor z)
    {
        using var scope = NewDisposeScope();
        var t = (z.to_type(ScalarType.Float64) * Direction.to_type(ScalarType.Float64)).sum(-1).clamp(-1, 1);
        return (LogNormaliser() + LogKernel(t, 1 + t)).MoveToOuterDisposeScope();
    }

    /// <summary>E[t] and E[t²], t = μᵀz, float64 <c>[B]</c> each.</summary>
    public abstract (Tensor First, Tensor Second) MomentsOfT();

    /// <summary>t = μᵀz for <paramref name="samples"/> draws per row, float64 <c>[S, B]</c>, reparameterised in κ.</summary>
    protected abstract Marginal SampleMarginal(long samples, Generator? generator);

    /// <summary>log of the density's normalising constant, float64 <c>[B]</c>.</summary>
    protected abstract Tensor LogNormaliser();

    /// <summary>log density minus <see cref="LogNormaliser"/> at t (with 1 + t given separately, for precision near t = −1).</summary>
    protected abstract Tensor LogKernel(Tensor t, Tensor onePlusT);

    /// <summary>E[<see cref="LogKernel"/>] under the distribution itself, float64 <c>[B]</c>.</summary>
    protected abstract Tensor ExpectedLogKernel();

    /// <summary>κ in float64.</summary>
    protected Tensor Kappa => Concentration.to_type(ScalarType.Float64);

    private (Tensor Value, Marginal Marginal) Draw(long samples, Generator? generator)
    {
        var marginal = SampleMarginal(samples, generator);
        var mu = Direction.to_type(ScalarType.Float64);
        var tangent = randn([samples, .. mu.shape[..^1], mu.shape[^1] - 1], dtype: ScalarType.Float64, device: mu.device, generator: generator);
        tangent = tangent / linalg.vector_norm(tangent, dims: [-1], keepdim: true).clamp_min(1e-300);
        var y = cat([marginal.T.unsqueeze(-1), marginal.OneMinusTSquared.clamp_min(1e-300).sqrt().unsqueeze(-1) * tangent], -1);
        // σ = ±1 picks the longer of u = e₁ − σμ (|u|² = 2 − 2σμ₁ ≥ 2); σ·(I − 2uuᵀ/|u|²) takes e₁ to μ.
        var sign = where(mu.select(-1, 0) > 0, -1.0, 1.0).unsqueeze(-1);
        var e1 = zeros_like(mu);
        e1.select(-1, 0).fill_(1);
        var u = e1 - sign * mu;
        var reflected = y - 2 * u * ((u * y).sum(-1, keepdim: true) / u.square().sum(-1, keepdim: true));
        return ((sign * reflected).to_type(Direction.dtype), marginal);
    }

    /// <summary>Draws of t = μᵀz with 1 − t² and 1 + t computed without cancellation.</summary>
    /// <param name="T">t, float64 <c>[S, B]</c>.</param>
    /// <param name="OneMinusTSquared">1 − t².</param>
    /// <param name="OnePlusT">1 + t.</param>
    /// <param name="NoiseLogDensity">For a rejection sampler, log π(ε; κ) of the accepted noise (<see cref="LatentSample.NoiseLogDensity"/>); else null.</param>
    protected sealed record Marginal(Tensor T, Tensor OneMinusTSquared, Tensor OnePlusT, Tensor? NoiseLogDensity);
}
