using System.Globalization;
using ManifoldKit.Geometry;
using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// A posterior on a unit sphere S^n itself, sampled in its ambient R^(n+1) with no embedding:
/// von Mises–Fisher (<c>vmf</c>) or Power Spherical (<c>power_spherical</c>), with the uniform prior.
/// Raw outputs per latent: n + 1 for the mean direction μ = raw/|raw|, then one for the
/// concentration κ = exp(min(raw, log 10⁵)), a log scale as <c>beta_log</c> uses, so Adam moves a
/// sharp posterior as easily as a broad one; the cap keeps κ in the range the properties check.
/// </summary>
public sealed class DirectionalFamily : IManifoldPosteriorFamily
{
    /// <summary>The largest concentration the family produces.</summary>
    public const double MaxConcentration = 1e5;

    private readonly bool vonMisesFisher;

    private DirectionalFamily(bool vonMisesFisher) => this.vonMisesFisher = vonMisesFisher;

    /// <summary>The von Mises–Fisher family, <c>vmf</c>.</summary>
    public static DirectionalFamily VonMisesFisher() => new(vonMisesFisher: true);

    /// <summary>The Power Spherical family, <c>power_spherical</c>.</summary>
    public static DirectionalFamily PowerSpherical() => new(vonMisesFisher: false);

    /// <inheritdoc />
    /// <remarks>
    /// Whether <paramref name="manifold"/> is a unit sphere S^n ⊂ R^(n+1), the only place these families
    /// live: one more ambient dimension than intrinsic, the unit sphere's volume, and uniform points of
    /// norm 1. Any plugin's manifold that is one qualifies (the built-in circle and sphere do).
    /// </remarks>
    public bool Supports(IManifold manifold)
    {
        var n = manifold.IntrinsicDim;
        if (manifold.AmbientDim != n + 1 || manifold.Volume is not { } volume || Math.Abs(volume - Spheres.Volume(n)) > 1e-9 * volume) return false;
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var norms = linalg.vector_norm(manifold.SampleUniform(64, generator, ScalarType.Float64), dims: [-1]);
        return (norms - 1).abs().max().item<double>() < 1e-9;
    }

    /// <inheritdoc />
    public string Name => vonMisesFisher ? "vmf" : "power_spherical";

    /// <inheritdoc />
    /// <remarks><paramref name="dim"/> is p = n + 1, the ambient width of a sample.</remarks>
    public int RawDim(int dim) => dim + 1;

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var p = raw.shape[^1] - 1;
        var location = raw.narrow(-1, 0, p);
        var direction = location / linalg.vector_norm(location, dims: [-1], keepdim: true).clamp_min(1e-12);
        var kappa = raw.select(-1, p).clamp_max(Math.Log(MaxConcentration)).exp();
        return Distribution(direction, kappa);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The spread of a directional posterior is its standard deviation in each tangent direction,
    /// √((1 − E[t²]) / (p − 1)), about 1/√κ when sharp: the κ that gives <paramref name="std"/> is found
    /// by bisection. The direction's entries are left as drawn.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">No κ up to 10⁵ gives that spread.</exception>
    public double?[] RawForStd(int dim, double std)
    {
        var largest = 1 / Math.Sqrt(dim);                                    // κ = 0: E[t²] = 1/p
        var smallest = Math.Sqrt(TangentVariance(MaxConcentration, dim));
        if (!(std > smallest && std < largest))
            throw new ArgumentOutOfRangeException(nameof(std), std, string.Create(CultureInfo.InvariantCulture,
                $"a {Name} posterior's tangent standard deviation on S^{dim - 1} must lie between {smallest:G3} (κ = 10⁵) and {largest:G4} (the uniform prior's); 0.05 is a sharp start"));
        // 64 halvings of an interval 30 wide in log κ leave it far below double precision.
        var (low, high) = (Math.Log(1e-8), Math.Log(MaxConcentration));
        for (var i = 0; i < 64; i++)
        {
            var middle = (low + high) / 2;
            if (Math.Sqrt(TangentVariance(Math.Exp(middle), dim)) > std) low = middle; else high = middle;
        }
        return [.. Enumerable.Repeat<double?>(null, dim), (low + high) / 2];
    }

    /// <inheritdoc />
    /// <remarks><paramref name="dim"/> is p: uniform points of S^(p−1).</remarks>
    public Tensor SamplePrior(long count, int dim, Generator? generator) => Spheres.SampleUniform(count, dim - 1, generator, get_default_dtype());

    private DirectionalDistribution Distribution(Tensor direction, Tensor kappa) =>
        vonMisesFisher ? new VonMisesFisher(direction, kappa) : new PowerSpherical(direction, kappa);

    /// <summary>(1 − E[t²]) / (p − 1) at concentration <paramref name="kappa"/> on S^(p−1), from the family's own moments.</summary>
    private double TangentVariance(double kappa, int p)
    {
        using var scope = NewDisposeScope();
        var second = Distribution(eye(1, p, dtype: ScalarType.Float64), tensor(new[] { kappa }, dtype: ScalarType.Float64)).MomentsOfT().Second;
        return (1 - second.item<double>()) / (p - 1);
    }
}
