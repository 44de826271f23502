namespace ManifoldKit;

/// <summary>Receives a plugin's manifolds. Implemented by the host.</summary>
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
}
