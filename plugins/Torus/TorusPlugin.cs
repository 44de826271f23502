namespace ManifoldKit.Plugins;

/// <summary>Registers <see cref="Torus"/> as <c>torus</c>.</summary>
public sealed class TorusPlugin : IManifoldPlugin
{
    /// <inheritdoc />
    public void Register(IManifoldRegistrar registrar) => registrar.Add("torus", _ => new Torus());
}
