using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// Beta(c, c) per coordinate, c = floor + exp(min(raw, 20)) (<c>beta_centred</c>): every posterior is
/// centred on the cube's middle and the encoder sets only its spread. With a group-action encoder
/// the location on M is then a(x)·f(½) alone, instead of being shared between a(x) and a Beta mean
/// that can wander across the chart's seams. Needs a group action: alone it cannot place anything.
/// </summary>
/// <param name="concentrationFloor">Smallest concentration, keeping samples and the KL finite.</param>
public sealed class CentredBetaFamily(double concentrationFloor = 1e-2) : IPosteriorFamily
{
    /// <inheritdoc />
    public string Name => "beta_centred";

    /// <inheritdoc />
    public int RawDim(int dim) => dim;

    /// <inheritdoc />
    public Tensor SamplePrior(long count, int dim, Generator? generator) => rand([count, dim], device: generator?.device, generator: generator);   // Uniform[0,1]^n

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var concentration = BetaFamily.LogScaleConcentration(raw, concentrationFloor);
        return new BetaProduct(concentration, concentration);
    }

    /// <inheritdoc />
    public double?[] RawForStd(int dim, double std) => PerCoordinate.Layout([BetaFamily.LogScaleRaw(std, concentrationFloor)], dim);
}
