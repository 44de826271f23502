using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Evaluation;

/// <summary>
/// Test-set bounds on log p(x), per data point in nats, from the same density code as training
/// (<see cref="VariationalAutoencoder.Terms"/>), batched, without gradients.
/// </summary>
public static class Evaluator
{
    /// <summary>The ELBO averaged over points, each with the mean over <paramref name="samples"/> posterior samples.</summary>
    public static double Elbo(VariationalAutoencoder model, Tensor x, int samples = 10, long seed = 0, int batchSize = 500) =>
        Average(model, x, samples, seed, batchSize, terms => terms.Elbo, densities: false);

    /// <summary>Samples held at once by an evaluation chunk: 250 points at k = 100, so a larger k takes fewer points per chunk.</summary>
    public const int ChunkSamples = 25_000;

    /// <summary>Points per chunk for <paramref name="samples"/> samples each: at most 250, at least 1.</summary>
    public static int ChunkPoints(int samples) => Math.Clamp(ChunkSamples / Math.Max(samples, 1), 1, 250);

    /// <summary>The importance-weighted bound with <paramref name="k"/> samples (IWAE; k = 1 is the one-sample ELBO), in chunks of <see cref="ChunkPoints"/> points unless <paramref name="batchSize"/> is given.</summary>
    public static double Iwae(VariationalAutoencoder model, Tensor x, int k = 100, long seed = 0, int? batchSize = null) =>
        Average(model, x, k, seed, batchSize ?? ChunkPoints(k), terms => terms.Iwae);

    /// <summary>Per-point values of a bound, <c>[N]</c>, float64; <paramref name="densities"/> if it needs log q and log p.</summary>
    public static Tensor PerPoint(VariationalAutoencoder model, Tensor x, int samples, long seed, int batchSize, Func<ModelTerms, Tensor> bound, bool densities = true) =>
        model.Evaluating(() => Chunked(x, seed, batchSize, model.Device, dim: 0,
            (batch, generator) => bound(model.Terms(batch, samples, generator, densities))));

    /// <summary>
    /// Per-point values of a bound for every model of a stack on the same points, <c>[G, N]</c>, float64:
    /// one pass for the group, its posterior noise from one generator. Chunks of <paramref name="batchSize"/>
    /// points hold G times as many samples as one model's would.
    /// </summary>
    public static Tensor PerPoint(StackedAutoencoder model, Tensor x, int samples, long seed, int batchSize, Func<ModelTerms, Tensor> bound, bool densities = true)
    {
        using var gradients = no_grad();
        var members = model.Members;
        return Chunked(x, seed, batchSize, model.Parameters[0].device, dim: 1,
            (batch, generator) => bound(model.PointTerms(batch.unsqueeze(0).expand(members, -1, -1), samples, generator, densities)).reshape(members, -1));
    }

    // A bound over x's points chunk by chunk on the device, float64, joined along dim; the noise of all from one generator.
    private static Tensor Chunked(Tensor x, long seed, int batchSize, Device device, long dim, Func<Tensor, Generator, Tensor> chunk)
    {
        using var generator = ComputeDevice.NewGenerator((ulong)seed, device);
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = ComputeDevice.Move(x.narrow(0, start, Math.Min(batchSize, x.shape[0] - start)), device);
            parts.Add(chunk(batch, generator).to_type(ScalarType.Float64).MoveToOuterDisposeScope());
        }
        var result = cat(parts, dim);
        foreach (var part in parts) part.Dispose();
        return result;
    }

    private static double Average(VariationalAutoencoder model, Tensor x, int samples, long seed, int batchSize, Func<ModelTerms, Tensor> bound, bool densities = true)
    {
        using var scope = NewDisposeScope();
        return PerPoint(model, x, samples, seed, batchSize, bound, densities).mean().item<double>();
    }
}
