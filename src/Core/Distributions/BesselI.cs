using TorchSharp;
using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// The modified Bessel function of the first kind I_ν(κ), ν ≥ 0, κ ≥ 0, in the log form the von
/// Mises–Fisher family needs: on the tensor's own device, differentiable in κ, finite from κ = 0 to
/// far beyond 10⁵ (where I_ν itself overflows float64). In float64 whatever the input's dtype.
/// </summary>
/// <remarks>
/// Below κ = 50, the power series (100 terms, every one of them kept: the largest is near k = κ/2);
/// above, Debye's uniform asymptotic expansion (DLMF 10.41.3) with four correction terms, whose error
/// there is of order 10⁻¹⁰ for every ν. Each branch sees κ clamped to its own side, so the branch
/// torch.where discards cannot put an infinity or NaN into the gradient.
/// </remarks>
public static class BesselI
{
    private const double SeriesLimit = 50;
    private const int SeriesTerms = 100;

    /// <summary>
    /// log S_ν(κ), where S_ν(κ) = I_ν(κ)·Γ(ν + 1)·(2/κ)^ν = Σ_k (κ²/4)^k Γ(ν + 1) / (k! Γ(ν + k + 1)):
    /// I_ν divided by its leading term, so that S_ν(0) = 1 and κ = 0 needs no special case.
    /// </summary>
    /// <param name="nu">The order ν ≥ 0.</param>
    /// <param name="kappa">κ ≥ 0, any shape.</param>
    /// <returns>Float64 tensor of <paramref name="kappa"/>'s shape.</returns>
    public static Tensor LogScaled(double nu, Tensor kappa)
    {
        if (!(nu >= 0)) throw new ArgumentOutOfRangeException(nameof(nu), nu, "the order must be at least 0");
        using var scope = NewDisposeScope();
        var k = kappa.to_type(ScalarType.Float64);
        var series = Series(nu, k.clamp_max(SeriesLimit));
        var large = k.clamp_min(SeriesLimit);
        var debye = Debye(nu, large) - nu * (large / 2).log() + LogGamma(nu + 1);
        return where(k <= SeriesLimit, series, debye).MoveToOuterDisposeScope();
    }

    /// <summary>log I_ν(κ) (−∞ at κ = 0 for ν &gt; 0).</summary>
    /// <returns>Float64 tensor of <paramref name="kappa"/>'s shape.</returns>
    public static Tensor Log(double nu, Tensor kappa)
    {
        using var scope = NewDisposeScope();
        var k = kappa.to_type(ScalarType.Float64);
        return (LogScaled(nu, k) + nu * (k / 2).log() - LogGamma(nu + 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// I_(ν+1)(κ) / (κ·I_ν(κ)), finite at κ = 0 (where it is 1 / (2(ν + 1))): the ratio behind the von
    /// Mises–Fisher mean resultant length A = κ·(this), without the 0/0 of κ → 0.
    /// </summary>
    /// <param name="nu">The order ν ≥ 0.</param>
    /// <param name="kappa">κ ≥ 0, any shape.</param>
    /// <param name="logScaled"><see cref="LogScaled"/>(ν, κ) when the caller has it already.</param>
    /// <returns>Float64 tensor of <paramref name="kappa"/>'s shape.</returns>
    public static Tensor RatioOverKappa(double nu, Tensor kappa, Tensor? logScaled = null)
    {
        using var scope = NewDisposeScope();
        return ((LogScaled(nu + 1, kappa) - (logScaled ?? LogScaled(nu, kappa))).exp() / (2 * (nu + 1))).MoveToOuterDisposeScope();
    }

    /// <summary>log Γ(x) for x &gt; 0, in double (for constants).</summary>
    public static double LogGamma(double x)
    {
        using var value = tensor(x, dtype: ScalarType.Float64);
        using var result = value.lgamma();
        return result.item<double>();
    }

    // log(1 + Σ_{k≥1} c_k x^k), x = κ²/4: powers rather than exp(k log x), whose gradient at κ = 0 is 0·∞.
    private static Tensor Series(double nu, Tensor kappa)
    {
        var x = (kappa.square() / 4).unsqueeze(-1);
        var powers = arange(1, SeriesTerms + 1, dtype: ScalarType.Float64, device: kappa.device);
        var coefficients = tensor(Coefficients(nu), dtype: ScalarType.Float64, device: kappa.device);
        return (x.pow(powers) * coefficients).sum(-1).log1p();
    }

    // c_k = Γ(ν + 1) / (k! Γ(ν + k + 1)) = Π_{j ≤ k} 1 / (j (ν + j)), accumulated in log space.
    private static double[] Coefficients(double nu)
    {
        var c = new double[SeriesTerms];
        var log = 0.0;
        for (var j = 1; j <= SeriesTerms; j++)
        {
            log -= Math.Log(j) + Math.Log(nu + j);
            c[j - 1] = Math.Exp(log);
        }
        return c;
    }

    // log I_ν(κ) ≈ r + ν log(κ / (ν + r)) − ½ log(2π r) + log Σ u_k(t)/ν^k, r = √(ν² + κ²), t = ν/r;
    // u_k(t)/ν^k = P_k(t²) / r^k, which stays finite at ν = 0 (there it is Hankel's expansion).
    private static Tensor Debye(double nu, Tensor kappa)
    {
        var r = (kappa.square() + nu * nu).sqrt();
        var p = (nu / r).square();
        var u1 = Polynomial(p, 24, 3, -5);
        var u2 = Polynomial(p, 1152, 81, -462, 385);
        var u3 = Polynomial(p, 414720, 30375, -369603, 765765, -425425);
        var u4 = Polynomial(p, 39813120, 4465125, -94121676, 349922430, -446185740, 185910725);
        var correction = (u1 + (u2 + (u3 + u4 / r) / r) / r) / r;
        var exponent = nu == 0 ? r : r + nu * (kappa / (nu + r)).log();
        return exponent - 0.5 * (2 * Math.PI * r).log() + correction.log1p();
    }

    // (c₀ + c₁p + c₂p² + …) / divisor by Horner's rule. Each constant is a Scalar held until its operation
    // returns: TorchSharp does not keep an implicit one alive through the native call, so under heavy
    // allocation the GC may finalise it while libtorch reads it (seen here as c10's "Expected false to be true").
    private static Tensor Polynomial(Tensor p, double divisor, params double[] coefficients)
    {
        using var last = (coefficients[^1] / divisor).ToScalar();
        var sum = p.mul(last);
        for (var i = coefficients.Length - 2; i >= 0; i--)
        {
            using var c = (coefficients[i] / divisor).ToScalar();
            sum = i == 0 ? sum.add(c) : sum.add(c).mul(p);
        }
        return sum;
    }
}
