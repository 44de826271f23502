using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// x ~ N(output, σ²) per dimension, with a learned log σ per dimension independent of z (the
/// protocol's likelihood, docs/protocol.md), started at log σ = 0.
/// </summary>
public sealed class GaussianLikelihood : ILikelihood
{
    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    private Parameter logScale;

    /// <summary>A likelihood for <paramref name="observedDim"/> dimensions.</summary>
    public GaussianLikelihood(int observedDim)
    {
        logScale = nn.Parameter(zeros(observedDim));
        // "logScale": the name checkpoints written before this type existed hold it under.
        Parameters = [("logScale", logScale)];
    }

    /// <inheritdoc />
    public string Name => "gaussian";

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; private set; }

    /// <inheritdoc />
    public void Rebind(Func<string, Parameter> registered)
    {
        logScale = registered("logScale");
        Parameters = [("logScale", logScale)];
    }

    /// <inheritdoc />
    public Tensor Mean(Tensor output) => output;

    /// <inheritdoc />
    public Tensor LogProb(Tensor x, Tensor output) => LogProb(x, output, [logScale]);

    /// <inheritdoc />
    public Tensor LogProb(Tensor x, Tensor output, IReadOnlyList<Tensor> parameters)
    {
        var logScale = parameters[0];
        // The terms without the output summed over dimensions once, not per sample: a third of the passes
        // over [.., samples, points, D], which are most of this likelihood's cost.
        return -0.5 * ((x - output) * (-logScale).exp()).square().sum(-1) - (logScale.sum(-1) + logScale.shape[^1] * HalfLogTwoPi);
    }

    /// <summary>The output at the data's per-dimension mean and σ at its standard deviation.</summary>
    public void FitIgnoringZ(Tensor x, Tensor outputBias)
    {
        outputBias.copy_(x.mean([0L]));
        logScale.copy_(x.std(0).clamp_min(1e-6).log());
    }
}
