using ManifoldKit.Data;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Evaluation;

/// <summary>
/// How a trained model lays out its latent, on test points whose generating factors c (the point of
/// the task's manifold) are known: whether the decoder's inputs at the posterior means keep the
/// data's geometry, and, for a manifold latent, how far the posterior means wander in the hidden cube.
/// </summary>
/// <param name="Points">Test points used.</param>
/// <param name="DistanceCorrelation">
/// Correlation of all pairwise distances between decoder inputs with those between the factors:
/// 1 when the codes are an isometric copy of the data's manifold up to scale (as a(x)·f(½) = Q·c is).
/// </param>
/// <param name="HiddenMeanSpread">
/// Standard deviation of the posterior means in each hidden coordinate (manifold latents; empty for
/// Euclidean ones): <see cref="UniformSpread"/> when they cover the cube, 0 when a group action places every posterior.
/// </param>
public sealed record LatentGeometry(int Points, double DistanceCorrelation, double[] HiddenMeanSpread)
{
    /// <summary>The standard deviation of Uniform[0,1], √(1/12).</summary>
    public static readonly double UniformSpread = Math.Sqrt(1.0 / 12);

    /// <summary>Measures the model on the first <paramref name="points"/> of a test set drawn like the task's.</summary>
    public static LatentGeometry Measure(VariationalAutoencoder model, ToyTask task, int points = 500)
    {
        return model.Evaluating(() =>
        {
            using var scope = NewDisposeScope();
            var (testX, factors) = task.TestSet(points);
            var x = ComputeDevice.Move(testX, model.Device);
            var posterior = model.Encode(x);
            var codes = ComputeDevice.Move(model.DecoderInput(x, posterior.Mean.unsqueeze(0))[0], CPU);   // beside the CPU factors
            var spread = model.Latent.Embedding is null
                ? []
                : posterior.Mean.to_type(ScalarType.Float64).std(0L, keepdim: false).data<double>().ToArray();
            return new LatentGeometry(points, PairwiseDistanceCorrelation(codes, factors), spread);
        });
    }

    /// <summary>
    /// Pearson correlation between the pairwise Euclidean distances within <paramref name="a"/> and
    /// those within <paramref name="b"/> (rows matched, <c>[N, ·]</c> each): 1 for an isometry up to scale.
    /// </summary>
    public static double PairwiseDistanceCorrelation(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (da, db) = (Distances(a), Distances(b));
        var (ca, cb) = (da - da.mean(), db - db.mean());
        return ((ca * cb).sum() / (ca.square().sum() * cb.square().sum()).sqrt()).item<double>();
    }

    /// <summary>
    /// How many times a closed curve of points in the plane (<c>[N, 2]</c>, in order, the last joined
    /// to the first) turns round 0, and the largest angle between neighbours, in radians (large at a
    /// tear). For decoder inputs of points taken in order round a circle task, the turns are the degree
    /// of the map from the data's circle to the latent one.
    /// </summary>
    public static (int Turns, double LargestStep) Winding(Tensor points)
    {
        using var scope = NewDisposeScope();
        var p = points.to_type(ScalarType.Float64);
        var angle = atan2(p.select(-1, 1), p.select(-1, 0));
        var step = angle.roll(-1, 0) - angle;
        step -= 2 * Math.PI * (step / (2 * Math.PI)).round();                  // each step into (−π, π]
        return ((int)Math.Round(step.sum().item<double>() / (2 * Math.PI)), step.abs().max().item<double>());
    }

    // Each unordered pair once, in float64.
    private static Tensor Distances(Tensor points)
    {
        var p = points.to_type(ScalarType.Float64);
        var n = p.shape[0];
        var upper = triu_indices(n, n, offset: 1);
        return cdist(p, p)[upper[0], upper[1]];
    }
}
