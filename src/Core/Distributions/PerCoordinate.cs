namespace ManifoldKit.Distributions;

/// <summary>The layout of the families with the same parameters for every coordinate.</summary>
internal static class PerCoordinate
{
    /// <summary>
    /// Raw outputs for <paramref name="dim"/> coordinates from one value per parameter: each parameter's
    /// block of <paramref name="dim"/> outputs, in order (how the coordinate-wise families read theirs).
    /// </summary>
    public static double?[] Layout(double?[] perParameter, int dim) => [.. perParameter.SelectMany(value => Enumerable.Repeat(value, dim))];
}
