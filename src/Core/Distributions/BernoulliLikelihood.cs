using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// x ~ Bernoulli(σ(output)) per dimension: the decoder outputs logits l and
/// log p(x|z) = Σ x·log σ(l) + (1 − x)·log σ(−l), for x in [0, 1] (binary images, dynamically
/// binarised ones included). No parameters of its own.
/// </summary>
public sealed class BernoulliLikelihood : ILikelihood
{
    /// <summary>How far from 0 and 1 the data's mean is clamped before its logit (<see cref="FitIgnoringZ"/>).</summary>
    public const double MeanClamp = 1e-3;

    /// <inheritdoc />
    public string Name => "bernoulli";

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; } = [];

    /// <inheritdoc />
    public Tensor LogProb(Tensor x, Tensor output) =>
        // The fused form is stable for logits of any size, where log(sigmoid(l)) underflows.
        -nn.functional.binary_cross_entropy_with_logits(output, x.expand_as(output), reduction: nn.Reduction.None).sum(-1);

    /// <inheritdoc />
    public Tensor LogProb(Tensor x, Tensor output, IReadOnlyList<Tensor> parameters) => LogProb(x, output);

    /// <inheritdoc />
    public Tensor Mean(Tensor output) => output.sigmoid();

    /// <summary>
    /// The output at the logit of the data's per-dimension mean, clamped to
    /// [<see cref="MeanClamp"/>, 1 − <see cref="MeanClamp"/>]: a dimension never on in the batch
    /// would otherwise start at an infinite logit and cost without bound where it is on.
    /// </summary>
    public void FitIgnoringZ(Tensor x, Tensor outputBias)
    {
        var mean = x.mean([0L]).clamp(MeanClamp, 1 - MeanClamp);
        outputBias.copy_((mean / (1 - mean)).log());
    }
}
