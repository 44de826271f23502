using System.Globalization;
using ManifoldKit.Models;
using ManifoldKit.Training;
using TorchSharp;
using TorchSharp.Modules;
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
    /// <summary>Fresh batches, of the training batch size, on which <see cref="HeldOutLoss"/> compares attempts.</summary>
    public const int HeldOutBatches = 16;

    /// <summary>
    /// Trains and returns the frozen decoder, which keeps the trained encoder (<see cref="LearnedEmbedding.Encode"/>).
    /// With <see cref="WaeOptions.Restarts"/> above 1, trains that many from seeds seed + r · <see cref="Trainer.RestartSeedStride"/>
    /// and returns the one with the lowest <see cref="HeldOutLoss"/>.
    /// </summary>
    /// <param name="manifold">The manifold to embed.</param>
    /// <param name="options">Settings; the protocol's (docs/protocol.md) by default.</param>
    /// <param name="progress">Receives (step, loss) now and then.</param>
    /// <param name="log">Receives one line per attempt and the choice, when there are restarts.</param>
    /// <param name="device">Where to train (the CPU when null); f is returned on the CPU, where it is saved and measured.</param>
    public static LearnedEmbedding Train(IManifold manifold, WaeOptions options, IProgress<(int Step, double Loss)>? progress = null, Action<string>? log = null,
        Device? device = null)
    {
        if (options.Restarts <= 1) return TrainOnce(manifold, options, progress, device ?? CPU);
        LearnedEmbedding? best = null;
        var (bestLoss, chosen) = (double.PositiveInfinity, 0);
        // The attempts train side by side as one stacked model, each from its own seed and data.
        var attempts = TrainStacked(manifold, options, [.. Enumerable.Range(0, options.Restarts).Select(a => options.Seed + a * Trainer.RestartSeedStride)], progress, device ?? CPU);
        for (var attempt = 0; attempt < options.Restarts; attempt++)
        {
            var seed = options.Seed + attempt * Trainer.RestartSeedStride;
            var f = attempts[attempt];
            var loss = HeldOutLoss(f, manifold, options);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"WAE attempt {attempt + 1} of {options.Restarts} (seed {seed}): held-out loss {loss:G4}"));
            if (loss < bestLoss)
            {
                best?.Dispose();
                (best, bestLoss, chosen) = (f, loss, attempt);
            }
            else f.Dispose();
        }
        log?.Invoke($"WAE: keeping attempt {chosen + 1}");
        return best!;
    }

    /// <summary>
    /// The WAE objective of a trained f and its encoder on <see cref="HeldOutBatches"/> fresh batches,
    /// the same for every f (a fixed seed): how attempts are compared. Lower is better.
    /// </summary>
    public static double HeldOutLoss(LearnedEmbedding f, IManifold manifold, WaeOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(HeldOutSeed);
        var total = 0.0;
        for (var batch = 0; batch < HeldOutBatches; batch++)
        {
            var x = manifold.SampleUniform(options.BatchSize, generator);
            var codes = f.Encode(x);
            var prior = rand([options.BatchSize, manifold.IntrinsicDim], device: x.device, generator: generator);
            total += Loss(f, x, codes, prior, options.Lambda).to_type(ScalarType.Float64).item<double>();
        }
        return total / HeldOutBatches;
    }

    private const ulong HeldOutSeed = 0x5EED_0F_4E1D;

    private static LearnedEmbedding TrainOnce(IManifold manifold, WaeOptions options, IProgress<(int Step, double Loss)>? progress, Device device)
    {
        var n = manifold.IntrinsicDim;
        var decoder = new LearnedEmbedding(manifold.Name, n, manifold.AmbientDim, options.Width);
        using (var weights = new Generator((ulong)options.Seed)) Initialisation.Draw(decoder, weights);   // the decoder's, then the encoder's
        if (device.type != DeviceType.CPU) decoder.to(device);
        using var generator = ComputeDevice.NewGenerator((ulong)options.Seed, device);
        using var optimizer = optim.Adam(decoder.parameters(), options.LearningRate);
        for (var step = 1; step <= options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var x = manifold.SampleUniform(options.BatchSize, generator);
            var codes = decoder.Encode(x);
            var prior = rand([options.BatchSize, n], device: x.device, generator: generator);
            var loss = Loss(decoder, x, codes, prior, options.Lambda);
            loss.backward();
            optimizer.step();
            if (step % 250 == 0 || step == options.Steps)
            {
                var value = loss.item<float>();
                if (!float.IsFinite(value)) throw new TrainingDivergedException(step, "WAE loss", value);
                progress?.Report((step, value));
            }
        }
        if (device.type != DeviceType.CPU) decoder.to(CPU);
        return decoder.Freeze();
    }

    /// <summary>
    /// WAEs from several seeds trained at once: their weights stacked on a leading axis, one Adam step for
    /// all, each drawing its data and prior samples from its own generator in the order <see cref="TrainOnce"/>
    /// draws them, so each is the one <see cref="TrainOnce"/> learns up to rounding.
    /// </summary>
    private static LearnedEmbedding[] TrainStacked(IManifold manifold, WaeOptions options, long[] seeds, IProgress<(int Step, double Loss)>? progress, Device device)
    {
        var n = manifold.IntrinsicDim;
        var models = seeds.Select(seed =>
        {
            var f = new LearnedEmbedding(manifold.Name, n, manifold.AmbientDim, options.Width);
            using (var weights = new Generator((ulong)seed)) Initialisation.Draw(f, weights);
            return f;
        }).ToArray();
        var generators = seeds.Select(seed => ComputeDevice.NewGenerator((ulong)seed, device)).ToArray();
        using var stacked = new StackedParameters(models, device);
        var (encoder, decoder) = (models[0].EncoderLayers().Select(stacked.Of).ToArray(), models[0].NetworkLayers().Select(stacked.Of).ToArray());
        try
        {
            using var optimizer = optim.Adam(stacked.Parameters, options.LearningRate);
            for (var step = 1; step <= options.Steps; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var x = stack(generators.Select(g => manifold.SampleUniform(options.BatchSize, g)), 0);
                var codes = StackedLinear.Mlp(x, encoder, finalActivation: false).sigmoid();
                var prior = stack(generators.Select(g => rand([options.BatchSize, n], device: x.device, generator: g)), 0);
                var loss = (StackedLinear.Mlp(codes, decoder, finalActivation: false) - x).square().sum(-1).mean([-1]) + options.Lambda * InverseMultiquadraticMmd(codes, prior);
                loss.sum().backward();
                optimizer.step();
                if (step % 250 == 0 || step == options.Steps)
                {
                    var values = loss.detach().data<float>().ToArray();
                    foreach (var value in values)
                        if (!float.IsFinite(value)) throw new TrainingDivergedException(step, "WAE loss", value);
                    progress?.Report((step, values.Average()));                // the attempts' mean
                }
            }
            stacked.CopyTo(models);                                                 // f goes back on the CPU
            return [.. models.Select(m => m.Freeze())];
        }
        catch
        {
            foreach (var model in models) model.Dispose();
            throw;
        }
        finally
        {
            foreach (var generator in generators) generator.Dispose();
        }
    }

    // The WAE objective: mean |x − f(e(x))|² + λ·MMD²(e(x), a prior sample).
    private static Tensor Loss(LearnedEmbedding f, Tensor x, Tensor codes, Tensor prior, double lambda) =>
        (f.Embed(codes) - x).square().sum(-1).mean() + lambda * InverseMultiquadraticMmd(codes, prior);

    /// <summary>
    /// Unbiased MMD² between two samples with k(x, y) = Σ_C C / (C + |x − y|²) over scales
    /// C = c·2n·σ², σ² = 1/12 the variance of Uniform[0,1] (the WAE paper's choice of C, summed over
    /// scales as in its code).
    /// </summary>
    /// <param name="x">Tensor of shape <c>[B, n]</c>, or <c>[G, B, n]</c> for G pairs of samples at once.</param>
    /// <param name="y">Tensor of the same shape.</param>
    /// <returns>A scalar, or <c>[G]</c>.</returns>
    public static Tensor InverseMultiquadraticMmd(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var (batch, n) = (x.shape[^2], x.shape[^1]);
        var scales = Scales.Select(c => c * 2.0 * n / 12).ToArray();
        // Only the blocks with x carry a gradient; k(y, y) is a constant of the step.
        Tensor yy;
        using (no_grad()) yy = KernelSums(SquaredDistances(y, y), scales, slope: null);
        var distances = stack([SquaredDistances(x, x), SquaredDistances(x, y)]);   // [2, (G,) B, B]
        Tensor sums, slope = zeros_like(distances);
        using (no_grad()) sums = KernelSums(distances, scales, slope);
        // Σ k(d) with the gradient Σ k'(d)·∂d: the surrogate s − s.detach() is zero in value and carries
        // the kernel's derivative, so backward is one product where autograd of Σ_C C/(C + d) takes
        // several passes per scale (this term is most of a WAE step).
        var surrogate = (slope * distances).sum([-2, -1]);
        var kernel = sums + (surrogate - surrogate.detach());
        // Unbiased: the within-sample blocks leave out their diagonals, k(x, x) = 1 per scale.
        var offDiagonal = batch * (batch - 1);
        var within = (kernel[0] - batch * scales.Length) / offDiagonal + (yy - batch * scales.Length) / offDiagonal;
        return (within - 2 * kernel[1] / (batch * batch)).MoveToOuterDisposeScope();
    }

    private static readonly double[] Scales = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];

    // Σ over the last two axes of Σ_C C / (C + d), and into slope (when given) the derivative −Σ_C C / (C + d)²,
    // in place and outside autograd: a few passes over [.., B, B] per scale, no graph to replay.
    private static Tensor KernelSums(Tensor distances, double[] scales, Tensor? slope)
    {
        var kernel = zeros_like(distances);
        // Each Scalar is disposed here, not left to the GC: thousands of them waiting between the freed
        // [.., B, B] blocks kept glibc from reusing those, and a WAE's heap grew by megabytes a step.
        using var one = 1.0.ToScalar();
        foreach (var c in scales)
        {
            using var scale = c.ToScalar();
            using var negative = (-c).ToScalar();
            using var inverse = distances.add(scale, one).reciprocal_();
            kernel.add_(inverse, alpha: scale);
            slope?.addcmul_(inverse, inverse, value: negative);
        }
        return kernel.sum([-2, -1]);
    }

    // |x|² + |y|² − 2x·y: unlike cdist, differentiable where two points coincide.
    private static Tensor SquaredDistances(Tensor x, Tensor y) =>
        (x.square().sum(-1, keepdim: true) + y.square().sum(-1).unsqueeze(-2) - 2 * x.matmul(y.transpose(-2, -1))).clamp_min(0);
}
