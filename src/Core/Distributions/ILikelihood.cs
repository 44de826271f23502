using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// The observation model p(x | decoder output) of one model (<c>architecture.likelihood</c>). It owns
/// any parameters that do not depend on z; the model registers them under their names, so a
/// checkpoint holds them with the network's.
/// </summary>
public interface ILikelihood
{
    /// <summary>Config name, e.g. <c>gaussian</c>.</summary>
    string Name { get; }

    /// <summary>Its own parameters (independent of z), by the name the model registers them under; empty for none.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>log p(x | output), summed over the observed dimensions.</summary>
    /// <param name="x">Observations, <c>[B, D]</c>.</param>
    /// <param name="output">The decoder's outputs, <c>[S, B, D]</c> (or any shape x broadcasts to).</param>
    /// <returns>Shape of <paramref name="output"/> without its last dimension.</returns>
    Tensor LogProb(Tensor x, Tensor output);

    /// <summary>
    /// log p(x | output) with other values of <see cref="Parameters"/> (in their order), e.g. one per
    /// seed stacked along a leading axis that broadcasts against <paramref name="output"/>; a likelihood
    /// without parameters ignores them.
    /// </summary>
    Tensor LogProb(Tensor x, Tensor output, IReadOnlyList<Tensor> parameters);

    /// <summary>E[x | output], the mean observation, for pictures of what the model makes (same shape as <paramref name="output"/>).</summary>
    Tensor Mean(Tensor output);

    /// <summary>
    /// Sets the decoder's output bias and this likelihood's own parameters to the fit of the model that
    /// ignores z, for a batch of data (<c>architecture.observation_init: data</c>); the caller has zeroed
    /// the output layer's weights. Called without gradients.
    /// </summary>
    /// <param name="x">A batch of data, <c>[B, D]</c>, B &gt; 1.</param>
    /// <param name="outputBias">The decoder's output bias, <c>[D]</c>.</param>
    void FitIgnoringZ(Tensor x, Tensor outputBias);

    /// <summary>
    /// Takes its parameters back from the model after a move to another device, which registers new
    /// parameter objects under the same names (and disposes the old ones).
    /// </summary>
    /// <param name="registered">The model's parameter of a name in <see cref="Parameters"/>.</param>
    void Rebind(Func<string, Parameter> registered)
    {
    }
}
