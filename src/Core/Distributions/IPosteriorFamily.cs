using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>Turns unconstrained encoder outputs into a posterior over n latent coordinates.</summary>
public interface IPosteriorFamily
{
    /// <summary>Config name, e.g. <c>beta</c>.</summary>
    string Name { get; }

    /// <summary>Encoder outputs per latent coordinate.</summary>
    int ParametersPerDim { get; }

    /// <summary>Builds the posterior.</summary>
    /// <param name="raw">Tensor of shape <c>[B, ParametersPerDim·n]</c>.</param>
    LatentDistribution Create(Tensor raw);

    /// <summary>
    /// Raw outputs, one per parameter of a coordinate in the order <see cref="Create"/> reads them, that
    /// give every coordinate the standard deviation <paramref name="std"/>: null for a parameter that
    /// only places the posterior (left as drawn), and the Beta families centre it on ½.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The family has no member with that spread.</exception>
    double?[] RawForStd(double std);

    /// <summary>Draws from the prior the family is paired with, <c>[count, dim]</c>.</summary>
    Tensor SamplePrior(long count, int dim, Generator? generator);
}
