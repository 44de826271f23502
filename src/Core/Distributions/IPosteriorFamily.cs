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
}
