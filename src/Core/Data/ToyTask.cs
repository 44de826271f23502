using static TorchSharp.torch;

namespace ManifoldKit.Data;

/// <summary>
/// The toy data of the protocol (docs/protocol.md): a point c uniform on a manifold (the circle, S², or SO(3) as 9
/// numbers) mapped to x = W₂ relu(W₁ c + b₁) + b₂ ∈ R^D by a fixed random MLP (Xavier-uniform
/// weights, gain 1, zero biases), plus optional Gaussian noise. The generator is drawn once from
/// <c>dataSeed</c>; the test set from <c>dataSeed + 1</c>.
/// </summary>
public sealed class ToyTask : IDataSource
{
    private readonly Tensor w1;
    private readonly Tensor w2;

    /// <summary>Draws the generator network.</summary>
    /// <param name="source">The manifold the data's latent factor lives on.</param>
    /// <param name="dataSeed">Seed of the generator network; the test set uses dataSeed + 1.</param>
    /// <param name="noiseStd">Standard deviation of the observation noise (0 for the paper's task).</param>
    /// <param name="observedDim">D, also the width of the generator's hidden layer.</param>
    public ToyTask(IManifold source, long dataSeed = 0, double noiseStd = 0, int observedDim = 100)
    {
        if (noiseStd < 0) throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "noise_std must be >= 0.");
        (Source, DataSeed, NoiseStd, ObservedDim) = (source, dataSeed, noiseStd, observedDim);
        using var generator = new Generator((ulong)dataSeed);
        w1 = XavierUniform(observedDim, source.AmbientDim, generator).DetachFromDisposeScope();
        w2 = XavierUniform(observedDim, observedDim, generator).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public string Name => $"toy {Source.Name}";

    /// <inheritdoc />
    int IDataSource.ObservationDim => ObservedDim;

    /// <summary>The coordinates of the generating point on the manifold, in its ambient space.</summary>
    public IReadOnlyList<string> FactorNames => [.. Enumerable.Range(1, Source.AmbientDim).Select(i => $"c{i}")];

    /// <inheritdoc />
    public long? TrainSize => null;

    /// <inheritdoc />
    public long? TestSize => null;

    /// <summary>Fresh points from <paramref name="generator"/>: the toy task is a stream, so the step does not matter.</summary>
    public (Tensor X, Tensor Factors) TrainingBatch(long step, int size, Generator generator) => Sample(size, generator);

    /// <summary>The manifold of the latent factor.</summary>
    public IManifold Source { get; }

    /// <summary>Seed of the generator network.</summary>
    public long DataSeed { get; }

    /// <summary>Observation noise standard deviation.</summary>
    public double NoiseStd { get; }

    /// <summary>D.</summary>
    public int ObservedDim { get; }

    /// <summary>Maps latent factors <c>[B, m]</c> to noise-free observations <c>[B, D]</c>.</summary>
    public Tensor Generate(Tensor factors) => nn.functional.relu(factors.matmul(w1.T)).matmul(w2.T);

    /// <summary>Fresh observations and their latent factors.</summary>
    /// <returns>x <c>[count, D]</c> and c <c>[count, m]</c>, float32.</returns>
    public (Tensor X, Tensor Factors) Sample(long count, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var factors = Source.SampleUniform(count, generator);
        var x = Generate(factors);
        if (NoiseStd > 0) x = x + NoiseStd * randn(x.shape, generator: generator);
        return (x.MoveToOuterDisposeScope(), factors.MoveToOuterDisposeScope());
    }

    /// <summary>The fixed test set: <paramref name="count"/> points drawn with seed dataSeed + 1.</summary>
    public (Tensor X, Tensor Factors) TestSet(long count)
    {
        using var generator = new Generator((ulong)(DataSeed + 1));
        return Sample(count, generator);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        w1.Dispose();
        w2.Dispose();
    }

    private static Tensor XavierUniform(int fanOut, int fanIn, Generator generator)
    {
        var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        return (2 * rand([fanOut, fanIn], generator: generator) - 1) * bound;
    }
}
