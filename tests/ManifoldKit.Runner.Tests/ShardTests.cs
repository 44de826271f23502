using System.Collections;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ManifoldKit.Runner.Commands;
using ManifoldKit.Runner.Configuration;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary><c>sweep --shard</c>, <c>report</c> and the learned-f lock: the split, its environment, and shards run side by side.</summary>
public sealed class ShardTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-shard").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    // Shorter than CliTests' Short: three shards and a whole sweep share 2 cores with whatever else runs.
    private static readonly string[] Short = ["seeds=[0,1]", "training.steps=40", "training.report_every=20", "training.checkpoint_every=20",
        "wae.steps=60", "embedding_checks.allow_failures=true", "evaluation.test_size=100", "evaluation.iwae_samples=5", "evaluation.elbo_samples=2"];

    // One thread each, so that every process computes the same numbers and three fit on 2 cores.
    private static readonly Dictionary<string, string> OneThread = new() { [LibTorchThreads.Variable] = "1" };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(13)]
    public void Split_PutsEveryUnitInExactlyOneShard_RoundRobin(int count)
    {
        for (var units = 0; units < 12; units++)
            for (var u = 0; u < units; u++)
            {
                var owners = Enumerable.Range(0, count).Where(i => new Shard(i, count, "t").Owns(u)).ToList();
                Assert.Equal([u % count], owners);
                Assert.Equal(u % count, Shard.Owner(u, count));
            }
    }

    [Fact]
    public void Parse_ReadsIN_Slurm_AndIndexedJob()
    {
        var none = new Hashtable();
        Assert.Equal(Shard.All, Shard.Parse(null, none));
        Assert.Equal((2, 5), Pair(Shard.Parse("2/5", none)));
        Assert.Equal((0, 1), Pair(Shard.Parse("0/1", none)));
        // Slurm: --array=4-6 gives ids 4, 5, 6 and MIN 4; without MIN the id is the index.
        Assert.Equal((1, 3), Pair(Shard.Parse("auto", Env(("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "4"), ("SLURM_ARRAY_TASK_COUNT", "3")))));
        Assert.Equal((2, 3), Pair(Shard.Parse("auto", Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3")))));
        // --array=1-9:4 gives ids 1, 5, 9.
        Assert.Equal((2, 3), Pair(Shard.Parse("auto", Env(("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_STEP", "4"), ("SLURM_ARRAY_TASK_COUNT", "3")))));
        Assert.Equal("SLURM_ARRAY_TASK_ID=5 - SLURM_ARRAY_TASK_MIN=4", Shard.Parse("auto", Env(("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "4"), ("SLURM_ARRAY_TASK_COUNT", "3"))).Source);
        Assert.Equal((3, 4), Pair(Shard.Parse("auto/4", Env(("JOB_COMPLETION_INDEX", "3")))));
    }

    [Theory]
    [InlineData("3/3", "", "--shard '3/3': the index 3 must be below the count 3 (shards are numbered from 0)")]
    [InlineData("0/0", "", "--shard '0/0': the count '0' is not a positive integer")]
    [InlineData("a/2", "", "--shard 'a/2': the index 'a' is not a non-negative integer")]
    [InlineData("-1/2", "", "--shard '-1/2': the index '-1' is not a non-negative integer")]
    [InlineData("1/b", "", "--shard '1/b': the count 'b' is not a positive integer")]
    [InlineData("2", "", "--shard '2': expected I/N, auto or auto/N")]
    [InlineData("auto", "", "--shard auto reads a Slurm job array's SLURM_ARRAY_TASK_ID, which is not set; submit with sbatch --array=0-K")]
    [InlineData("auto", "SLURM_ARRAY_TASK_ID=1", "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")]
    [InlineData("auto", "SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_COUNT=2", "--shard: the environment variable SLURM_ARRAY_TASK_ID is 'x'; expected a non-negative integer.")]
    [InlineData("auto", "SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=3", "--shard auto: SLURM_ARRAY_TASK_ID=3 gives index 3, not below SLURM_ARRAY_TASK_COUNT=3")]
    [InlineData("auto", "SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3", "gives no shard index")]
    [InlineData("auto/3", "", "--shard auto/3 reads the Indexed Job's index from JOB_COMPLETION_INDEX, which is not set")]
    [InlineData("auto/3", "JOB_COMPLETION_INDEX=3", "JOB_COMPLETION_INDEX must be below N = 3: set completions: 3 in the Job, or --shard auto/4 or more")]
    [InlineData("auto/0", "JOB_COMPLETION_INDEX=0", "--shard 'auto/0': the count '0' is not a positive integer")]
    public void Parse_RefusesBadValues_NamingTheOptionOrVariable_AndTheFix(string value, string environment, string message)
    {
        var variables = Env(environment.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => (p.Split('=')[0], p.Split('=')[1])).ToArray());
        var error = Assert.Throws<ConfigException>(() => Shard.Parse(value, variables));
        Assert.Contains(message, error.Message);
    }

    /// <summary>A second holder waits until the first lets go (the same flock the shards' processes use on each other).</summary>
    [Fact]
    public async Task FileLock_MakesASecondHolderWait_UntilTheFirstReleases()
    {
        var path = Path.Combine(work, "embeddings", "f.bin.lock");
        var waited = false;
        Task<FileLock> second;
        using (FileLock.Acquire(path))
        {
            second = Task.Run(() => FileLock.Acquire(path, () => waited = true));
            await Task.Delay(1000);
            Assert.False(second.IsCompleted, "the second holder did not wait");
        }
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        Assert.True(waited);
        Assert.True(File.Exists(path), "the lock file is kept");
    }

    [Fact]
    public void Sweep_BadShard_ExitsTwo_NamingTheValueAndTheFix()
    {
        var folder = Configs();
        var (code, _, error) = Repository.Run(work, null, ["sweep", folder, "--shard", "2/2", .. Short]);
        Assert.Equal(2, code);
        Assert.StartsWith("manifoldkit: --shard '2/2': the index 2 must be below the count 2", error);
        (code, _, error) = Repository.Run(work, null, ["report", folder, "--shards", "0", .. Short]);
        Assert.Equal(2, code);
        Assert.StartsWith("manifoldkit: --shards 0: expected a positive number of shards", error);
        Assert.False(Directory.Exists(Path.Combine(work, "runs")));
    }

    /// <summary>
    /// Three shards of a 2-config x 2-seed sweep run side by side into one folder; both configs learn f on the
    /// circle, and units 0 and 2 (seed 0) are in shards 0 and 2, units 1 and 3 (seed 1) in shards 1 and 0,
    /// so two shards need each f. Each f is learned once; report merges a table equal to one process's sweep.
    /// </summary>
    [Fact]
    public void ThreeShards_SideBySide_LearnEachFOnce_AndReportEqualsOneSweep()
    {
        var folder = Configs();
        var clock = Stopwatch.StartNew();
        var shards = Enumerable.Range(0, 3).Select(i => Repository.Start(work, OneThread, ["sweep", folder, "--shard", $"{i}/3", .. Short])).ToList();
        var outputs = shards.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Error: p.StandardError.ReadToEndAsync())).ToList();
        foreach (var shard in shards)
        {
            if (!shard.WaitForExit(TimeSpan.FromMinutes(5))) shard.Kill(entireProcessTree: true);
            shard.WaitForExit();
        }
        var logs = outputs.Select(o => o.Out.Result + o.Error.Result).ToList();
        for (var i = 0; i < 3; i++) Assert.True(shards[i].ExitCode == 0, logs[i]);
        var shardSeconds = clock.Elapsed.TotalSeconds;
        Assert.StartsWith("shard 0/3 (--shard 0/3) runs 2 of 4 units (u mod 3 = 0): #0 a-learned seed 0, #3 b-learned-action seed 1\n", logs[0]);
        Assert.StartsWith("shard 2/3 (--shard 2/3) runs 1 of 4 units (u mod 3 = 2): #2 b-learned-action seed 0\n", logs[2]);
        foreach (var seed in new[] { 0, 1 })
        {
            var learned = logs.Sum(log => Regex.Matches(log, $@"learning a WAE-MMD embedding of circle \(60 steps, seed {seed}\)").Count);
            Assert.True(learned == 1, $"seed {seed}'s f learned {learned} times:\n{string.Join("\n----\n", logs)}");
            var reused = logs.Sum(log => Regex.Matches(log, $@"reusing learned embedding \S+-seed{seed}\.bin").Count);
            Assert.True(reused == 1, $"seed {seed}'s f reused {reused} times");
        }

        var (code, merged, error) = Repository.Run(work, null, ["report", folder, .. Short]);
        Assert.True(code == 0, merged + error);
        Assert.EndsWith("\n4 of 4 runs finished, under runs.\n", merged);
        Assert.DoesNotContain("missing", merged);

        // --group 1: a shard owning one seed of a config trains it alone, so the reference trains every seed alone too.
        var (sweepCode, single, sweepError) = Repository.Run(work, OneThread, ["sweep", folder, "--jobs", "1", "--group", "1", .. Short, "output=whole"]);
        Assert.True(sweepCode == 0, single + sweepError);
        Assert.Equal(Rows(single), Rows(merged));
        Assert.Equal(2, Rows(merged).Count);
        Console.WriteLine($"three shards {shardSeconds:F0} s, whole sweep {clock.Elapsed.TotalSeconds - shardSeconds:F0} s");
    }

    /// <summary>
    /// By default a config's seeds train as one stacked model: one progress line for the pair, a result
    /// line and a run folder per seed with the files a seed trained alone leaves (and the group's noise
    /// state in its checkpoint); --group 1 trains them one by one; --group 0 is refused.
    /// </summary>
    [Fact]
    public void Group_TrainsAConfigsSeedsAsOneModel()
    {
        var folder = Configs();
        var (code, output, error) = Repository.Run(work, OneThread, ["sweep", folder, "--jobs", "1", .. Short]);
        Assert.True(code == 0, output + error);
        Assert.Contains("a-learned seeds 0,1 as one model: step 40/40", output);
        Assert.Contains("b-learned-action seeds 0,1 as one model: step 40/40", output);
        var (aloneCode, alone, aloneError) = Repository.Run(work, OneThread, ["sweep", folder, "--jobs", "1", "--group", "1", .. Short, "output=alone"]);
        Assert.True(aloneCode == 0, alone + aloneError);
        Assert.DoesNotContain("as one model", alone);
        Assert.Equal(2, Rows(output).Count);
        foreach (var name in new[] { "a-learned", "b-learned-action" })
            foreach (var seed in new[] { 0, 1 })
            {
                string[] Files(string root) => [.. Directory.GetFiles(Path.Combine(work, root, name, $"seed{seed}"), "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(Path.Combine(work, root, name, $"seed{seed}"), f)).Where(f => !f.StartsWith("tensorboard")).Order()];
                Assert.Equal([.. Files("alone").Append(Path.Combine("checkpoint", "noise.bin")).Order()], Files("runs"));
                Assert.Single(Regex.Matches(output, $@"{name} seed {seed}: test ELBO"));
            }
        (code, _, error) = Repository.Run(work, null, ["sweep", folder, "--group", "0", .. Short]);
        Assert.Equal((2, "manifoldkit: --group 0: give the most seeds to train as one model, 1 or more (1 trains them one by one).\n"), (code, error));
    }

    /// <summary>
    /// sweep --jobs 2 runs the sweep as two shard processes, their lines marked with the shard, and prints
    /// the table one process prints; each f is learned once. Without --jobs, one process per core (with
    /// MANIFOLDKIT_THREADS=1), at most one per unit, gives the same table. A bad count, or --jobs with
    /// --shard, is refused.
    /// </summary>
    [Fact]
    public void Jobs_RunsShardProcesses_AndPrintsTheOneProcessTable()
    {
        var folder = Configs();
        var (code, output, error) = Repository.Run(work, OneThread, ["sweep", folder, "--jobs", "2", .. Short]);
        Assert.True(code == 0, output + error);
        Assert.StartsWith("sweep: 2 shard processes side by side, MANIFOLDKIT_THREADS=1 each\n", output);
        Assert.Contains("\n[0/2] shard 0/2 (--shard 0/2) runs 2 of 4 units (u mod 2 = 0): #0 a-learned seed 0, #2 b-learned-action seed 0\n", output);
        Assert.Matches(@"\n4 runs, sweep wall time [0-9.]+ min in 2 processes \(runs finished earlier are read, not retrained\)\.\n$", output);
        foreach (var seed in new[] { 0, 1 })
            Assert.Single(Regex.Matches(output, $@"learning a WAE-MMD embedding of circle \(60 steps, seed {seed}\)"));

        var (singleCode, single, singleError) = Repository.Run(work, OneThread, ["sweep", folder, "--jobs", "1", "--group", "1", .. Short, "output=whole"]);
        Assert.True(singleCode == 0, single + singleError);
        Assert.DoesNotContain("shard processes", single);
        Assert.Equal(2, Rows(output).Count);
        Assert.Equal(Rows(single), Rows(output));

        var (defaultCode, byDefault, defaultError) = Repository.Run(work, OneThread, ["sweep", folder, "--group", "1", .. Short, "output=default"]);
        Assert.True(defaultCode == 0, byDefault + defaultError);
        var expected = Math.Min(Environment.ProcessorCount, 4);
        if (expected > 1) Assert.StartsWith($"sweep: {expected} shard processes side by side, MANIFOLDKIT_THREADS=1 each\n", byDefault);
        else Assert.DoesNotContain("shard processes", byDefault);
        Assert.Equal(Rows(single), Rows(byDefault));

        (code, _, error) = Repository.Run(work, null, ["sweep", folder, "--jobs", "0", .. Short]);
        Assert.Equal((2, "manifoldkit: --jobs 0: give the number of processes, 1 or more.\n"), (code, error));
        (code, _, error) = Repository.Run(work, null, ["sweep", folder, "--jobs", "2", "--shard", "0/2", .. Short]);
        Assert.Equal((2, "manifoldkit: --jobs 2 with --shard: a shard is one process; give one of them.\n"), (code, error));
    }

    /// <summary>One shard of two has run: report shows its run, and lists the other's as missing, with its shard; a started run without result.json is missing too.</summary>
    [Fact]
    public void Report_OfAPartlyRunFolder_ListsTheMissingUnits()
    {
        var folder = Path.Combine(work, "one");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "vae.yaml"), "name: vae\nlatent:\n  kind: euclidean\n  dim: 2\n");
        var (code, output, error) = Repository.Run(work, OneThread, ["sweep", folder, "--shard", "1/2", .. Short]);
        Assert.True(code == 0, output + error);
        Assert.StartsWith("shard 1/2 (--shard 1/2) runs 1 of 2 units (u mod 2 = 1): #1 vae seed 1\n", output);
        Assert.False(Directory.Exists(Path.Combine(work, "runs", "vae", "seed0")));
        // A run another shard has begun: its folder and config exist, its result.json not yet.
        Directory.CreateDirectory(Path.Combine(work, "runs", "vae", "seed0", "checkpoint"));
        File.WriteAllText(Path.Combine(work, "runs", "vae", "seed0", "config.yaml"),
            File.ReadAllText(Path.Combine(work, "runs", "vae", "seed1", "config.yaml")).Replace("\nseeds: [1]\n", "\nseeds: [0]\n"));

        var report = Path.Combine(work, "partial.md");
        (code, output, error) = Repository.Run(work, null, ["report", folder, "--shards", "2", "--report", report, .. Short]);
        Assert.True(code == 0, output + error);
        Assert.Equal(output, File.ReadAllText(report));
        var lines = output.Split('\n');
        Assert.Matches(@"^\| vae \| 1 \| -?\d+\.\d\d ± 0\.00 \|", lines[2]);
        Assert.Contains("\n1 of 2 runs missing (no result.json yet):\n- vae seed 0 (shard 0/2)\n", output);
        Assert.EndsWith("\n1 of 2 runs finished, under runs.\n", output);

        // Other overrides than the sweep's would report other experiments' numbers: refused.
        (code, _, error) = Repository.Run(work, null, ["report", folder, .. Short, "training.steps=41"]);
        Assert.Equal(2, code);
        Assert.Contains("holds a run of a different config", error);
        Assert.EndsWith("give the same config and overrides as the sweep that made it.\n", error);
    }

    private string Configs()
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "configs")).FullName;
        File.WriteAllText(Path.Combine(folder, "1-a.yaml"), "name: a-learned\nlatent:\n  embedding: learned\nreference: paper 1\n");
        File.WriteAllText(Path.Combine(folder, "2-b.yaml"), "name: b-learned-action\nlatent:\n  embedding: learned\n  group_action: true\n");
        return folder;
    }

    // The table's rows without the timing columns (train time, steps/s), which differ between runs of the same numbers.
    private static List<string> Rows(string output) =>
        output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| model ", StringComparison.Ordinal))
            .Select(l => l.Split(" | ")).Select(c => string.Join(" | ", c[..6].Concat(c[8..]))).ToList();

    private static (int, int) Pair(Shard shard) => (shard.Index, shard.Count);

    private static Hashtable Env(params (string Key, string Value)[] pairs)
    {
        var table = new Hashtable();
        foreach (var (key, value) in pairs) table[key] = value;
        return table;
    }
}
