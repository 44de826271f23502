namespace ManifoldKit.Distributions;

/// <summary>softplus(x) = log(1 + eˣ), through which the <c>beta</c> and <c>gaussian</c> families make their raw outputs positive.</summary>
internal static class Softplus
{
    /// <summary>The x with softplus(x) = <paramref name="y"/> &gt; 0, written to stay exact for large y.</summary>
    public static double Inverse(double y) => y + Math.Log(-double.ExpM1(-y));
}
