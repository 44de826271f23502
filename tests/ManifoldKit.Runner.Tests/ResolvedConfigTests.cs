using ManifoldKit.Runner.Commands;
using ManifoldKit.Runner.Configuration;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>
/// The resolved config a run writes (and compares on resume) is pinned byte for byte: every shipped
/// config and a few overrides, so a change to it is seen. Where one was meant (a key whose default
/// changed is now written), run folders made before still resume: see <see cref="RunExecutor.Comparable"/>.
/// </summary>
public sealed class ResolvedConfigTests
{
    public static TheoryData<string, string, string[]> Cases { get; } = new()
    {
        { "default", "configs/default.yaml", [] },
        { "defaults", "", [] },
        { "select", "configs/select.yaml", [] },
        { "torus", "configs/torus.yaml", [] },
        { "table1-1", "configs/table1/1-vae-1d.yaml", [] },
        { "table1-2", "configs/table1/2-er-learned.yaml", [] },
        { "table1-3", "configs/table1/3-er-proj.yaml", [] },
        { "table1-4", "configs/table1/4-er-learned-action.yaml", [] },
        { "table1-5", "configs/table1/5-vae-2d.yaml", [] },
        { "improved-1", "configs/table1-improved/1-vae-1d.yaml", [] },
        { "improved-2", "configs/table1-improved/2-er-learned.yaml", [] },
        { "improved-3", "configs/table1-improved/3-er-proj.yaml", [] },
        { "improved-4", "configs/table1-improved/4-er-learned-action.yaml", [] },
        { "improved-5", "configs/table1-improved/5-vae-2d.yaml", [] },
        { "sphere-1", "configs/sphere/1-exact.yaml", [] },
        { "sphere-2", "configs/sphere/2-learned.yaml", [] },
        { "sphere-3", "configs/sphere/3-learned-action.yaml", [] },
        { "so3-1", "configs/so3/1-exact.yaml", [] },
        { "so3-2", "configs/so3/2-learned.yaml", [] },
        { "so3-3", "configs/so3/3-learned-action.yaml", [] },
        { "overrides", "configs/default.yaml", ["training.restarts=3", "training.restart_steps=50", "wae.restarts=2", "architecture.initial_posterior_std=0.05",
            "training.final_learning_rate=1e-5", "training.decay_steps=30", "embedding_checks.min_coverage=null", "latent.posterior=beta_log", "seeds=[3,4]", "noise_std=0.01"] },
        { "euclidean", "", ["latent.kind=euclidean", "latent.dim=3", "task=sphere", "task_settings={dim: 3}", "reference=12.5", "architecture.observation_init=data"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResolvedConfig_IsUnchanged(string name, string file, string[] overrides)
    {
        var config = ConfigLoader.Load(file.Length == 0 ? null : Path.Combine(Repository.Root, file), overrides);
        var text = ConfigWriter.ToYaml(config).Replace(Repository.Root, "<root>");
        var golden = Path.Combine(Repository.Root, "tests", "ManifoldKit.Runner.Tests", "Resolved", name + ".yaml");
        if (Environment.GetEnvironmentVariable("MANIFOLDKIT_WRITE_GOLDEN") == "1") File.WriteAllText(golden, text);
        Assert.Equal(File.ReadAllText(golden), text);
    }

    /// <summary>
    /// A run folder written before 0.05 became initial_posterior_std's default has no such line, which
    /// meant a head as drawn: it still matches its config (which now pins null), and not one with 0.05.
    /// </summary>
    [Fact]
    public void RunFolderWithoutInitialPosteriorStd_MatchesTheDrawnStartOnly()
    {
        var file = Path.Combine(Repository.Root, "configs", "table1", "4-er-learned-action.yaml");
        var pinned = ConfigWriter.ToYaml(ConfigLoader.Load(file, []));
        var legacy = pinned.Replace("\n  initial_posterior_std: null\n", "\n");
        Assert.NotEqual(pinned, legacy);
        Assert.Equal(RunExecutor.Comparable(pinned), RunExecutor.Comparable(legacy));
        var sharp = ConfigWriter.ToYaml(ConfigLoader.Load(file, ["architecture.initial_posterior_std=0.05"]));
        Assert.NotEqual(RunExecutor.Comparable(sharp), RunExecutor.Comparable(legacy));
    }

    /// <summary>
    /// Read back (<c>run RUN_DIR</c>, <c>eval</c>, <c>export</c>), a run folder from before has the drawn
    /// head it used and matches itself; one written now keeps its value.
    /// </summary>
    [Fact]
    public void RunFolderWithoutInitialPosteriorStd_LoadsWithTheDrawnHead()
    {
        var folder = Directory.CreateTempSubdirectory("mk-legacy").FullName;
        try
        {
            var file = Path.Combine(Repository.Root, "configs", "table1", "4-er-learned-action.yaml");
            var legacy = ConfigWriter.ToYaml(ConfigLoader.Load(file, [])).Replace("\n  initial_posterior_std: null\n", "\n");
            File.WriteAllText(Path.Combine(folder, RunExecutor.ConfigFile), legacy);
            var loaded = RunExecutor.LoadRun(folder);
            Assert.Null(loaded.Spec.Architecture.InitialPosteriorStd);
            Assert.Equal(RunExecutor.Comparable(legacy), RunExecutor.Comparable(ConfigWriter.ToYaml(loaded)));

            File.WriteAllText(Path.Combine(folder, RunExecutor.ConfigFile), ConfigWriter.ToYaml(ConfigLoader.Load(null, [])));
            Assert.Equal(0.05, RunExecutor.LoadRun(folder).Spec.Architecture.InitialPosteriorStd);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
