namespace ManifoldKit;

/// <summary>
/// The entry point of a manifold plugin assembly: a public type with a parameterless constructor that
/// registers its manifolds by name. The host finds it by reflection and maps the registrations onto
/// its own dependency-injection container, so a plugin never depends on a DI version.
/// </summary>
/// <example>
/// <code>
/// public sealed class CirclePlugin : IManifoldPlugin
/// {
///     public void Register(IManifoldRegistrar registrar) =&gt; registrar.Add("circle", _ =&gt; new Circle());
/// }
/// </code>
/// </example>
public interface IManifoldPlugin
{
    /// <summary>Adds this plugin's manifolds to <paramref name="registrar"/>.</summary>
    void Register(IManifoldRegistrar registrar);
}
