using static TorchSharp.torch;

namespace ManifoldKit.Data;

/// <summary>
/// A change made to every training batch with the batch's generator (e.g. dynamic binarisation, rotation).
/// It may add known factors (<paramref name="FactorNames"/>, after the data's own): <c>Apply</c> then returns
/// their columns <c>[B, k]</c>, else null.
/// </summary>
/// <param name="Apply">Maps a batch <c>[B, D]</c> to the transformed batch and the added factors.</param>
/// <param name="FactorNames">The names of the factors it adds; empty for none.</param>
public sealed record BatchTransform(Func<Tensor, Generator?, (Tensor X, Tensor? Factors)> Apply, IReadOnlyList<string> FactorNames)
{
    /// <summary>A transform of the observations alone.</summary>
    public static BatchTransform Of(Func<Tensor, Generator?, Tensor> apply) => new((x, generator) => (apply(x, generator), null), []);
}

/// <summary>
/// A finite data set held in memory as tensors (uint8 images stay bytes until a batch is taken: 70,000 ×
/// 784 is 55 MB as bytes, 220 MB as floats). Training goes through the points in epochs of
/// ⌊N / batch⌋ batches (the last partial batch is dropped), each epoch in an order drawn from the
/// shuffle seed and the epoch's number alone, so a batch depends on the step and nothing else and a
/// resumed run sees the same batches.
/// </summary>
public sealed class InMemoryDataSource : IDataSource
{
    private readonly Tensor trainX;
    private readonly Tensor trainFactors;
    private readonly Tensor testX;
    private readonly Tensor testFactors;
    private readonly double scale;
    private readonly double testScale;
    private readonly BatchTransform? transform;
    private readonly long shuffleSeed;
    private (long Epoch, Tensor Order)? order;

    /// <summary>Holds the given tensors (the source disposes them).</summary>
    /// <param name="name">A label for reports.</param>
    /// <param name="trainX">Training observations <c>[N, D]</c>, float32 or uint8.</param>
    /// <param name="trainFactors">Their factors <c>[N, F]</c> (F may be 0).</param>
    /// <param name="testX">Test observations <c>[M, D]</c>, transformed already (D is the transform's output width).</param>
    /// <param name="testFactors">Their factors <c>[M, F + k]</c>, the transform's k included.</param>
    /// <param name="factorNames">The F factor names of the data (the transform's follow them).</param>
    /// <param name="scale">Multiplies every observation as it is taken (1/255 maps bytes to [0, 1]).</param>
    /// <param name="shuffleSeed">Seed of the epochs' orders.</param>
    /// <param name="transform">Applied to every training batch with the batch's generator (e.g. dynamic binarisation, rotation); null for none.</param>
    /// <param name="testScale">Multiplies the test observations; <paramref name="scale"/> when null.</param>
    public InMemoryDataSource(string name, Tensor trainX, Tensor trainFactors, Tensor testX, Tensor testFactors, IReadOnlyList<string> factorNames,
        double scale = 1, long shuffleSeed = 0, BatchTransform? transform = null, double? testScale = null)
    {
        // A transform may change D (rotation pads), so only untransformed sets must agree.
        if (trainX.dim() != 2 || testX.dim() != 2 || (transform is null && trainX.shape[1] != testX.shape[1]))
            throw new ArgumentException($"{name}: training and test observations must be [N, D] with the same D; got [{string.Join(", ", trainX.shape)}] and [{string.Join(", ", testX.shape)}].");
        IReadOnlyList<string> names = [.. factorNames, .. transform?.FactorNames ?? []];
        if (trainFactors.shape[0] != trainX.shape[0] || testFactors.shape[0] != testX.shape[0] || trainFactors.shape[1] != factorNames.Count || testFactors.shape[1] != names.Count)
            throw new ArgumentException($"{name}: every point needs its {factorNames.Count} factors (and the test points the transform's {names.Count - factorNames.Count}).");
        if (trainX.shape[0] == 0 || testX.shape[0] == 0) throw new ArgumentException($"{name}: the training and test sets must each hold at least one point.");
        (Name, this.trainX, this.trainFactors, this.testX, this.testFactors, FactorNames, this.scale, this.shuffleSeed, this.transform) =
            (name, trainX, trainFactors, testX, testFactors, names, scale, shuffleSeed, transform);
        this.testScale = testScale ?? scale;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int ObservationDim => (int)testX.shape[1];

    /// <inheritdoc />
    public IReadOnlyList<string> FactorNames { get; }

    /// <inheritdoc />
    public long? TrainSize => trainX.shape[0];

    /// <inheritdoc />
    public long? TestSize => testX.shape[0];

    /// <inheritdoc />
    public (Tensor X, Tensor Factors) TrainingBatch(long step, int size, Generator generator)
    {
        var n = trainX.shape[0];
        if (size > n) throw new ArgumentException($"{Name}: a batch of {size} is larger than the {n} training points; lower training.batch_size.");
        var perEpoch = n / size;
        var epoch = (step - 1) / perEpoch;
        var index = (step - 1) % perEpoch;
        var indices = Order(epoch).narrow(0, index * size, size);
        return Transformed(Observations(trainX.index_select(0, indices)), trainFactors.index_select(0, indices).to_type(ScalarType.Float32), generator);
    }

    /// <inheritdoc />
    public (Tensor X, Tensor Factors) Sample(long count, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var indices = count <= trainX.shape[0]
            ? randperm(trainX.shape[0], generator: generator).narrow(0, 0, count)
            : randint(trainX.shape[0], [count], generator: generator);
        var (x, factors) = Transformed(Observations(trainX.index_select(0, indices)), trainFactors.index_select(0, indices).to_type(ScalarType.Float32), generator);
        return (x.MoveToOuterDisposeScope(), factors.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public (Tensor X, Tensor Factors) TestSet(long count)
    {
        var m = Math.Min(count, testX.shape[0]);
        return (Observations(testX.narrow(0, 0, m), testScale), testFactors.narrow(0, 0, m).to_type(ScalarType.Float32));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in new[] { trainX, trainFactors, testX, testFactors }) tensor.Dispose();
        order?.Order.Dispose();
    }

    private Tensor Observations(Tensor rows) => Observations(rows, scale);

    private (Tensor X, Tensor Factors) Transformed(Tensor x, Tensor factors, Generator? generator)
    {
        if (transform is null) return (x, factors);
        var (changed, added) = transform.Apply(x, generator);
        return (changed, added is null ? factors : cat([factors, added.to_type(ScalarType.Float32)], 1));
    }

    private static Tensor Observations(Tensor rows, double factor)
    {
        var x = rows.to_type(ScalarType.Float32);
        return factor == 1 ? x : x * factor;
    }

    // One epoch's order at a time, drawn from (shuffle seed, epoch) so that it never depends on what ran before.
    private Tensor Order(long epoch)
    {
        if (order is { } cached && cached.Epoch == epoch) return cached.Order;
        order?.Order.Dispose();
        using var generator = new Generator((ulong)(shuffleSeed * 1_000_003 + epoch));
        var drawn = randperm(trainX.shape[0], generator: generator).DetachFromDisposeScope();
        order = (epoch, drawn);
        return drawn;
    }
}
