using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// Turns unconstrained encoder outputs into a posterior whose samples have n coordinates: n latent
/// coordinates (R^n, or ER's hidden cube), or the m ambient coordinates of a manifold for a family that
/// lives on the manifold itself (<see cref="IManifoldPosteriorFamily"/>, e.g. von Mises–Fisher on a sphere).
/// </summary>
public interface IPosteriorFamily
{
    /// <summary>Config name, e.g. <c>beta</c>.</summary>
    string Name { get; }

    /// <summary>Encoder outputs the family reads for samples of <paramref name="dim"/> coordinates.</summary>
    int RawDim(int dim);

    /// <summary>Builds the posterior.</summary>
    /// <param name="raw">Tensor of shape <c>[B, RawDim(n)]</c>.</param>
    LatentDistribution Create(Tensor raw);

    /// <summary>
    /// The raw outputs, <see cref="RawDim"/>(<paramref name="dim"/>) of them in the order <see cref="Create"/>
    /// reads them, that give the posterior the spread <paramref name="std"/> (every coordinate's standard
    /// deviation; a directional family's in each tangent direction): null for an output that only places
    /// the posterior (left as drawn), and the Beta families centre it on ½.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The family has no member with that spread.</exception>
    double?[] RawForStd(int dim, double std);

    /// <summary>Draws from the prior the family is paired with, <c>[count, dim]</c>.</summary>
    Tensor SamplePrior(long count, int dim, Generator? generator);
}
