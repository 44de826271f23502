using static TorchSharp.torch;

namespace ManifoldKit.Distributions;

/// <summary>
/// The posterior of a product latent: each factor's family on its own slice of the encoder's raw
/// outputs, so the posterior factorises over the factors (<see cref="ProductDistribution"/>).
/// </summary>
/// <param name="factors">Each factor's family and its latent dimension, in order.</param>
public sealed class ProductFamily(IReadOnlyList<(IPosteriorFamily Family, int Dim)> factors) : IPosteriorFamily
{
    /// <summary>Each factor's family and dimension.</summary>
    public IReadOnlyList<(IPosteriorFamily Family, int Dim)> Factors { get; } = factors;

    /// <inheritdoc />
    public string Name => string.Join(" × ", Factors.Select(f => f.Family.Name));

    /// <inheritdoc />
    /// <remarks>The factors' own counts added up; <paramref name="dim"/> must be the factors' total.</remarks>
    public int RawDim(int dim) => dim == Factors.Sum(f => f.Dim)
        ? Factors.Sum(f => f.Family.RawDim(f.Dim))
        : throw new ArgumentException($"a product of {Factors.Sum(f => f.Dim)} coordinates was asked for {dim}", nameof(dim));

    /// <inheritdoc />
    public LatentDistribution Create(Tensor raw)
    {
        var parts = new List<LatentDistribution>(Factors.Count);
        var offset = 0L;
        foreach (var (family, dim) in Factors)
        {
            var width = family.RawDim(dim);
            parts.Add(family.Create(raw.narrow(-1, offset, width)));
            offset += width;
        }
        return new ProductDistribution(parts);
    }

    /// <inheritdoc />
    /// <remarks>Each factor's layout in turn, as <see cref="Create"/> reads them.</remarks>
    public double?[] RawForStd(int dim, double std) => [.. Factors.SelectMany(f => f.Family.RawForStd(f.Dim, std))];

    /// <summary>Each factor's prior on its own coordinates, side by side: the prior of a product is the product of the priors.</summary>
    public Tensor SamplePrior(long count, int dim, Generator? generator)
    {
        if (dim != Factors.Sum(f => f.Dim)) throw new ArgumentException($"a product of {Factors.Sum(f => f.Dim)} coordinates was asked for {dim}", nameof(dim));
        using var scope = NewDisposeScope();
        return cat([.. Factors.Select(f => f.Family.SamplePrior(count, f.Dim, generator))], dim: -1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A posterior that factorises over a product's factors: samples are the factors' side by side, and
/// log q, log p and the KL are sums over the factors (each factor's own hidden-space terms).
/// </summary>
public sealed class ProductDistribution(IReadOnlyList<LatentDistribution> parts) : LatentDistribution
{
    /// <summary>The factors' posteriors, in order.</summary>
    public IReadOnlyList<LatentDistribution> Parts { get; } = parts;

    /// <inheritdoc />
    public override long Dim => Parts.Sum(p => p.Dim);

    /// <inheritdoc />
    public override Tensor Mean => Join(Parts.Select(p => p.Mean));

    /// <inheritdoc />
    public override Tensor Stddev => Join(Parts.Select(p => p.Stddev));

    /// <inheritdoc />
    /// <remarks>Factors draw in order from the one generator, so a one-factor product draws exactly as its factor.</remarks>
    public override Tensor RSample(long samples, Generator? generator) => Join(Parts.Select(p => p.RSample(samples, generator)).ToList());

    /// <inheritdoc />
    /// <remarks>The factors' noise is independent, so its log density is the sum over the factors that have one.</remarks>
    public override (Tensor Value, Tensor? NoiseLogDensity) RSampleForTraining(long samples, Generator? generator)
    {
        var draws = Parts.Select(p => p.RSampleForTraining(samples, generator)).ToList();
        return (Join(draws.Select(d => d.Value)), SumPresent(draws.Select(d => d.NoiseLogDensity)));
    }

    /// <inheritdoc />
    public override LatentSample RSampleWithDensities(long samples, Generator? generator)
    {
        var draws = Parts.Select(p => p.RSampleWithDensities(samples, generator)).ToList();
        return new LatentSample(Join(draws.Select(d => d.Value)), Sum(draws.Select(d => d.LogQ)), Sum(draws.Select(d => d.LogPrior)),
            SumPresent(draws.Select(d => d.NoiseLogDensity)));
    }

    /// <inheritdoc />
    public override Tensor KlToPrior() => Sum(Parts.Select(p => p.KlToPrior()));

    // One factor passes through untouched, so a one-factor product is bit for bit its factor.
    private static Tensor Join(IEnumerable<Tensor> tensors)
    {
        var list = tensors.ToList();
        return list.Count == 1 ? list[0] : cat(list, -1);
    }

    private static Tensor Sum(IEnumerable<Tensor> tensors) => tensors.Aggregate((a, b) => a + b);

    private static Tensor? SumPresent(IEnumerable<Tensor?> tensors) => tensors.OfType<Tensor>().ToList() is { Count: > 0 } present ? Sum(present) : null;
}
