using System.Diagnostics;
using System.Text.Json.Nodes;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Training;
using Xunit;

namespace ManifoldKit.Core.Tests.Experiments;

/// <summary>
/// A damaged, edited or partly deleted run directory: every file is either read correctly or refused
/// with a <see cref="RunFileException"/> naming it, never a trace, a native abort, or silently wrong figures.
/// </summary>
public sealed class RunDirectoryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-rundir").FullName;

    public void Dispose()
    {
        Unmount(Path.Combine(root, "tiny"));
        Directory.Delete(root, recursive: true);
    }

    private static IManifold Resolve(string name, ManifoldSettings settings) => name switch
    {
        "circle" => new Circle(),
        _ => throw new ArgumentException($"unknown manifold '{name}'"),
    };

    private static readonly ExperimentSpec Spec = new()
    {
        Name = "small",
        Latent = new LatentOptions { GroupAction = true },
        Training = new TrainingOptions { Steps = 60, ReportEvery = 20, CheckpointEvery = 20 },
        Evaluation = new EvaluationOptions { TestSize = 100, IwaeSamples = 5, ElboSamples = 2 },
    };

    private static ExperimentResult Run(string directory, string cache, ExperimentSpec? spec = null, Action<string>? log = null, int? stopAt = null)
    {
        using var plan = ExperimentPlan.Resolve(spec ?? Spec, Resolve);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Step == stopAt) cancel.Cancel(); });
        var (run, result) = TrainingRun.Execute(plan, 0, directory, new EmbeddingProvider(cache, log), progress, log, cancel.Token);
        run.Dispose();
        return result;
    }

    /// <summary>A run stopped at step 40 (checkpoint at 40, rows 20 and 40).</summary>
    private string Stopped(string name = "run")
    {
        var directory = Path.Combine(root, name);
        Assert.Throws<OperationCanceledException>(() => Run(directory, root, stopAt: 40));
        return directory;
    }

    private static string Part(string directory, string part) => Path.Combine(directory, "checkpoint", part);

    private static void Truncate(string path, double fraction)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
    }

    private static void Randomise(string path)
    {
        var bytes = new byte[new FileInfo(path).Length];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Rewrites state.json as ManifoldKit wrote it before checksums (format 1).</summary>
    private static void MakeFormat1(string directory, int? step = null)
    {
        var state = JsonNode.Parse(File.ReadAllText(Part(directory, "state.json")))!;
        File.WriteAllText(Part(directory, "state.json"), $"{{\"Step\":{step ?? (int)state["Step"]!},\"Restart\":null}}");
    }

    [Theory]
    [InlineData("model.bin", "truncate", "is truncated or altered")]
    [InlineData("model.bin", "empty", "is truncated or altered (0 bytes")]
    [InlineData("model.bin", "random", "does not match its SHA-256 in state.json")]
    [InlineData("optimizer.bin", "truncate", "is truncated or altered")]
    [InlineData("optimizer.bin", "empty", "is truncated or altered (0 bytes")]
    [InlineData("generator.bin", "random", "does not match its SHA-256 in state.json")]
    [InlineData("generator.bin", "missing", "is missing")]
    [InlineData("state.json", "garbage", "is not a checkpoint's state")]
    [InlineData("state.json", "empty", "is not a checkpoint's state")]
    [InlineData("state.json", "{}", "is not a checkpoint's state")]
    [InlineData("state.json", "999999", "records step 999999, outside 0..60 (training.steps)")]
    [InlineData("state.json", "-5", "records step -5, outside 0..60 (training.steps)")]
    [InlineData("state.json", "20", "records step 20, but the optimiser state in")]
    public void DamagedCheckpoint_IsRefused_NamingTheFile(string part, string damage, string problem)
    {
        var directory = Stopped();
        var path = Part(directory, part);
        switch (damage)
        {
            case "truncate": Truncate(path, 0.5); break;
            case "empty": File.WriteAllBytes(path, []); break;
            case "random": Randomise(path); break;
            case "missing": File.Delete(path); break;
            case "garbage": File.WriteAllText(path, "\u0001\u0002not json at all"); break;
            case "{}": File.WriteAllText(path, "{}"); break;
            default:
                var state = JsonNode.Parse(File.ReadAllText(path))!;
                state["Step"] = int.Parse(damage);
                File.WriteAllText(path, state.ToJsonString());
                break;
        }
        var error = Assert.Throws<RunFileException>(() => Run(directory, root));
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith($"{path} {problem}", error.Message);
        Assert.EndsWith("; the run directory is damaged: start afresh with another --out (or delete it)", error.Message);
    }

    /// <summary>A checkpoint written before checksums still resumes, to the same result.</summary>
    [Fact]
    public void Format1Checkpoint_StillResumes()
    {
        var straight = Run(Path.Combine(root, "straight"), root);
        var directory = Stopped();
        MakeFormat1(directory);
        var resumed = Run(directory, root);
        Assert.Equal((straight.Elbo, straight.Iwae), (resumed.Elbo, resumed.Iwae));
    }

    /// <summary>Without checksums, what can be checked is: libtorch must never see a generator state it would abort on.</summary>
    [Theory]
    [InlineData("generator.bin", "random", "is not a valid mt19937 generator state")]
    [InlineData("generator.bin", "truncate", "has 2,528 bytes, but a generator state has 5,056")]
    [InlineData("model.bin", "random", "cannot be read as this run's model weights")]
    [InlineData("model.bin", "truncate", "cannot be read as this run's model weights")]
    [InlineData("optimizer.bin", "truncate", "cannot be read as this run's optimiser state")]
    [InlineData("state.json", "999999", "records step 999999, outside 0..60")]
    public void DamagedFormat1Checkpoint_IsRefused_NamingTheFile(string part, string damage, string problem)
    {
        var directory = Stopped();
        var path = Part(directory, part);
        MakeFormat1(directory, damage == "999999" ? 999999 : null);
        if (damage == "random") Randomise(path);
        if (damage == "truncate") Truncate(path, 0.5);
        var error = Assert.Throws<RunFileException>(() => Run(directory, root));
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith($"{path} {problem}", error.Message);
    }

    [Fact]
    public void DeletedCheckpoint_RestartsTheMetrics_WithALine()
    {
        var directory = Stopped();
        Directory.Delete(Path.Combine(directory, "checkpoint"), recursive: true);
        var messages = new List<string>();
        Run(directory, root, log: messages.Add);
        var metrics = Path.Combine(directory, "metrics.csv");
        Assert.Contains($"{metrics}: restarted, as there is no checkpoint to resume from; dropped its 2 rows of an earlier start", messages);
        Assert.Equal(["20", "40", "60"], File.ReadAllLines(metrics).Skip(1).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void MetricsMissingRows_AreReported_AndTrainingGoesOn()
    {
        var directory = Stopped();
        var metrics = Path.Combine(directory, "metrics.csv");
        var lines = File.ReadAllLines(metrics);
        File.WriteAllLines(metrics, [lines[0], lines[2]]);                      // row of step 20 deleted
        var messages = new List<string>();
        Run(directory, root, log: messages.Add);
        Assert.Contains($"{metrics}: 1 row before step 40, the checkpoint's, is missing (steps 20 to 20); going on without them (they cannot be recomputed; the model resumes exactly)", messages);
        Assert.Equal(["40", "60"], File.ReadAllLines(metrics).Skip(1).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void MetricsRowsAfterTheCheckpoint_AreDropped_WithALine()
    {
        var directory = Stopped();
        var metrics = Path.Combine(directory, "metrics.csv");
        File.AppendAllText(metrics, "60,1,2,3,4,5\n");
        var messages = new List<string>();
        Run(directory, root, log: messages.Add);
        Assert.Contains($"{metrics}: dropped 1 row after step 40, the checkpoint's; those steps are redone", messages);
        Assert.Equal(["20", "40", "60"], File.ReadAllLines(metrics).Skip(1).Select(l => l.Split(',')[0]));
        Assert.NotEqual("1", File.ReadAllLines(metrics)[^1].Split(',')[1]);
    }

    [Fact]
    public void MetricsRowCutInHalf_IsDropped_NamingFileAndLine()
    {
        var directory = Stopped();
        var metrics = Path.Combine(directory, "metrics.csv");
        var lines = File.ReadAllLines(metrics);
        File.WriteAllLines(metrics, [lines[0], lines[1], lines[2][..(lines[2].Length / 2)]]);
        var messages = new List<string>();
        Run(directory, root, log: messages.Add);
        Assert.Contains(messages, m => m.StartsWith($"{metrics}:3: dropped a malformed row '{lines[2][..(lines[2].Length / 2)]}' (", StringComparison.Ordinal));
        Assert.Contains($"{metrics}: 1 row before step 40, the checkpoint's, is missing (steps 40 to 40); going on without them (they cannot be recomputed; the model resumes exactly)", messages);
        Assert.All(File.ReadAllLines(metrics).Skip(1), line => Assert.Equal(6, line.Split(',').Length));
    }

    /// <summary>Training time and the seconds column carry on across a resume.</summary>
    [Fact]
    public void Resume_AccumulatesTrainingTime()
    {
        var directory = Stopped();
        var metrics = Path.Combine(directory, "metrics.csv");
        var before = double.Parse(File.ReadAllLines(metrics)[^1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        var stateSeconds = (double)JsonNode.Parse(File.ReadAllText(Part(directory, "state.json")))!["Seconds"]!;
        var clock = Stopwatch.StartNew();
        var result = Run(directory, root);
        clock.Stop();
        Assert.True(result.TrainSeconds > stateSeconds && stateSeconds >= before && before > 0, $"{result.TrainSeconds} after {stateSeconds}");
        var seconds = File.ReadAllLines(metrics).Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(seconds.Order(), seconds);
        Assert.True(seconds[^1] > before);
        // 60 steps in all, over the time of both sessions.
        Assert.Equal(60 / result.TrainSeconds, result.StepsPerSecond, 6);
    }

    /// <summary>
    /// A crash (here: an exception at step 50) after the checkpoint at 40: the reports TensorBoard got
    /// (<c>committed</c>) and the metrics rows stop at 40, so the resumed steps 50 and 60 appear once.
    /// </summary>
    [Fact]
    public void CrashAfterACheckpoint_CommitsEachStepOnce()
    {
        var spec = Spec with { Training = Spec.Training with { ReportEvery = 10 } };
        var directory = Path.Combine(root, "crash");
        var committed = new List<int>();
        void Execute(int? crashAt)
        {
            using var plan = ExperimentPlan.Resolve(spec, Resolve);
            var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Step == crashAt) throw new InvalidOperationException("crash"); });
            TrainingRun.Execute(plan, 0, directory, new EmbeddingProvider(root), progress, committed: p => committed.Add(p.Step)).Run.Dispose();
        }
        Assert.Throws<InvalidOperationException>(() => Execute(50));
        Assert.Equal([10, 20, 30, 40], committed);
        Assert.Equal(["10", "20", "30", "40"], File.ReadAllLines(Path.Combine(directory, "metrics.csv")).Skip(1).Select(l => l.Split(',')[0]));
        Execute(null);
        Assert.Equal([10, 20, 30, 40, 50, 60], committed);
        Assert.Equal(["10", "20", "30", "40", "50", "60"], File.ReadAllLines(Path.Combine(directory, "metrics.csv")).Skip(1).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void TruncatedCachedEmbedding_IsLearnedAgain_WithALine()
    {
        var spec = Spec with { Latent = new LatentOptions { Embedding = EmbeddingSource.Learned }, Wae = new WaeOptions { Steps = 40 }, EmbeddingChecks = new EmbeddingChecks { AllowFailures = true } };
        var cache = Path.Combine(root, "embeddings");
        var first = Run(Path.Combine(root, "a"), cache, spec);
        Truncate(first.EmbeddingPath!, 0.5);
        var messages = new List<string>();
        var again = Run(Path.Combine(root, "b"), cache, spec, messages.Add);
        Assert.StartsWith($"not reusing {first.EmbeddingPath}: {first.EmbeddingPath} is truncated or not the weights {first.EmbeddingPath}.json describes (", messages[0]);
        Assert.StartsWith("learning a WAE-MMD embedding of circle", messages[1]);
        Assert.Equal(first.Elbo, again.Elbo);
    }

    [Theory]
    [InlineData(".bin")]
    [InlineData(".bin.json")]
    public void TruncatedSavedEmbedding_IsRefused_NamingTheFile(string which)
    {
        var path = Path.Combine(root, "f.bin");
        using (var f = WaeMmdTrainer.Train(new Circle(), new WaeOptions { Steps = 5 })) f.SaveTo(path);
        Truncate(which == ".bin" ? path : path + ".json", 0.5);
        var spec = Spec with { Latent = new LatentOptions { Embedding = EmbeddingSource.Saved(path) } };
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(spec, Resolve));
        Assert.Equal("latent.embedding", error.Key);
        Assert.StartsWith(which == ".bin" ? $"{path} is truncated or not the weights {path}.json describes (" : $"{path}.json is not embedding metadata: ", error.Message);
    }

    /// <summary>
    /// A full disk (a tmpfs with room for one checkpoint and a half, not two) fails the second save with an
    /// IOException, leaving no checkpoint.tmp/ and no metrics row past the checkpoint that survived.
    /// Needs a tmpfs mount: the tests run as root, here and in CI, and fail rather than pass unchecked without one.
    /// </summary>
    [Fact]
    public void FullDisk_LeavesNoTemporaryCheckpoint_AndNoRowsPastTheCheckpoint()
    {
        var reference = Stopped("reference");
        var checkpoint = Directory.GetFiles(Path.Combine(reference, "checkpoint")).Sum(f => new FileInfo(f).Length);
        var tiny = Path.Combine(root, "tiny");
        Assert.True(Mount(tiny, $"{checkpoint * 3 / 2 / 1024}k"), "cannot mount a tmpfs (the tests need root)");
        var directory = Path.Combine(tiny, "run");
        Assert.ThrowsAny<IOException>(() => Run(directory, root));
        Assert.False(Directory.Exists(Path.Combine(directory, "checkpoint.tmp")), "checkpoint.tmp/ left behind");
        var step = (int)JsonNode.Parse(File.ReadAllText(Part(directory, "state.json")))!["Step"]!;
        Assert.All(File.ReadAllLines(Path.Combine(directory, "metrics.csv")).Skip(1), line => Assert.True(int.Parse(line.Split(',')[0]) <= step, line));
    }

    private static bool Mount(string directory, string size)
    {
        Directory.CreateDirectory(directory);
        try
        {
            using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", $"size={size}", "tmpfs", directory]) { RedirectStandardError = true })!;
            mount.WaitForExit();
            return mount.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;                                                      // no mount command
        }
    }

    private static void Unmount(string directory)
    {
        if (!Directory.Exists(directory)) return;
        using var umount = Process.Start(new ProcessStartInfo("umount", [directory]) { RedirectStandardError = true })!;
        umount.WaitForExit();
    }
}
