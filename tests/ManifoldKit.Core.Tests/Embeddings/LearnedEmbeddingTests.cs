using System.Diagnostics;
using System.Globalization;
using FsCheck.Xunit;
using ManifoldKit.Embeddings;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using ManifoldKit.Training;
using Xunit;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Embeddings;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 20)]
public sealed class LearnedEmbeddingTests(ITestOutputHelper output)
{
    /// <summary>
    /// A WAE-MMD embedding trained with the protocol's settings (docs/protocol.md) (5,000 steps, batch 256, λ = 10)
    /// maps fresh uniform codes near the circle: median distance below 0.1, mean below 0.15. (Measured
    /// at seed 0: median 0.073, mean 0.124; the worst codes are those the encoder's seam leaves
    /// unused, which the decoder maps onto a chord.) It passes the default embedding checks.
    /// </summary>
    [Fact]
    public void Wae_WithProtocolSettings_LandsOnTheCircle()
    {
        using var scope = NewDisposeScope();
        IManifold circle = new Circle();
        var clock = Stopwatch.StartNew();
        using var f = WaeMmdTrainer.Train(circle, new WaeOptions { Seed = 0 });
        var codes = rand([2000, 1], generator: new Generator(1));
        var distance = circle.Distance(f.Embed(codes));
        var (median, mean) = (distance.median().item<float>(), distance.mean().item<float>());
        output.WriteLine($"WAE on the circle: {clock.Elapsed.TotalSeconds:F1} s, distance median {median:G3}, mean {mean:G3}");
        Assert.True(median < 0.1 && mean < 0.15, $"learned f misses the circle: median distance {median:G3}, mean {mean:G3}");
        // The default embedding checks were chosen to pass such an f (EmbeddingChecks); its encoder is kept for them.
        var quality = EmbeddingQuality.Measure(f, circle, f.Encode);
        output.WriteLine(quality.Describe());
        Assert.Empty(new EmbeddingChecks().Failures(quality));
    }

    /// <summary>
    /// With restarts the trainer keeps the attempt with the lowest held-out loss: the f that
    /// attempt's seed trains alone (to rounding: the attempts train side by side as one stacked model), and not simply the first or the last attempt (seed 7: the middle one).
    /// </summary>
    [Fact]
    public void Wae_WithRestarts_KeepsTheAttemptWithTheLowestHeldOutLoss()
    {
        using var scope = NewDisposeScope();
        IManifold circle = new Circle();
        var options = new WaeOptions { Steps = 30, Seed = 7 };
        var codes = rand([50, 1], generator: new Generator(2));
        var alone = Enumerable.Range(0, 3).Select(r => WaeMmdTrainer.Train(circle, options with { Seed = 7 + r * Trainer.RestartSeedStride })).ToList();
        var losses = alone.Select(f => WaeMmdTrainer.HeldOutLoss(f, circle, options)).ToList();
        output.WriteLine($"held-out losses: {string.Join(", ", losses)}");
        var best = losses.IndexOf(losses.Min());
        Assert.Equal(1, best);
        Assert.Equal(losses[1], WaeMmdTrainer.HeldOutLoss(alone[1], circle, options));       // the same batches every time

        var log = new List<string>();
        using var kept = WaeMmdTrainer.Train(circle, options with { Restarts = 3 }, log: log.Add);
        // The attempts train stacked (batched matrix products), so the kept f equals its attempt alone up to rounding.
        TensorAssert.Close(kept.Embed(codes), alone[best].Embed(codes), 1e-5, "kept f vs its attempt trained alone");
        Assert.Equal([.. losses.Select((loss, r) => string.Create(CultureInfo.InvariantCulture, $"WAE attempt {r + 1} of 3 (seed {7 + r * 1_000_000}): held-out loss {loss:G4}")), "WAE: keeping attempt 2"], log);
        foreach (var f in alone) f.Dispose();
    }

    /// <summary>Saving and loading gives a frozen embedding with identical outputs and metadata.</summary>
    [Fact]
    public void SaveAndLoad_RoundTrips()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"mk-embedding-{Guid.NewGuid():N}.bin");
        try
        {
            using var f = WaeMmdTrainer.Train(new Sphere(2), new WaeOptions { Steps = 20, Seed = 3 });
            f.SaveTo(path);
            using var loaded = LearnedEmbedding.Load(path);
            Assert.Equal(("sphere", 2, 3), (loaded.ManifoldName, loaded.HiddenDim, loaded.AmbientDim));
            var codes = rand([50, 2], generator: new Generator(2));
            TensorAssert.Close(loaded.Embed(codes), f.Embed(codes), 0, "loaded vs saved embedding");
            Assert.All(loaded.parameters(), p => Assert.False(p.requires_grad));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".json");
        }
    }

    /// <summary>A missing file is reported with its path and the command that makes one.</summary>
    [Fact]
    public void Load_MissingFile_SaysWhatToDo()
    {
        var error = Assert.Throws<FileNotFoundException>(() => LearnedEmbedding.Load("/nonexistent/f.bin"));
        Assert.Equal("no learned embedding at /nonexistent/f.bin; create one with 'manifoldkit embed'.", error.Message);
    }

    /// <summary>The batched autograd metric of a learned (non-isometric) map matches central finite differences.</summary>
    [Property]
    public void MetricTensor_OfLearnedEmbedding_MatchesFiniteDifferences(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var f = new LearnedEmbedding("so3", 3, 9);
        using (var weights = seed.Generator()) Initialisation.Draw(f, weights);
        f.to(ScalarType.Float64);
        var codes = rand([16, 3], dtype: ScalarType.Float64, generator: seed.Generator());
        IEmbedding embedding = f;
        var metric = embedding.MetricTensor(codes);
        const double h = 1e-6;
        var atCode = f.Embed(codes);
        var columns = Enumerable.Range(0, 3).Select(j =>
        {
            var step = zeros(3, dtype: ScalarType.Float64);
            step[j] = h;
            var (ahead, behind) = ((f.Embed(codes + step) - atCode) / h, (atCode - f.Embed(codes - step)) / h);
            return (Difference: (ahead + behind) / 2, Kink: (ahead - behind).abs().amax(-1) > 1e-6);
        }).ToArray();
        // f is piecewise linear (ReLU): a code within h of a kink has no derivative to compare with.
        var smooth = columns.Select(c => c.Kink).Aggregate((a, b) => a | b).logical_not();
        var jacobian = stack(columns.Select(c => c.Difference), dim: -1);
        TensorAssert.Close(metric[smooth], jacobian.transpose(-1, -2).matmul(jacobian)[smooth], 1e-6, "autograd JᵀJ vs finite differences");
        Assert.True(smooth.sum().item<long>() >= 8, "most codes are away from a kink");
    }
}
