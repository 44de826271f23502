using static TorchSharp.torch;

namespace ManifoldKit;

/// <summary>
/// Data to train a model on: training batches, random training points, and a fixed held-out test set,
/// each with the known factors of its points (a true angle, a class label), which are used only to
/// evaluate and plot, never to train. Observations are flat float32 rows of <see cref="ObservationDim"/>.
/// </summary>
public interface IDataSource : IDisposable
{
    /// <summary>A label for reports, e.g. <c>toy circle</c> or <c>fashion-mnist</c>.</summary>
    string Name { get; }

    /// <summary>D, the length of one observation (an image is flattened).</summary>
    int ObservationDim { get; }

    /// <summary>The names of the factor columns, e.g. <c>label</c>; empty when none are known.</summary>
    IReadOnlyList<string> FactorNames { get; }

    /// <summary>The number of training points, or null for a source that draws fresh ones without end.</summary>
    long? TrainSize { get; }

    /// <summary>The number of test points, or null for a source that draws as many as asked.</summary>
    long? TestSize { get; }

    /// <summary>
    /// The training batch of a step (1-based). A finite set goes through its points in epochs, in an
    /// order fixed by the step alone (so a resumed run sees the same batches); a stream draws fresh
    /// points from <paramref name="generator"/>.
    /// </summary>
    /// <returns>x <c>[size, D]</c> and the factors <c>[size, F]</c>.</returns>
    (Tensor X, Tensor Factors) TrainingBatch(long step, int size, Generator generator);

    /// <summary>Random training points (for initialisations and comparisons), drawn with <paramref name="generator"/>.</summary>
    (Tensor X, Tensor Factors) Sample(long count, Generator? generator);

    /// <summary>The fixed test set: its first <paramref name="count"/> points (a finite set has at most <see cref="TestSize"/>).</summary>
    (Tensor X, Tensor Factors) TestSet(long count);
}
