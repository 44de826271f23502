using ManifoldKit.Runner.Configuration;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>
/// The resolved config a run writes (and compares on resume) is pinned byte for byte: every shipped
/// config and a few overrides against files written by the hand-made writer this schema replaced, so
/// a run directory made before the change still resumes.
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
}
