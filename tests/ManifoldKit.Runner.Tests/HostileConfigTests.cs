using ManifoldKit.Runner.Commands;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>
/// The smallest reproducers a hostile tester found in the config path, each now one line naming where
/// the problem is (file:line, or the command-line override) and exit code 2, before anything trains.
/// </summary>
public sealed class HostileConfigTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-hostile").FullName;
    private static readonly string BuiltIns = Path.Combine(Repository.Output("src/Runner"), "plugins");

    public void Dispose() => Directory.Delete(work, recursive: true);

    private (int Code, string Error) Check(string text, params string[] overrides)
    {
        var file = Path.Combine(work, "exp.yaml");
        File.WriteAllText(file, text);
        var errors = new StringWriter();
        var code = CommandLine.Guard(() => CheckCommand.Check(file, overrides, dirs => CommandLine.Catalog(dirs.Append(BuiltIns)), TextWriter.Null), errors);
        return (code, errors.ToString().Replace(work + "/", ""));
    }

    [Theory]
    [InlineData("? [a, b]\n: 1\n", "exp.yaml:1: a key is a list; keys are plain names like 'steps'.")]
    [InlineData("task_settings: {[dim]: 2}\n", "exp.yaml:1: task_settings has a list as a key; keys are plain names like dim.")]
    [InlineData("training:\n  steps: \"12\\n34\"\n", "exp.yaml:2: training.steps is '12\\n34'; expected an integer >= 1.")]
    [InlineData("name: a\n...\n---\nname: b\n", "exp.yaml:4: a second YAML document; one file holds one experiment (put the other in a file of its own).")]
    [InlineData("architecture:\n  hidden_widths: [2147483647]\n", "exp.yaml:2: architecture.hidden_widths has '2147483647'; expected a list of integers from 1 to 100000.")]
    [InlineData("architecture:\n  observed_dim: 2147483647\n", "exp.yaml:2: architecture.observed_dim is '2147483647'; expected an integer from 1 to 1000000.")]
    [InlineData("training:\n  batch_size: 100000000\n", "exp.yaml:2: training.batch_size is '100000000'; expected an integer from 1 to 1000000.")]
    [InlineData("training:\n  samples: 100000\n", "exp.yaml:2: training.samples is '100000'; expected an integer from 1 to 10000.")]
    [InlineData("wae:\n  batch_size: 2147483647\n", "exp.yaml:2: wae.batch_size is '2147483647'; expected an integer from 2 to 100000.")]
    [InlineData("evaluation:\n  test_size: 2147483647\n", "exp.yaml:2: evaluation.test_size is '2147483647'; expected an integer from 1 to 10000000.")]
    [InlineData("noise_std: 1e30\n", "exp.yaml:1: noise_std is '1e30'; expected a number >= 0 and <= 1000000.")]
    [InlineData("training:\n  learning_rate: 1e308\n", "exp.yaml:2: training.learning_rate is '1e308'; expected a number > 0 and <= 1.")]
    public void BadValue_IsOneLineNamingFileLineAndKey(string yaml, string expected)
    {
        var (code, error) = Check(yaml);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {expected}\n", error);
    }

    /// <summary>Each size below its own bound, but together beyond memory: refused by the memory rule, naming the key and the sizes.</summary>
    [Fact]
    public void SettingsBeyondMemory_AreRefusedBeforeTraining_NamingTheKey()
    {
        var (code, error) = Check("training:\n  batch_size: 1000000\n  samples: 10000\n");
        Assert.Equal(2, code);
        Assert.Matches(@"^manifoldkit: exp\.yaml:2: training\.batch_size: the settings need about [\d.]+ [GMT]iB of memory \(a training step's activations: [\d.]+ [GMT]iB, set by training\.batch_size\), " +
                       @"more than the [\d.]+ GiB a run may use here \(half of this machine's [\d.]+ GiB\); lower training\.batch_size\.\n$", error);
    }

    [Fact]
    public void DeepNesting_IsRefusedWithoutRecursing()
    {
        var (code, error) = Check($"a: {new string('[', 20_000)}{new string(']', 20_000)}\n");
        Assert.Equal(2, code);
        Assert.Equal("manifoldkit: exp.yaml:1: nested more than 16 levels deep; a config nests at most 5 (e.g. latent: factors: - manifold_settings: dim).\n", error);
    }

    [Fact]
    public void EmptyOrNulOrHugeFile_IsRefused_SayingSo()
    {
        var file = Path.Combine(work, "nul.yaml");
        File.WriteAllBytes(file, new byte[4096]);
        var errors = new StringWriter();
        Assert.Equal(2, CommandLine.Guard(() => CheckCommand.Check(file, [], dirs => CommandLine.Catalog(dirs.Append(BuiltIns)), TextWriter.Null), errors));
        Assert.Equal($"manifoldkit: {file} holds NUL bytes: it is not a text file of settings. Is it the right file?\n", errors.ToString());
        Assert.Equal("manifoldkit: exp.yaml is empty; write at least one setting (configs/README.md lists them), or give no config to run the defaults.\n", Check("").Error);
        Assert.StartsWith("manifoldkit: exp.yaml is 10,485,7", Check("# " + new string('x', 10 << 20)).Error);
    }

    /// <summary>A bad override is blamed on the command line, not on line 1 of the file.</summary>
    [Fact]
    public void BadOverride_IsLocatedAtTheCommandLine()
    {
        Assert.Equal("manifoldkit: command line: training.steps=abc: training.steps is 'abc'; expected an integer >= 1.\n", Check("# comment\nname: x\n", "training.steps=abc").Error);
        Assert.Equal("manifoldkit: command line: training.stepz=5: unknown key 'training.stepz'; did you mean 'steps'? Known keys under 'training': batch_size, checkpoint_every, decay_steps, " +
                     "final_learning_rate, kl_warmup_steps, learning_rate, report_every, restart_steps, restarts, samples, steps.\n", Check("name: x\n", "training.stepz=5").Error);
        Assert.Equal("manifoldkit: command line: latent.manifold=rp3: latent.manifold: unknown manifold 'rp3'; did you mean 'so3'? Loaded: circle, so3, sphere. Plugins are read from the folder beside the executable, " +
                     "--plugin-dir DIR, MANIFOLDKIT_PLUGIN_PATH and a config's plugin_dirs.\n", Check("# comment\nname: x\n", "latent.manifold=rp3").Error);
    }

    /// <summary>A saved embedding that is not one names the key and where it was set, not a bare missing file.</summary>
    [Fact]
    public void EmbeddingThatIsNoFile_NamesTheKey()
    {
        var (code, error) = Check("latent:\n  embedding: /dev/zero\n");
        Assert.Equal(2, code);
        Assert.Equal("manifoldkit: exp.yaml:2: latent.embedding: /dev/zero.json is missing: it names the manifold and dimensions of /dev/zero.\n", error);
    }

    [Fact]
    public void CommandLineErrors_ExitTwo_InOneLine()
    {
        var (code, _, error) = Repository.Run(work, null, "run", "--seed", "abc");
        Assert.Equal(2, code);
        Assert.Equal("manifoldkit: --seed is 'abc'; expected an integer. (see 'manifoldkit run --help')\n", error);

        var file = Path.Combine(work, "taken");
        File.WriteAllText(file, "x");
        (code, _, error) = Repository.Run(work, null, "run", "--out", file);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: --out {file} is a file; give a folder for the run (made if missing).\n", error);
    }

    /// <summary>When the manifold asked for is missing, run says why plugins did not load: a missing folder, a broken plugin.</summary>
    [Fact]
    public void MissingManifold_ReportsPluginProblems()
    {
        var plugins = Path.Combine(work, "plugins");
        var broken = Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        File.Delete(Path.Combine(broken, "Newtonsoft.Json.dll"));
        var config = Path.Combine(work, "torus.yaml");
        File.WriteAllText(config, $"plugin_dirs: [{Path.Combine(work, "nowhere")}]\nlatent:\n  manifold: torus\n");
        var (code, _, error) = Repository.Run(work, new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins }, "run", config);
        Assert.Equal(2, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{config}:3: latent.manifold: unknown manifold 'torus'.", error);
        Assert.Contains($"plugin directory {Path.Combine(work, "nowhere")} does not exist; skipped.", error);
        Assert.Contains($"plugin {Path.Combine(broken, "ManifoldKit.Runner.TestPlugins.dll")} failed to load its types: Could not load file or assembly 'Newtonsoft.Json", error);
    }
}
