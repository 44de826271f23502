using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>N(μ, diag σ²) on R^n with the prior N(0, I).</summary>
public sealed class DiagonalGaussian : LatentDistribution
{
    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Creates the distribution from its mean and standard deviation, each <c>[B, n]</c>.</summary>
    public DiagonalGaussian(Tensor mean, Tensor scale) => (Mean, Scale) = (mean, scale);

    /// <summary>μ, tensor of shape <c>[B, n]</c>.</summary>
    public override Tensor Mean { get; }

    /// <summary>σ &gt; 0, tensor of shape <c>[B, n]</c>.</summary>
    public Tensor Scale { get; }

    /// <inheritdoc />
    public override Tensor Stddev => Scale;

    /// <inheritdoc />
    public override long Dim => Mean.shape[^1];

    /// <inheritdoc />
    public override Tensor RSample(long samples, Generator? generator) =>
        Mean + Scale * randn([samples, .. Mean.shape], dtype: Mean.dtype, device: Mean.device, generator: generator);

    /// <inheritdoc />
    public override LatentSample RSampleWithDensities(long samples, Generator? generator)
    {
        var noise = randn([samples, .. Mean.shape], dtype: Mean.dtype, device: Mean.device, generator: generator);
        var value = Mean + Scale * noise;
        var logQ = (-0.5 * noise.square() - Scale.log() - HalfLogTwoPi).sum(-1);
        var logPrior = (-0.5 * value.square() - HalfLogTwoPi).sum(-1);
        return new LatentSample(value, logQ, logPrior);
    }

    /// <inheritdoc />
    /// <remarks>½ Σ (μ² + σ² − 1 − log σ²).</remarks>
    public override Tensor KlToPrior() => (0.5 * (Mean.square() + Scale.square() - 1) - Scale.log()).sum(-1);
}
