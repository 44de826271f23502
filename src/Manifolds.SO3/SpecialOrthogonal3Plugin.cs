using ManifoldKit.Geometry;

namespace ManifoldKit.Manifolds;

/// <summary>
/// Registers <see cref="SpecialOrthogonal3"/> as <c>so3</c>. Setting: <c>rotation</c>
/// (<c>gram_schmidt</c>, default, or <c>quaternion</c>).
/// </summary>
public sealed class SpecialOrthogonal3Plugin : IManifoldPlugin
{
    /// <inheritdoc />
    public void Register(IManifoldRegistrar registrar) => registrar.Add("so3", settings =>
    {
        var rotation = settings.GetChoice("rotation", "gram_schmidt", "gram_schmidt", "quaternion");
        return new SpecialOrthogonal3(rotation == "quaternion" ? RotationParameterization.Quaternion : RotationParameterization.GramSchmidt);
    });
}
