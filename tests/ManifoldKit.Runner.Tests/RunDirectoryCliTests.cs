using System.Diagnostics;
using System.Text.Json.Nodes;
using ManifoldKit.Runner.Commands;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>A damaged run directory or a refused output folder, end to end: one line and its exit code.</summary>
public sealed class RunDirectoryCliTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-rundir-cli").FullName;

    public void Dispose()
    {
        Unmount(Path.Combine(work, "ro"));
        Directory.Delete(work, recursive: true);
    }

    private static readonly string[] Short = ["training.steps=100", "training.report_every=50", "training.checkpoint_every=50",
        "evaluation.test_size=200", "evaluation.iwae_samples=5", "evaluation.elbo_samples=2"];

    /// <summary>A finished run whose result.json is then deleted: running it again resumes from its last checkpoint.</summary>
    private (string Run, JsonNode Result) Finished()
    {
        var config = Path.Combine(work, "exp.yaml");
        File.WriteAllText(config, "name: exp\nlatent:\n  group_action: true\n");
        var (code, output, error) = Repository.Run(work, null, ["run", config, .. Short]);
        Assert.True(code == 0, output + error);
        var run = Path.Combine(work, "runs", "exp", "seed0");
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        File.Delete(Path.Combine(run, "result.json"));
        return (run, result);
    }

    [Theory]
    [InlineData("checkpoint/model.bin", "truncate", "is truncated or altered")]
    [InlineData("checkpoint/generator.bin", "random", "does not match its SHA-256 in state.json")]
    [InlineData("checkpoint/generator.bin", "random-format1", "is not a valid mt19937 generator state")]   // was a native abort
    [InlineData("checkpoint/state.json", "step", "records step 999999, outside 0..100 (training.steps)")]
    [InlineData("result.json", "garbage", "is not a run's result")]
    public void DamagedFile_ExitsWith4_AndOneLineNamingIt(string file, string damage, string problem)
    {
        var (run, result) = Finished();
        var path = Path.Combine(run, file);
        var state = Path.Combine(run, "checkpoint", "state.json");
        switch (damage)
        {
            case "truncate":
                var bytes = File.ReadAllBytes(path);
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "random" or "random-format1":
                var noise = new byte[new FileInfo(path).Length];
                new Random(3).NextBytes(noise);
                File.WriteAllBytes(path, noise);
                if (damage == "random-format1") File.WriteAllText(state, "{\"Step\":100,\"Restart\":null}");
                break;
            case "step":
                File.WriteAllText(state, File.ReadAllText(state).Replace("\"Step\":100", "\"Step\":999999"));
                break;
            default:
                File.WriteAllText(Path.Combine(run, "result.json"), result.ToJsonString()[..40]);
                break;
        }
        var (code, output, error) = Repository.Run(work, null, "run", run);
        Assert.True(code == 4, output + error);
        Assert.Equal($"manifoldkit: {path} {problem}", error[..$"manifoldkit: {path} {problem}".Length]);
        Assert.EndsWith("; the run directory is damaged: start afresh with another --out (or delete it)\n", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    /// <summary>A resume keeps the training time and pace of the sessions before it (here: all of it, as none is left).</summary>
    [Fact]
    public void Resume_KeepsTrainSecondsAndPace()
    {
        var (run, first) = Finished();
        var (code, output, error) = Repository.Run(work, null, "run", run);
        Assert.True(code == 0, output + error);
        var again = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        // The second session runs no step: it adds only its few milliseconds of setting up.
        var (seconds, pace) = ((double)first["train_seconds"]!, (double)first["steps_per_second"]!);
        Assert.InRange((double)again["train_seconds"]!, seconds, seconds + 0.05);
        Assert.InRange((double)again["steps_per_second"]!, 100 / (seconds + 0.05), pace);
        Assert.Equal(["50", "100"], File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(',')[0]));
    }

    /// <summary>
    /// An output folder that cannot be written fails before the WAE (which would take minutes), naming
    /// the folder: a read-only tmpfs where mounting works (root here), else a path under a regular file.
    /// </summary>
    [Fact]
    public void ReadOnlyOutput_ExitsWith3_BeforeTheWae()
    {
        var output = Path.Combine(work, "ro");
        if (!MountReadOnly(output))
        {
            File.WriteAllText(Path.Combine(work, "file"), "");
            output = Path.Combine(work, "file", "runs");
        }
        var config = Path.Combine(work, "exp.yaml");
        File.WriteAllText(config, "name: exp\n");
        var clock = Stopwatch.StartNew();
        var (code, stdout, error) = Repository.Run(work, null, ["run", config, "--out", Path.Combine(work, "elsewhere"), $"output={output}", "latent.embedding=learned", "wae.steps=100000", .. Short]);
        Assert.True(code == 3, stdout + error);
        Assert.StartsWith($"manifoldkit: cannot read or write: {Path.Combine(output, "embeddings")} is not writable (", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("learning a WAE-MMD", stdout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));

        (code, stdout, error) = Repository.Run(work, null, ["run", config, $"output={output}", .. Short]);
        Assert.True(code == 3, stdout + error);
        Assert.StartsWith($"manifoldkit: cannot read or write: {Path.Combine(output, "exp", "seed0")} is not writable (", error);
    }

    /// <summary>A nearly full disk (a 4 MB tmpfs; the tests run as root) is refused before training, with the figures.</summary>
    [Fact]
    public void SmallDisk_ExitsWith3_BeforeTraining()
    {
        var output = Path.Combine(work, "ro");
        Assert.True(Mount(output, "size=4m"), "cannot mount a tmpfs (the tests need root)");
        var config = Path.Combine(work, "exp.yaml");
        File.WriteAllText(config, "name: exp\n");
        var (code, stdout, error) = Repository.Run(work, null, ["run", config, $"output={output}", .. Short]);
        Assert.True(code == 3, stdout + error);
        Assert.Matches($@"^manifoldkit: cannot read or write: {System.Text.RegularExpressions.Regex.Escape(Path.Combine(output, "exp", "seed0"))} has [0-4]\.\d MB free, but this run needs 1\d\.\d MB \(4 × its model and optimiser state \+ 10 MB\); free some space or choose another --out\n$", error);
        Assert.False(File.Exists(Path.Combine(output, "exp", "seed0", "metrics.csv")));
    }

    [Fact]
    public void TooLittleFreeSpace_IsRefused_WithTheRule()
    {
        var folder = Path.Combine(work, "runs");
        var error = Assert.Throws<IOException>(() => OutputCheck.Writable(folder, 50L << 20, _ => 3L << 20));
        Assert.Equal($"{folder} has 3.0 MB free, but this run needs 50.0 MB (4 × its model and optimiser state + 10 MB); free some space or choose another --out", error.Message);
        OutputCheck.Writable(folder, 50L << 20, _ => 60L << 20);
        Assert.Empty(Directory.GetFiles(folder, "*", new EnumerationOptions { AttributesToSkip = 0 }));      // the probe is gone
    }

    [Fact]
    public void RequiredBytes_FollowsTheArchitecture()
    {
        var spec = new Experiments.ExperimentSpec();
        // 100 -> 128 -> 128 -> 100 twice, heads, f: 4 x 12 bytes a parameter + 10 MB.
        var parameters = 2 * (101 * 128 + 129 * 128 + 129 * 100) + 64 * 129 + 20_000;
        Assert.Equal(48L * parameters + (10L << 20), OutputCheck.RequiredBytes(spec));
    }

    private static bool MountReadOnly(string directory) => Mount(directory, "ro,size=1m");

    private static bool Mount(string directory, string options)
    {
        Directory.CreateDirectory(directory);
        try
        {
            using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", options, "tmpfs", directory]) { RedirectStandardError = true })!;
            mount.WaitForExit();
            return mount.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void Unmount(string directory)
    {
        if (!Directory.Exists(directory)) return;
        using var umount = Process.Start(new ProcessStartInfo("umount", [directory]) { RedirectStandardError = true })!;
        umount.WaitForExit();
    }
}
