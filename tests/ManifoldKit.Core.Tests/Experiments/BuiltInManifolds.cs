using ManifoldKit.Manifolds;

namespace ManifoldKit.Core.Tests.Experiments;

/// <summary>The built-in manifolds by name, as the runner's catalogue gives them to <see cref="ManifoldKit.Experiments.ExperimentPlan.Resolve"/>.</summary>
internal static class BuiltInManifolds
{
    public static IManifold Resolve(string name, ManifoldSettings settings) => name switch
    {
        "circle" => new Circle(),
        "sphere" => new Sphere(settings.GetInt32("dim", 2, min: 1)),
        "so3" => new SpecialOrthogonal3(),
        _ => throw new ArgumentException($"unknown manifold '{name}'"),
    };
}
