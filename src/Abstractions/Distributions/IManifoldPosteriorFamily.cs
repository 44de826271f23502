namespace ManifoldKit.Distributions;

/// <summary>
/// A posterior family whose samples lie on a manifold itself, in its ambient coordinates R^m, with no
/// embedding f: the decoder sees z (or a(x)·z), the prior is the family's own (usually the uniform
/// distribution), and log q and log p are densities on the manifold. ManifoldKit's von Mises–Fisher and
/// Power Spherical families are two; a plugin can register its own with
/// <see cref="IManifoldRegistrar.AddPosteriorFamily"/>, and a config selects it by name
/// (<c>latent.posterior</c>) for any manifold it <see cref="Supports"/>.
/// </summary>
/// <remarks>
/// The width of a sample (the <c>dim</c> of <see cref="IPosteriorFamily.RawDim"/>,
/// <see cref="IPosteriorFamily.RawForStd"/> and <see cref="IPosteriorFamily.SamplePrior"/>) is the
/// manifold's ambient dimension m. ManifoldKit.Testing's <c>PosteriorFamilyContract</c> checks a family
/// on its manifold.
/// </remarks>
public interface IManifoldPosteriorFamily : IPosteriorFamily
{
    /// <summary>Whether the family lives on <paramref name="manifold"/>, e.g. von Mises–Fisher on unit spheres only.</summary>
    bool Supports(IManifold manifold);
}
