using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary><c>latent.factors</c>: read, checked, written and read back, and run through the real executable.</summary>
public sealed class ProductLatentConfigTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-product").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    private string Write(string yaml, string name = "exp.yaml")
    {
        var path = Path.Combine(work, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string Product = "latent:\n  factors:\n    - manifold: circle\n      group_action: true\n    - kind: euclidean\n      dim: 2\n";

    [Fact]
    public void Factors_AreBoundItemByItem_FromTheSingleLatentsDefaults()
    {
        var latent = ConfigLoader.Load(Write(Product)).Spec.Latent;
        Assert.Equal(2, latent.Factors.Count);
        Assert.Equal((LatentKind.Manifold, "circle", true, "beta"), (latent.Factors[0].Kind, latent.Factors[0].Manifold, latent.Factors[0].GroupAction, latent.Factors[0].PosteriorFamily));
        Assert.Equal((LatentKind.Euclidean, 2, false, "gaussian"), (latent.Factors[1].Kind, latent.Factors[1].Dim, latent.Factors[1].GroupAction, latent.Factors[1].PosteriorFamily));
        Assert.Empty(ConfigLoader.Load(Write("latent:\n  dim: 2\n")).Spec.Latent.Factors);
    }

    [Theory]
    [InlineData("latent:\n  factors:\n    - kind: euclidean\n      dimm: 2\n", "exp.yaml:4: unknown key 'latent.factors[0].dimm'; did you mean 'dim'?")]
    [InlineData("latent:\n  factors:\n    - kind: euclidean\n      dim: 0\n", "exp.yaml:4: latent.factors[0].dim is '0'; expected an integer from 1 to 1024.")]
    [InlineData("latent:\n  factors: circle\n", "exp.yaml:2: latent.factors is 'circle'; expected a list of mappings")]
    [InlineData("latent:\n  factors:\n    - circle\n", "exp.yaml:3: latent.factors has 'circle' as item 0; expected a mapping of settings.")]
    public void BadFactor_NamesFileLineAndKey(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write(yaml)));
        Assert.StartsWith(Path.Combine(work, expected), error.Message);
    }

    /// <summary>factors and a single-latent key set away from its default conflict; the error names every such key, at the factors' line.</summary>
    [Fact]
    public void FactorsWithSingleLatentKeys_AreRefused_NamingTheKeys()
    {
        var config = ConfigLoader.Load(Write("latent:\n  dim: 3\n  group_action: true\n  posterior: beta\n" + Product[8..]));
        var error = Assert.Throws<ExperimentException>(config.Spec.Validate);
        Assert.Equal("latent.factors", error.Key);
        Assert.Contains("latent.factors is given together with latent.dim, latent.group_action;", error.Message);
        Assert.StartsWith($"{Path.Combine(work, "exp.yaml")}:5: latent.factors:", config.Locate(error).Message);
    }

    [Fact]
    public void FactorErrors_NameTheFactor()
    {
        var nested = ConfigLoader.Load(Write("latent:\n  factors:\n    - factors:\n        - kind: euclidean\n"));
        Assert.Equal("latent.factors[0].factors", Assert.Throws<ExperimentException>(nested.Spec.Validate).Key);
        var centred = ConfigLoader.Load(Write("latent:\n  factors:\n    - kind: euclidean\n    - posterior: beta_centred\n"));
        var error = Assert.Throws<ExperimentException>(centred.Spec.Validate);
        Assert.Equal("latent.factors[1].posterior", error.Key);
        Assert.StartsWith($"{Path.Combine(work, "exp.yaml")}:4: latent.factors[1].posterior:", centred.Locate(error).Message);
    }

    /// <summary>The resolved config of a product reads back to the same config (its written-out single-latent defaults are no conflict).</summary>
    [Fact]
    public void ResolvedProductConfig_ReadsBackTheSame()
    {
        var config = ConfigLoader.Load(Write(Product));
        var yaml = ConfigWriter.ToYaml(config);
        Assert.Contains("  factors: [{kind: manifold, dim: 1, manifold: circle, manifold_settings: {}, embedding: exact, group_action: true, posterior: beta}, {kind: euclidean, dim: 2,", yaml);
        var again = ConfigLoader.Load(Write(yaml, "exp.yaml"));
        again.Spec.Validate();
        Assert.Equal(yaml.Split('\n').Skip(1), ConfigWriter.ToYaml(again).Split('\n').Skip(1));
    }

    /// <summary>circle with a group action × R²: a few hundred steps on the circle toy task through the executable, then resumed as done.</summary>
    [Fact]
    public void ProductLatent_TrainsThroughTheExecutable_AndWritesItsResult()
    {
        var config = Write("name: product\ntask: circle\n" + Product);
        string[] shortRun = ["training.steps=300", "training.report_every=100", "training.checkpoint_every=150",
            "evaluation.test_size=200", "evaluation.iwae_samples=5", "evaluation.elbo_samples=2"];
        var (code, output, error) = Repository.Run(work, null, ["run", config, .. shortRun]);
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        var directory = Path.Combine(work, "runs", "product", "seed0");
        var result = File.ReadAllText(Path.Combine(directory, "result.json"));
        Assert.Contains("\"steps\": 300", result);
        Assert.Contains("factors: [{kind: manifold", File.ReadAllText(Path.Combine(directory, "config.yaml")));
        // The same command again finds its own config in the run directory and resumes (nothing left to train).
        (code, output, error) = Repository.Run(work, null, ["run", config, .. shortRun]);
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
    }
}
