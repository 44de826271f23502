using ManifoldKit.Models;
using ManifoldKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ManifoldKit.Embeddings;

/// <summary>
/// Learns an embedding of [0,1]^n onto a manifold with a Wasserstein auto-encoder (Tolstikhin et
/// al. 2018), the paper's section 2.2: on fresh uniform samples x of M, minimise
/// |x − f(e(x))|² + λ·MMD(e(x), Uniform[0,1]^n) with an inverse multiquadratic kernel. The encoder
/// e ends in a sigmoid so codes stay in the cube; the decoder becomes f.
/// </summary>
public static class WaeMmdTrainer
{
    /// <summary>Trains and returns the frozen decoder, which keeps the trained encoder (<see cref="LearnedEmbedding.Encode"/>).</summary>
    /// <param name="manifold">The manifold to embed.</param>
    /// <param name="options">Settings; PROTOCOL.md's by default.</param>
    /// <param name="progress">Receives (step, loss) now and then.</param>
    public static LearnedEmbedding Train(IManifold manifold, WaeOptions options, IProgress<(int Step, double Loss)>? progress = null)
    {
        var n = manifold.IntrinsicDim;
        var decoder = new LearnedEmbedding(manifold.Name, n, manifold.AmbientDim, options.Width);
        using (var weights = new Generator((ulong)options.Seed)) Initialisation.Draw(decoder, weights);   // the decoder's, then the encoder's
        using var generator = new Generator((ulong)options.Seed);
        using var optimizer = optim.Adam(decoder.parameters(), options.LearningRate);
        for (var step = 1; step <= options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            if (options.FinalLearningRate is not null)
                foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRateAt(step);
            var x = manifold.SampleUniform(options.BatchSize, generator);
            var codes = decoder.Encode(x);
            var reconstruction = (decoder.Embed(codes) - x).square().sum(-1).mean();
            var prior = rand([options.BatchSize, n], generator: generator);
            var loss = reconstruction + options.Lambda * InverseMultiquadraticMmd(codes, prior);
            loss.backward();
            optimizer.step();
            if (step % 250 == 0 || step == options.Steps)
            {
                var value = loss.item<float>();
                if (!float.IsFinite(value)) throw new TrainingDivergedException(step, "WAE loss", value);
                progress?.Report((step, value));
            }
        }
        return decoder.Freeze();
    }

    /// <summary>
    /// Unbiased MMD² between two samples with k(x, y) = Σ_C C / (C + |x − y|²) over scales
    /// C = c·2n·σ², σ² = 1/12 the variance of Uniform[0,1] (the WAE paper's choice of C, summed over
    /// scales as in its code).
    /// </summary>
    /// <param name="x">Tensor of shape <c>[B, n]</c>.</param>
    /// <param name="y">Tensor of shape <c>[B, n]</c>.</param>
    public static Tensor InverseMultiquadraticMmd(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var (batch, n) = (x.shape[0], x.shape[1]);
        // All scales and the three kernel blocks in one broadcast: per-op overhead dominates here.
        var distances = stack([SquaredDistances(x, x), SquaredDistances(y, y), SquaredDistances(x, y)]);   // [3, B, B]
        var scales = tensor(new[] { 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0 }, dtype: x.dtype).mul_(2.0 * n / 12).reshape(-1, 1, 1, 1);
        var kernel = (scales / (scales + distances)).sum(dim: 0);                                           // [3, B, B]
        // Unbiased: the within-sample blocks leave out their diagonals, k(x, x) = 1 per scale.
        var within = (kernel[..2].sum([1, 2]) - batch * scales.numel()) / (batch * (batch - 1));
        return (within.sum() - 2 * kernel[2].mean()).MoveToOuterDisposeScope();
    }

    // |x|² + |y|² − 2x·y: unlike cdist, differentiable where two points coincide.
    private static Tensor SquaredDistances(Tensor x, Tensor y) =>
        (x.square().sum(-1, keepdim: true) + y.square().sum(-1).unsqueeze(0) - 2 * x.matmul(y.T)).clamp_min(0);
}
