using static TorchSharp.torch;

namespace ManifoldKit.Statistics;

/// <summary>
/// A permutation two-sample test on the maximum mean discrepancy (Gretton et al., JMLR 2012) with a
/// Gaussian kernel whose bandwidth is the median pooled distance. The p-value is
/// (1 + #{permuted MMD² ≥ observed}) / (1 + permutations): exact under the null hypothesis for any
/// distribution and sample size, so with a fixed seed a test rejecting at p ≤ α is deterministic
/// and its false-alarm rate is α.
/// </summary>
public static class TwoSampleTest
{
    /// <summary>The suites' false-alarm rate: 1 in 1,000.</summary>
    public const double Alpha = 1e-3;

    /// <summary>Permutations per test: enough to resolve p-values down to <see cref="Alpha"/>/2.</summary>
    public const int Permutations = 1999;

    /// <summary>The result: the observed MMD² and its permutation p-value.</summary>
    public readonly record struct Result(double MmdSquared, double PValue)
    {
        /// <summary>Whether the samples differ at level <see cref="Alpha"/>.</summary>
        public bool Rejects => PValue <= Alpha;

        /// <inheritdoc />
        public override string ToString() => $"MMD² = {MmdSquared:G4}, p = {PValue:G4} (reject at p ≤ {Alpha})";
    }

    /// <summary>Runs the test on two samples of equal size.</summary>
    /// <param name="x">Tensor of shape <c>[m, d]</c>.</param>
    /// <param name="y">Tensor of shape <c>[m, d]</c>.</param>
    /// <param name="seed">Seed of the permutations.</param>
    public static Result Run(Tensor x, Tensor y, ulong seed = 0)
    {
        if (x.shape[0] != y.shape[0]) throw new ArgumentException("both samples need the same size.");
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed);
        var m = x.shape[0];
        var pooled = cat([x, y], 0).to_type(ScalarType.Float64);
        var squared = cdist(pooled, pooled).pow(2);
        var kernel = exp(-squared / (2 * squared.flatten().median()));
        // MMD_b² of a split is sᵀKs with s = +1/m on one side and −1/m on the other.
        var observed = cat([full(m, 1.0 / m, dtype: ScalarType.Float64, device: pooled.device), full(m, -1.0 / m, dtype: ScalarType.Float64, device: pooled.device)]);
        var keys = rand([Permutations, 2 * m], dtype: ScalarType.Float64, generator: generator).to(pooled.device);   // the CPU stream, wherever the samples are
        var splits = observed.expand(Permutations, 2 * m).gather(1, keys.argsort(1)).T; // [2m, P]
        var permuted = (splits * kernel.matmul(splits)).sum(dim: 0);             // [P]; dim: named, a bare 0 binds to sum(ScalarType)
        var statistic = observed.dot(kernel.matmul(observed)).item<double>();
        var atLeast = (permuted >= statistic).sum().item<long>();
        return new Result(statistic, (1.0 + atLeast) / (1 + Permutations));
    }
}
