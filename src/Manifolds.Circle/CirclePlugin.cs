namespace ManifoldKit.Manifolds;

/// <summary>Registers <see cref="Circle"/> as <c>circle</c>.</summary>
public sealed class CirclePlugin : IManifoldPlugin
{
    /// <inheritdoc />
    public void Register(IManifoldRegistrar registrar) => registrar.Add("circle", _ => new Circle());
}
