using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>N(μ, diag σ²) with μ = raw₁ and σ = softplus(raw₂) + floor; the prior is N(0, I).</summary>
/// <param name="scaleFloor">Smallest standard deviation, keeping log σ finite.</param>
public sealed class GaussianFamily(double scaleFloor = 1e-4) : IPosteriorFamily
{
    /// <inheritdoc />
    public string Name => "gaussian";

    /// <inheritdoc />
    public int RawDim(int dim) => 2 * dim;

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var halves = raw.chunk(2, dim: -1);
        return new DiagonalGaussian(halves[0], nn.functional.softplus(halves[1]) + scaleFloor);
    }

    /// <inheritdoc />
    public Tensor SamplePrior(long count, int dim, Generator? generator) => randn([count, dim], device: generator?.device, generator: generator);

    /// <inheritdoc />
    public double?[] RawForStd(int dim, double std)
    {
        if (!(std > scaleFloor))
            throw new ArgumentOutOfRangeException(nameof(std), std, $"a Gaussian posterior's standard deviation must exceed {scaleFloor:G3}; 0.05 is a sharp start");
        return PerCoordinate.Layout([null, Softplus.Inverse(std - scaleFloor)], dim);
    }
}
