using ManifoldKit.Geometry;

namespace ManifoldKit.Manifolds;

/// <summary>
/// Registers <see cref="Sphere"/> as <c>sphere</c>. Settings: <c>dim</c> (n, default 2) and
/// <c>rotation</c> (<c>gram_schmidt</c>, default, or <c>quaternion</c> for n = 2).
/// </summary>
public sealed class SpherePlugin : IManifoldPlugin
{
    /// <inheritdoc />
    public void Register(IManifoldRegistrar registrar) => registrar.Add("sphere", settings =>
    {
        var dim = settings.GetInt32("dim", 2, min: 1, max: 1024);
        var rotation = settings.GetChoice("rotation", "gram_schmidt", "gram_schmidt", "quaternion");
        return new Sphere(dim, rotation == "quaternion" ? RotationParameterization.Quaternion : RotationParameterization.GramSchmidt);
    });
}
