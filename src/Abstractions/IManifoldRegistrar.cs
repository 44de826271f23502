namespace ManifoldKit;

/// <summary>Receives a plugin's manifolds and data sources. Implemented by the host.</summary>
public interface IManifoldRegistrar
{
    /// <summary>
    /// Registers a manifold under a lowercase name (the YAML value that selects it). The factory
    /// receives the manifold's settings from the experiment config and should reject bad values with
    /// an <see cref="ArgumentException"/> naming the key (see <see cref="ManifoldSettings"/>).
    /// </summary>
    /// <param name="name">Lowercase registry key, e.g. <c>sphere</c>.</param>
    /// <param name="factory">Builds the manifold from its settings.</param>
    /// <returns>This registrar, for chaining.</returns>
    IManifoldRegistrar Add(string name, Func<ManifoldSettings, IManifold> factory);

    /// <summary>
    /// Registers a data source under a lowercase name (the value of <c>data.source</c> that selects it).
    /// The factory receives <c>data.settings</c> from the experiment config and should reject bad values
    /// with an <see cref="ArgumentException"/> naming the key, as a manifold's factory does.
    /// </summary>
    /// <param name="name">Lowercase registry key, e.g. <c>my-images</c>; the built-in sources' names are taken.</param>
    /// <param name="factory">Builds the source from its settings.</param>
    /// <returns>This registrar, for chaining.</returns>
    /// <remarks>A default body, so that a registrar written before data sources (a plugin's test double) still compiles.</remarks>
    IManifoldRegistrar AddDataSource(string name, Func<ManifoldSettings, IDataSource> factory) =>
        throw new NotSupportedException($"this registrar does not take data sources ('{name}').");

    /// <summary>
    /// Registers a posterior family that lives on a manifold itself under a lowercase name (the value of
    /// <c>latent.posterior</c> that selects it), for every manifold it
    /// <see cref="Distributions.IManifoldPosteriorFamily.Supports"/>.
    /// </summary>
    /// <param name="name">Lowercase registry key, e.g. <c>matrix_fisher</c>; the built-in families' names are taken.</param>
    /// <param name="factory">Builds a new instance of the family.</param>
    /// <returns>This registrar, for chaining.</returns>
    /// <remarks>A default body, so that a registrar written before posterior families (a plugin's test double) still compiles.</remarks>
    IManifoldRegistrar AddPosteriorFamily(string name, Func<Distributions.IManifoldPosteriorFamily> factory) =>
        throw new NotSupportedException($"this registrar does not take posterior families ('{name}').");
}
