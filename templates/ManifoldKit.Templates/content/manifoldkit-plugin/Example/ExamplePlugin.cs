using ManifoldKit;

namespace Example;

/// <summary>
/// What ManifoldKit finds in this assembly: a public class with a parameterless constructor. The name
/// registered is what a config writes (`latent: {manifold: example}`); the factory receives the
/// config's manifold_settings (read them with ManifoldSettings.GetInt32 and GetChoice).
/// </summary>
public sealed class ExamplePlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) => registrar.Add("example", _ => new ExampleManifold());
}
