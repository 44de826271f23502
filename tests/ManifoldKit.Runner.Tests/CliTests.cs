using ManifoldKit.Runner.Reporting;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>End to end through the real executable, as a user runs it.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-cli").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    // Small enough for a test: the pipeline is the real one, only shorter.
    private static readonly string[] Short = ["training.steps=200", "training.report_every=50", "training.checkpoint_every=100",
        "wae.steps=100", "embedding_checks.allow_failures=true", "evaluation.test_size=200", "evaluation.iwae_samples=5", "evaluation.elbo_samples=2"];

    private string Config(string yaml, string name = "exp.yaml")
    {
        var path = Path.Combine(work, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Manifolds_ListsTheBuiltIns()
    {
        var (code, output, error) = Repository.Run(work, null, "manifolds");
        Assert.True(code == 0, error);
        Assert.Contains("| circle | 1 | 2 | 6.28319 | yes | SO(2) (2 parameters) | plugins/ManifoldKit.Manifolds.Circle/ManifoldKit.Manifolds.Circle.dll |", output);
        Assert.Contains("| sphere | 2 | 3 | 12.5664 | yes | SO(3) (6 parameters) |", output);
        Assert.Contains("| so3 | 3 | 9 | 223.324 | yes | SO(3) (6 parameters) |", output);
    }

    [Fact]
    public void ExternalPlugin_IsListed_Verified_AndTrainedOn()
    {
        var plugins = Path.Combine(work, "my-plugins");
        Repository.InstallPlugin("plugins/Torus", "ManifoldKit.Plugins.Torus", plugins);
        var environment = new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins };

        var (code, output, error) = Repository.Run(work, environment, "manifolds");
        Assert.True(code == 0, error);
        Assert.Contains("| torus | 2 | 4 | 39.4784 | yes | SO(2)×SO(2) (4 parameters) |", output);

        (code, output, error) = Repository.Run(work, environment, "verify", "torus");
        Assert.True(code == 0, output + error);
        Assert.Contains("  PASS VolumeElement_EqualsManifoldVolume", output);
        Assert.Contains("  PASS Act_IsCompatibleWithCompose", output);
        Assert.EndsWith("torus: 39 passed, 0 failed\n", output);

        // A config can name the plugin's build output folder itself.
        var config = Config($"plugin_dirs: [{Repository.Output("plugins/Torus")}]\ntask: torus\nlatent:\n  manifold: torus\n  group_action: true\n");
        (code, output, error) = Repository.Run(work, null, ["run", config, .. Short]);
        Assert.True(code == 0, output + error);
        Assert.Contains("exp seed 0: test ELBO ", output);
        Assert.True(File.Exists(Path.Combine(work, "runs", "exp", "seed0", "result.json")));
    }

    /// <summary>In its own process: the test host itself has Newtonsoft.Json loaded, which would hide the missing file.</summary>
    [Fact]
    public void PluginWhoseTypesCannotLoad_IsReported_AndTheOthersStillLoad()
    {
        var plugins = Path.Combine(work, "stale-plugins");
        var stale = Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        File.Delete(Path.Combine(stale, "Newtonsoft.Json.dll"));
        var (code, output, error) = Repository.Run(work, new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins }, "manifolds");
        Assert.True(code == 0, error);
        Assert.Contains("| sphere | 2 | 3 |", output);
        Assert.DoesNotContain("| lopsided |", output);
        Assert.Contains($"warning: plugin {Path.Combine(stale, "ManifoldKit.Runner.TestPlugins.dll")} failed to load its types: Could not load file or assembly 'Newtonsoft.Json", output);
        Assert.Contains("(a dependency missing from its folder, or built against another ManifoldKit.Abstractions?)", output);
    }

    [Fact]
    public void Verify_FailingManifold_ExitsOne_AndUnknownManifold_ExitsTwo()
    {
        var (code, output, error) = Repository.Run(work, null, "verify", "sphere", "--setting", "dim=3");
        Assert.Equal(0, code);
        Assert.Contains("ExactEmbeddingContract:\n  PASS ", output);                    // S³ offers one too
        Assert.DoesNotContain("FAIL", output);

        var plugins = Path.Combine(work, "test-plugins");
        Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        (code, output, _) = Repository.Run(work, new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins }, "verify", "lopsided");
        Assert.Equal(1, code);
        Assert.Contains("  FAIL VolumeElement_EqualsManifoldVolume: sqrt(det G) / Vol(M) (Vol = 7): max |error| = 0.1024 exceeds 1E-07 [seed ", output);
        Assert.Contains("  PASS Chart_InvertsEmbed", output);
        Assert.Contains("GroupActionContract: not offered (no group action); not checked", output);
        Assert.EndsWith("lopsided: 24 passed, 1 failed\n", output);

        (code, _, error) = Repository.Run(work, null, "verify", "nosuch");
        Assert.Equal(2, code);
        Assert.Equal("manifoldkit: unknown manifold 'nosuch'. Loaded: circle, so3, sphere. Plugins are read from the folder beside the executable, --plugin-dir DIR, MANIFOLDKIT_PLUGIN_PATH and a config's plugin_dirs.\n", error);
    }

    /// <summary>
    /// verify runs a [Property] through FsCheck: the lopsided volume fails at every seed, so shrinking
    /// reaches seed 0 and says where it started; a fixed replay seed makes a second run print the same.
    /// </summary>
    [Fact]
    public void Verify_ShrinksAFailure_AndShowsTheCounterexample_Reproducibly()
    {
        var plugins = Path.Combine(work, "test-plugins");
        Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        var environment = new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins };
        var (code, output, _) = Repository.Run(work, environment, "verify", "lopsided");
        Assert.Equal(1, code);
        var failure = Assert.Single(output.Split('\n'), line => line.StartsWith("  FAIL "));
        Assert.Matches(@"^  FAIL VolumeElement_EqualsManifoldVolume: .* \[seed 0; shrunk from seed [1-9]\d* in \d+ steps?\]$", failure);
        var (_, again, _) = Repository.Run(work, environment, "verify", "lopsided");
        Assert.Equal(output, again);
    }

    [Fact]
    public void BadConfig_ExitsTwo_WithTheMessageAndNoStackTrace()
    {
        var config = Config("name: bad\ntraining:\n  steps: 10\n  batchsize: 5\n");
        var (code, output, error) = Repository.Run(work, null, "run", config);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {config}:4: unknown key 'training.batchsize'; did you mean 'batch_size'? Known keys under 'training': batch_size, checkpoint_every, decay_steps, final_learning_rate, kl_warmup_steps, learning_rate, report_every, restart_steps, restarts, samples, steps.\n", error);
        Assert.DoesNotContain("   at ", output + error);

        config = Config("latent:\n  manifold: sphear\n", "typo.yaml");
        (code, _, error) = Repository.Run(work, null, "run", config);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {config}:2: latent.manifold: unknown manifold 'sphear'; did you mean 'sphere'? Loaded: circle, so3, sphere. Plugins are read from the folder beside the executable, --plugin-dir DIR, MANIFOLDKIT_PLUGIN_PATH and a config's plugin_dirs.\n", error);
    }

    /// <summary>
    /// A bug is not a usage error: an ArgumentException thrown deep inside training (here by a plugin's
    /// sampler) surfaces with its stack trace and an exit code other than 2.
    /// </summary>
    [Fact]
    public void BugDeepInside_ShowsItsStackTrace_NotAUsageError()
    {
        var plugins = Path.Combine(work, "buggy-plugins");
        Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        var config = Config("task: buggy\nlatent:\n  kind: euclidean\n");
        var (code, output, error) = Repository.Run(work, new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins }, ["run", config, .. Short]);
        Assert.NotEqual(0, code);
        Assert.NotEqual(2, code);
        Assert.Contains("System.ArgumentException: index out of range in a plugin's sampler (a simulated bug)", error);
        Assert.Contains("   at ", error);
        Assert.DoesNotContain("manifoldkit: index out of range", output + error);
    }

    /// <summary>training.restarts: each attempt is reported under the run's label, and the choice is kept in result.json and summary.md.</summary>
    [Fact]
    public void Run_WithRestarts_ReportsAndKeepsTheChoice()
    {
        var config = Config("name: restarted\nlatent:\n  group_action: true\n");
        var (code, output, error) = Repository.Run(work, null, ["run", config, .. Short, "training.restarts=2", "training.restart_steps=100"]);
        Assert.True(code == 0, output + error);
        Assert.Matches(@"restarted seed 0: restart 1/2: step 50/100  elbo -?[0-9.]+  kl [0-9.]+\n", output);
        Assert.Matches(@"restarted seed 0: restart 1/2: ELBO -?[0-9.]+ on 4096 fresh points after 100 steps\n", output);
        Assert.Matches(@"restarted seed 0: restart: going on with attempt [12] \(seed (0|1000000)\)\n", output);
        var run = Path.Combine(work, "runs", "restarted", "seed0");
        var result = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "result.json"))).RootElement;
        Assert.Equal(2, result.GetProperty("restart").GetProperty("scores").GetArrayLength());
        Assert.Equal(200, result.GetProperty("steps").GetInt32());
        Assert.Contains("| restarts | attempt ", File.ReadAllText(Path.Combine(run, "summary.md")));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);   // the chosen attempt's steps 50 to 200, once each
        Assert.Contains("  restarts: 2\n  restart_steps: 100\n", File.ReadAllText(Path.Combine(run, "config.yaml")));
    }

    [Fact]
    public void Run_WritesEveryOutput_AndEvalReevaluatesIt()
    {
        var config = Config("name: small\nlatent:\n  embedding: learned\n  group_action: true\n");
        var (code, output, error) = Repository.Run(work, null, ["run", config, .. Short]);
        Assert.True(code == 0, output + error);
        var run = Path.Combine(work, "runs", "small", "seed0");
        foreach (var file in new[] { "config.yaml", "metrics.csv", "result.json", "summary.md", "checkpoint/model.bin", "checkpoint/optimizer.bin", "plots/training.png", "plots/latent.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} is missing");
        foreach (var plot in new[] { "reconstructions.png", "samples.png" })
            Assert.False(File.Exists(Path.Combine(run, "plots", plot)), $"a toy task (D = 100 = 10², but no images) got {plot}");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);   // header + steps 50, 100, 150, 200
        Assert.Contains("small seed 0: step 200/200", output);                          // plain progress lines when redirected
        // Every figure the run wrote decodes, at the figures' size.
        Assert.Equal(["latent.png", "training.png"], Directory.GetFiles(Path.Combine(run, "plots")).Select(Path.GetFileName).Order());
        foreach (var plot in Directory.GetFiles(Path.Combine(run, "plots")))
            Assert.Equal((Figures.Width, Figures.Height), PngFile.Read(plot) is var (width, height, _) ? (width, height) : default);

        (code, output, error) = Repository.Run(work, null, "eval", run, "--iwae-k", "7");
        Assert.True(code == 0, output + error);
        Assert.Contains("small seed 0 at step 200, 200 test points:", output);
        Assert.Contains("  IWAE (k = 7)  ", output);
        Assert.Matches(@"  learned f \(.*circle-wae100x256-lambda10-seed0\.bin\):\n  embedding quality of f : \[0,1\]\^1 → circle \(seed 12345\)\n    on manifold:    \|f\(z\) − M\| over 2000 uniform codes: mean [0-9.eE-]+", output);
    }

    [Fact]
    public void Embed_SavesAnEmbedding_ThatARunThenUses()
    {
        // 250 steps make a poor f: saved and reported, and the exit code says a check failed.
        var (code, output, error) = Repository.Run(work, null, "embed", "sphere", "--steps", "250", "--out", "f/sphere.bin");
        Assert.True(code == 1, output + error);
        Assert.Contains("check failed: coverage ", output);
        Assert.Contains("learning f : [0,1]^2 -> sphere in R^3, 250 steps", output);
        Assert.Contains("saved f/sphere.bin (+ f/sphere.bin.json)", output);
        Assert.Contains("embedding quality of f : [0,1]^2 → sphere (seed 12345)", output);
        Assert.Matches(@"  coverage:       a fraction [01]\.\d\d\d of 2000 uniform points of M lie within r = [0-9.eE-]+ of one of 10000 projected images", output);
        Assert.Contains("quality saved to f/sphere.bin.quality.json", output);
        Assert.True(File.Exists(Path.Combine(work, "f", "sphere.bin.quality.json")));

        // quality: the exact map passes every check; the 250-step f is measured from its saved figures.
        (code, output, error) = Repository.Run(work, null, "quality", "sphere");
        Assert.True(code == 0, output + error);
        Assert.Contains("  volume:         sqrt(det G) over 2000 uniform codes: mean 12.5664, cv ", output);
        Assert.EndsWith("checks (embedding_checks defaults): all pass\n", output);
        (code, output, error) = Repository.Run(work, null, "quality", "sphere", "--embedding", "f/sphere.bin");
        Assert.True(code is 0 or 1, output + error);
        Assert.Equal(code == 1, output.Contains("check failed: "));
        (code, _, error) = Repository.Run(work, null, "quality", "circle", "--embedding", "f/sphere.bin");
        Assert.Equal((2, "manifoldkit: f/sphere.bin embeds [0,1]^2 into R^3 (sphere), but circle needs [0,1]^1 into R^2.\n"), (code, error));

        // Restarts: each attempt and the choice are reported; a count out of range is refused.
        (code, output, error) = Repository.Run(work, null, "embed", "circle", "--steps", "20", "--restarts", "2", "--out", "f/circle.bin");
        Assert.True(code is 0 or 1, output + error);
        Assert.Contains("learning f : [0,1]^1 -> circle in R^2, 20 steps, best of 2 seeds\n", output);
        // The attempts train side by side: one progress line (their mean), then each attempt's held-out loss.
        Assert.Matches(@"  step 20/20  WAE loss [0-9.eE+-]+ \(mean of the 2 attempts\)\nWAE attempt 1 of 2 \(seed 0\): held-out loss [0-9.eE+-]+\n" +
                       @"WAE attempt 2 of 2 \(seed 1000000\): held-out loss [0-9.eE+-]+\nWAE: keeping attempt [12]\n", output);
        (code, _, error) = Repository.Run(work, null, "embed", "circle", "--restarts", "0");
        Assert.Equal((2, "manifoldkit: --restarts is 0; expected an integer from 1 to 100.\n"), (code, error));

        var config = Config("name: reuse\ntask: sphere\nlatent:\n  manifold: sphere\n  embedding: f/sphere.bin\n");
        (code, output, error) = Repository.Run(work, null, ["run", config, .. Short]);
        Assert.True(code == 0, output + error);
        Assert.Contains(Path.Combine(work, "f", "sphere.bin"), File.ReadAllText(Path.Combine(work, "runs", "reuse", "seed0", "result.json")));

        // A run written before action_head_init replaced centre_action_head is the same experiment.
        var written = Path.Combine(work, "runs", "reuse", "seed0", "config.yaml");
        var yaml = File.ReadAllText(written);
        Assert.Contains("\n  action_head_init: drawn\n", yaml);
        File.WriteAllText(written, yaml.Replace("\n  action_head_init: drawn\n", "\n  centre_action_head: false\n"));
        (code, output, error) = Repository.Run(work, null, ["run", config, .. Short]);
        Assert.True(code == 0, output + error);
        Assert.Contains("has finished already", output);

        (code, _, error) = Repository.Run(work, null, ["run", config, .. Short, "training.steps=300"]);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {Path.Combine("runs", "reuse", "seed0")} holds a run of a different config ({Path.Combine("runs", "reuse", "seed0", "config.yaml")}); choose another directory with --out, or delete it.\n", error);

        (code, _, error) = Repository.Run(work, null, ["run", config, "latent.manifold=circle", "task=circle", "--out", "elsewhere", .. Short]);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {config}:5: latent.embedding: {Path.Combine(work, "f", "sphere.bin")} embeds [0,1]^2 into R^3 (sphere), but circle needs [0,1]^1 into R^2.\n", error);
    }

    [Fact]
    public void Run_KilledMidway_ResumesFromItsCheckpoint()
    {
        var config = Config("name: long\nlatent:\n  group_action: true\n");
        string[] arguments = ["run", config, "training.steps=4000", "training.checkpoint_every=100", "training.report_every=100",
            "evaluation.test_size=200", "evaluation.iwae_samples=5", "evaluation.elbo_samples=2"];
        var run = Path.Combine(work, "runs", "long", "seed0");
        using (var process = Repository.Start(work, null, arguments))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(Path.Combine(run, "checkpoint", "state.json")) && DateTime.UtcNow < deadline && !process.HasExited) Thread.Sleep(100);
            Assert.False(process.HasExited, "the run ended before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(run, "result.json")));

        var (code, output, error) = Repository.Run(work, null, "run", run);
        Assert.True(code == 0, output + error);
        Assert.Matches($"resuming {System.Text.RegularExpressions.Regex.Escape(run)} from step [1-9][0-9]*00\n", output);
        Assert.True(File.Exists(Path.Combine(run, "result.json")));
        var steps = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[0])).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => i * 100), steps);            // no row lost or repeated
    }

    /// <summary>
    /// configs/table1 itself, shortened (few steps, two seeds): five rows in a well-formed table, the
    /// paper's figure beside each, and one learned f per seed shared by the two rows that use it.
    /// </summary>
    [Fact]
    public void Sweep_OfTable1Shortened_ProducesTheTable()
    {
        var report = Path.Combine(work, "table1.md");
        var (code, output, error) = Repository.Run(work, null,
            ["sweep", Path.Combine(Repository.Root, "configs", "table1"), "--report", report, "seeds=[0,1]", .. Short, "training.steps=100"]);
        Assert.True(code == 0, output + error);
        var table = File.ReadAllLines(report);
        string[] rows = ["vae-1d", "er-learned", "er-proj", "er-learned-action", "vae-2d"];            // the paper's order
        string[] paper = ["183.98 ± 11.66", "197.19 ± 20.46", "193.40 ± 24.57", "259.03 ± 59.14", "356.53 ± 22.96"];
        for (var i = 0; i < rows.Length; i++)
            Assert.Matches($@"^\| {rows[i]} \| 2 \| -?\d+\.\d\d ± \d+\.\d\d \| -?\d+\.\d\d ± \d+\.\d\d \(k=5\) \| \d+\.\d\d ± \d+\.\d\d \| [0-2]/2 \| \d+\.\d ± \d+\.\d \| \d+ \| paper ELBO {paper[i]} \|$", table[2 + i]);
        var embeddings = Directory.GetFiles(Path.Combine(work, "runs", "embeddings"), "*.bin").Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(new List<string> { "circle-wae100x256-lambda10-seed0.bin", "circle-wae100x256-lambda10-seed1.bin" }, embeddings);
        foreach (var row in new[] { "er-learned", "er-learned-action" })
            Assert.Contains("circle-wae100x256-lambda10-seed1.bin", File.ReadAllText(Path.Combine(work, "runs", row, "seed1", "result.json")));
    }

    [Fact]
    public void Sweep_ChecksEveryConfigBeforeTrainingAny()
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "configs")).FullName;
        File.WriteAllText(Path.Combine(folder, "a-good.yaml"), "name: good\n");
        File.WriteAllText(Path.Combine(folder, "b-bad.yaml"), "name: bad\nlatent:\n  manifold: circle\n  embedding: /nope/f.bin\n");
        var (code, _, error) = Repository.Run(work, null, ["sweep", folder, .. Short]);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {Path.Combine(folder, "b-bad.yaml")}:4: latent.embedding: latent.embedding is '/nope/f.bin', which is neither exact, learned, nor an existing file; make one with 'manifoldkit embed circle'.\n", error);
        Assert.False(Directory.Exists(Path.Combine(work, "runs")), "a run started before every config was checked");
    }

    [Fact]
    public void Sweep_RunsEverySeedOfEveryConfig_AndSummarises()
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "configs")).FullName;
        File.WriteAllText(Path.Combine(folder, "a-proj.yaml"), "name: a-proj\nreference: paper 1\n");
        File.WriteAllText(Path.Combine(folder, "b-vae.yaml"), "name: b-vae\nlatent:\n  kind: euclidean\n  dim: 2\n");
        var report = Path.Combine(work, "table.md");
        var (code, output, error) = Repository.Run(work, null, ["sweep", folder, "--report", report, "seeds=[0,1]", .. Short]);
        Assert.True(code == 0, output + error);
        var table = File.ReadAllLines(report);
        Assert.Equal("| model | runs | test ELBO | test IWAE | mean KL | collapsed | train time (s) | steps/s | reference |", table[0]);
        Assert.StartsWith("| a-proj | 2 | ", table[2]);
        Assert.EndsWith(" | paper 1 |", table[2]);
        Assert.StartsWith("| b-vae | 2 | ", table[3]);
        Assert.Matches(@"^\| b-vae \| 2 \| -?\d+\.\d\d ± \d+\.\d\d \| -?\d+\.\d\d ± \d+\.\d\d \(k=5\) \| \d+\.\d\d ± \d+\.\d\d \| \d/2 \|", table[3]);
        Assert.StartsWith("4 runs, sweep wall time ", table[5]);
        // The figure beside summary.md: one column per config.
        Assert.Equal((Figures.PerSeedWidth(2), Figures.Height), PngFile.Read(Path.Combine(work, "runs", "summary.png")) is var (width, height, _) ? (width, height) : default);
    }

    /// <summary>
    /// <c>select</c> trains every candidate for every seed on the task with select.yaml's noise,
    /// ranks them by IWAE and saves the table; bad candidates are refused before anything trains.
    /// </summary>
    [Fact]
    public void Select_TrainsEveryCandidate_AndRanksThem()
    {
        var (code, output, error) = Repository.Run(work, null, ["select", "sphere", "--latents", "euclidean-1,sphere", "seeds=[0,1]", .. Short]);
        Assert.True(code == 0, output + error);
        Assert.StartsWith("select sphere: 2 latents x 2 seeds, noise_std 0.01, into runs/select-sphere\n", output);
        Assert.Contains("sphere seeds 0,1 as one model: step", output);                                      // a candidate's seeds train together
        var folder = Path.Combine(work, "runs", "select-sphere");
        var ranking = File.ReadAllText(Path.Combine(folder, "ranking.md"));
        Assert.Matches(@"\| 1 \| (euclidean-1|\*\*sphere\*\* \(the task's\)) \| -?\d+\.\d\d ± \d+\.\d\d \|", ranking);
        Assert.Matches(@"\| 2 \| (euclidean-1|\*\*sphere\*\* \(the task's\)) \| -?\d+\.\d\d ± \d+\.\d\d \|", ranking);
        Assert.Matches(@"The task's own topology, `sphere`, ranks \*\*(first|2nd)\*\* of 2 on `sphere`; against `euclidean-1`, the best other latent: IWAE difference -?\d+\.\d\d ± \d+\.\d\d nats, paired over 2 seeds", ranking);
        Assert.Contains(ranking[ranking.IndexOf("| 1 |", StringComparison.Ordinal)..], output);
        foreach (var run in new[] { "euclidean-1/seed0", "euclidean-1/seed1", "sphere/seed0", "sphere/seed1" })
        {
            var config = File.ReadAllText(Path.Combine(folder, run, "config.yaml"));
            Assert.Contains("task: sphere\n", config);
            Assert.Contains("noise_std: 0.01\n", config);
            Assert.True(File.Exists(Path.Combine(folder, run, "result.json")), run);
        }
        Assert.Contains("  group_action: true\n  posterior: beta_log\n", File.ReadAllText(Path.Combine(folder, "sphere", "seed0", "config.yaml")));
        Assert.Contains("  posterior: gaussian\n", File.ReadAllText(Path.Combine(folder, "euclidean-1", "seed0", "config.yaml")));
        Assert.Contains("\"latent\": \"sphere\"", File.ReadAllText(Path.Combine(folder, "ranking.json")));
        Assert.Equal((Figures.PerSeedWidth(2), Figures.Height), PngFile.Read(Path.Combine(folder, "ranking.png")) is var (width, height, _) ? (width, height) : default);

        // An override on the command line beats a candidate's default (its group action), not what makes it the candidate.
        (code, output, error) = Repository.Run(work, null, ["select", "sphere", "--latents", "sphere", "seeds=[0]", "output=other", "latent.group_action=false", "latent.kind=euclidean", .. Short]);
        Assert.True(code == 0, output + error);
        var resolved = File.ReadAllText(Path.Combine(work, "other", "select-sphere", "sphere", "seed0", "config.yaml"));
        Assert.Contains("latent:\n  kind: manifold\n", resolved);
        Assert.Contains("  group_action: false\n", resolved);

        (code, _, error) = Repository.Run(work, null, ["select", "circle", "--group", "0"]);
        Assert.Equal((2, "manifoldkit: --group 0: give the most seeds to train as one model, 1 or more (1 trains them one by one).\n"), (code, error));
        (code, _, error) = Repository.Run(work, null, ["select", "circle", "--latents", "euclidean-x,circle"]);
        Assert.Equal((2, "manifoldkit: --latents: 'euclidean-x' is not euclidean-N with N >= 1, e.g. euclidean-2.\n"), (code, error));
        (code, _, error) = Repository.Run(work, null, ["select", "circle", "--latents", "sphre"]);
        Assert.Equal(2, code);
        Assert.StartsWith("manifoldkit: --latents: unknown manifold 'sphre'; did you mean 'sphere'?", error);
        Assert.False(Directory.Exists(Path.Combine(work, "runs", "select-circle")), "a candidate trained before the list was checked");
    }

    /// <summary>A run on a learned f that fails a check exits 2 naming the config, the metric and the fixes, before training.</summary>
    [Fact]
    public void Run_OnAnEmbeddingFailingItsChecks_StopsWithTheMetric()
    {
        var config = Config("name: strict\nlatent:\n  embedding: learned\nembedding_checks:\n  min_coverage: 0.9999\n");
        var (code, output, error) = Repository.Run(work, null, ["run", config, .. Short, "embedding_checks.allow_failures=false"]);
        Assert.Equal(2, code);
        Assert.Matches($@"^manifoldkit: {System.Text.RegularExpressions.Regex.Escape(config)}:4: embedding_checks: the learned embedding .*circle-wae100x256-lambda10-seed0\.bin fails .*coverage 0\.\d+ < min_coverage 0\.9999: f misses part of the manifold.*allow_failures: true to train with it anyway\.\n$", error);
        Assert.Contains("embedding quality: distance from circle mean ", output);
        Assert.False(Directory.Exists(Path.Combine(work, "runs", "strict", "seed0")), "the refused run left its directory");

        // The fix the message names works at once, with the f already learned.
        (code, output, error) = Repository.Run(work, null, ["run", config, .. Short]);
        Assert.True(code == 0, output + error);
        Assert.Contains("reusing learned embedding ", output);
        Assert.Contains("fails a check, allowed by embedding_checks.allow_failures: coverage ", output);
    }
}
