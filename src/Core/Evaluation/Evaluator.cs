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
    public static Tensor PerPoint(VariationalAutoencoder model, Tensor x, int samples, long seed, int batchSize, Func<ModelTerms, Tensor> bound, bool densities = true)
    {
        return model.Evaluating(() =>
        {
            var device = model.Device;
            using var generator = ComputeDevice.NewGenerator((ulong)seed, device);
            var parts = new List<Tensor>();
            for (long start = 0; start < x.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = ComputeDevice.Move(x.narrow(0, start, Math.Min(batchSize, x.shape[0] - start)), device);
                parts.Add(bound(model.Terms(batch, samples, generator, densities)).to_type(ScalarType.Float64).MoveToOuterDisposeScope());
            }
            var result = cat(parts, 0);
            foreach (var part in parts) part.Dispose();
            return result;
        });
    }

    /// <summary>
    /// Per-point values of a bound for every model of a stack on the same points, <c>[G, N]</c>, float64:
    /// one pass for the group, its posterior noise from one generator. Chunks of <paramref name="batchSize"/>
    /// points hold G times as many samples as one model's would.
    /// </summary>
    public static Tensor PerPoint(StackedAutoencoder model, Tensor x, int samples, long seed, int batchSize, Func<ModelTerms, Tensor> bound, bool densities = true)
    {
        using var gradients = no_grad();
        var device = model.Parameters[0].device;
        var members = model.Members;
        using var generator = ComputeDevice.NewGenerator((ulong)seed, device);
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = ComputeDevice.Move(x.narrow(0, start, Math.Min(batchSize, x.shape[0] - start)), device);
            var terms = model.PointTerms(batch.unsqueeze(0).expand(members, -1, -1), samples, generator, densities);
            parts.Add(bound(terms).reshape(members, -1).to_type(ScalarType.Float64).MoveToOuterDisposeScope());
        }
        var result = cat(parts, 1);
        foreach (var part in parts) part.Dispose();
        return result;
    }

    private static double Average(VariationalAutoencoder model, Tensor x, int samples, long seed, int batchSize, Func<ModelTerms, Tensor> bound, bool densities = true)
    {
        using var scope = NewDisposeScope();
        return PerPoint(model, x, samples, seed, batchSize, bound, densities).mean().item<double>();
    }
}
