using static TorchSharp.torch;

namespace ManifoldKit.Geometry;

/// <summary>Formulas for unit spheres S^n ⊂ R^(n+1) that the circle and sphere plugins share.</summary>
public static class Spheres
{
    /// <summary>
    /// x / |x|. The origin, where every point of the sphere is nearest, goes to the base point e₁.
    /// </summary>
    /// <param name="ambient">Tensor of shape <c>[..., n+1]</c>.</param>
    /// <returns>Tensor of shape <c>[..., n+1]</c> of unit vectors.</returns>
    public static Tensor Project(Tensor ambient)
    {
        using var scope = NewDisposeScope();
        var norm = linalg.vector_norm(ambient, dims: [-1], keepdim: true);
        var basePoint = zeros_like(ambient);
        basePoint.select(-1, 0).fill_(1);
        return where(norm > 0, ambient / norm.clamp_min(double.Epsilon), basePoint).MoveToOuterDisposeScope();
    }

    /// <summary>Uniform points: normalised standard Gaussian vectors.</summary>
    /// <returns>Tensor of shape <c>[count, n+1]</c>.</returns>
    public static Tensor SampleUniform(long count, int n, Generator? generator, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var gaussian = randn([count, n + 1], dtype: ScalarType.Float64, device: generator?.device, generator: generator);
        return Project(gaussian).to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Surface volume of S^n: 2 π^((n+1)/2) / Γ((n+1)/2).</summary>
    public static double Volume(int n) => n switch
    {
        0 => 2,
        1 => 2 * Math.PI,
        _ => 2 * Math.PI / (n - 1) * Volume(n - 2),
    };
}
