using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ManifoldKit.Runner.Reporting;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>Training on data that is not a toy task, through the real executable: a user's CSV and Fashion-MNIST.</summary>
public sealed class DataCliTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-data-cli").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(work, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A shortened Fashion-MNIST run (dynamically binarised, Bernoulli likelihood) end to end: result, plots, resolved config.</summary>
    [Fact]
    public void FashionMnist_ShortRun_TrainsAndEvaluates()
    {
        var config = Write("fm.yaml", """
            data:
              source: fashion-mnist
              binarize: dynamic
            architecture:
              observed_dim: 784
              likelihood: bernoulli
            latent:
              kind: euclidean
              dim: 2
            training:
              steps: 200
              report_every: 50
            evaluation:
              test_size: 500
              iwae_samples: 5
              elbo_samples: 2
            """);
        var (code, output, error) = Repository.Run(work, null, "run", config);
        Assert.True(code == 0, output + error);
        var run = Path.Combine(work, "runs", "fm", "seed0");
        Assert.Contains("fm seed 0: evaluated on the first 500 of 10000 test points; evaluation.test_size: 10000 evaluates them all\n", output);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        var elbo = (double)result["elbo"]!;
        // A Bernoulli log-likelihood of 784 binary pixels: below 0, and far above log(½)·784 = −543 after 200 steps.
        Assert.InRange(elbo, -543, 0);
        Assert.True((double)result["iwae"]! >= elbo - 1, $"IWAE {result["iwae"]} against ELBO {elbo}");
        Assert.True(File.Exists(Path.Combine(run, "plots", "latent.png")));
        Assert.Equal(ImageGrid.Size(28, 8, 2), PngSize(Path.Combine(run, "plots", "reconstructions.png")));
        Assert.Equal(ImageGrid.Size(28, 8, 8), PngSize(Path.Combine(run, "plots", "samples.png")));
        Assert.Contains("data:\n  source: fashion-mnist\n  binarize: dynamic\n", File.ReadAllText(Path.Combine(run, "config.yaml")));
    }

    private static (int Width, int Height) PngSize(string path) => PngFile.Read(path) is var (width, height, _) ? (width, height) : default;

    /// <summary>Rotated Fashion-MNIST (padded to 40 × 40, turned, then binarised) runs end to end and draws 40 × 40 image grids.</summary>
    [Fact]
    public void FashionMnist_Rotated_ShortRun_DrawsPaddedImages()
    {
        var config = Write("rot.yaml", """
            data:
              source: fashion-mnist
              binarize: dynamic
              rotate: uniform
            architecture:
              observed_dim: 1600
              likelihood: bernoulli
            latent:
              kind: euclidean
              dim: 2
            training:
              steps: 100
              report_every: 50
            evaluation:
              test_size: 200
              iwae_samples: 5
              elbo_samples: 2
            """);
        var (code, output, error) = Repository.Run(work, null, "run", config);
        Assert.True(code == 0, output + error);
        var run = Path.Combine(work, "runs", "rot", "seed0");
        Assert.Contains("  rotate: uniform\n", File.ReadAllText(Path.Combine(run, "config.yaml")));
        Assert.Equal(ImageGrid.Size(40, 8, 2), PngSize(Path.Combine(run, "plots", "reconstructions.png")));
        Assert.Equal(ImageGrid.Size(40, 8, 8), PngSize(Path.Combine(run, "plots", "samples.png")));
        Assert.True(File.Exists(Path.Combine(run, "plots", "latent.png")));
    }

    // 600 rows: a column `angle`, then 8 smooth functions of it with a little noise.
    private void WriteCircleCsv()
    {
        var text = new StringBuilder("angle," + string.Join(',', Enumerable.Range(1, 8).Select(i => $"x{i}")) + "\n");
        var random = new Random(3);
        for (var i = 0; i < 600; i++)
        {
            var angle = 2 * Math.PI * random.NextDouble();
            var values = Enumerable.Range(1, 8).Select(k => Math.Cos(k * angle / 2 + k) + 0.01 * random.NextDouble());
            text.Append(angle.ToString("R", CultureInfo.InvariantCulture)).Append(',').AppendLine(string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        Write("circle.csv", text.ToString());
    }

    /// <summary>A user's CSV with a named factor column, a seeded split and a circle latent with its group action.</summary>
    [Fact]
    public void Csv_WithAFactorColumn_TrainsOnACircleLatent()
    {
        WriteCircleCsv();
        var config = Write("csv.yaml", """
            data:
              source: files
              train: circle.csv
              factor_columns: [angle]
              split: 0.2
            architecture:
              observed_dim: 8
            latent:
              manifold: circle
              group_action: true
            training:
              steps: 300
              batch_size: 64
            evaluation:
              iwae_samples: 5
            """);
        var (code, output, error) = Repository.Run(work, null, "run", config);
        Assert.True(code == 0, output + error);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "runs", "csv", "seed0", "result.json")))!;
        Assert.True(double.IsFinite((double)result["elbo"]!));
        Assert.Contains($"  train: {Path.Combine(work, "circle.csv")}\n", File.ReadAllText(Path.Combine(work, "runs", "csv", "seed0", "config.yaml")));
    }

    /// <summary>
    /// `select` on a data source ranks a product latent against Euclidean ones: the product's run holds
    /// its factors, its circle factor's angle recovery and one latent plot per known factor; the verdict
    /// names the leader and its paired margin, as no candidate is the data's known topology.
    /// </summary>
    [Fact]
    public void Select_OnAUsersData_RanksAProductLatent()
    {
        WriteCircleCsv();
        var config = Write("base.yaml", "name: mine\ndata:\n  source: files\n  train: circle.csv\n  factor_columns: [angle]\n  split: 0.2\n" +
                                        "architecture:\n  observed_dim: 8\nlatent:\n  posterior: beta_log\ntraining:\n  steps: 150\n  batch_size: 64\nevaluation:\n  iwae_samples: 5\n");
        var (code, output, error) = Repository.Run(work, null, "select", "files", "--config", config, "--latents", "circle+euclidean-1,euclidean-2", "seeds=[0]");
        Assert.True(code == 0, output + error);
        var root = Path.Combine(work, "runs", "select-mine");
        var ranking = File.ReadAllText(Path.Combine(root, "ranking.md"));
        Assert.StartsWith("# Topology selection on `files (mine)`", ranking);
        Assert.Matches(@"`(circle\+euclidean-1|euclidean-2)` ranks \*\*first\*\* of 2 on `files \(mine\)`; against `(circle\+euclidean-1|euclidean-2)`, the second: IWAE difference [0-9.]+ ± 0\.00 nats, paired over 1 seed, ahead in 1 of 1\.", ranking);

        var product = Path.Combine(root, "circle+euclidean-1", "seed0");
        Assert.Contains("  factors: [{kind: manifold, dim: 1, manifold: circle, manifold_settings: {}, embedding: exact, group_action: true, posterior: beta_log}, " +
                        "{kind: euclidean, dim: 1, manifold: circle, manifold_settings: {}, embedding: exact, group_action: false, posterior: gaussian}]\n",
            File.ReadAllText(Path.Combine(product, "config.yaml")));
        var recovery = (double)JsonNode.Parse(File.ReadAllText(Path.Combine(product, "result.json")))!["angle_recovery"]!;
        Assert.InRange(recovery, 0, 1);
        Assert.Contains("| angle recovery", File.ReadAllText(Path.Combine(product, "summary.md")));
        Assert.True(File.Exists(Path.Combine(product, "plots", "latent-1-circle-angle.png")));
        // A Euclidean latent has no circle: no recovery, no factor plot.
        var euclidean = Path.Combine(root, "euclidean-2", "seed0");
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(euclidean, "result.json")))!["angle_recovery"]);
        Assert.Empty(Directory.GetFiles(Path.Combine(euclidean, "plots"), "latent-*"));
    }

    /// <summary>Bad data ends in one line naming the file and what is wrong, before training, with exit code 2.</summary>
    [Fact]
    public void BadCsv_IsOneLine_NamingFileAndLine()
    {
        Write("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
        var config = Write("bad.yaml", "data:\n  source: files\n  train: ragged.csv\n  split: 0.5\narchitecture:\n  observed_dim: 3\n");
        var (code, output, error) = Repository.Run(work, null, "run", config);
        Assert.Equal(2, code);
        Assert.Matches($@"^manifoldkit: {System.Text.RegularExpressions.Regex.Escape(config)}:3: data\.train: .*ragged\.csv:3: 2 fields, but the header has 3[^\n]*\n$", error);
        Assert.DoesNotContain("step", output);

        config = Write("dim.yaml", "data:\n  source: fashion-mnist\n");
        (code, _, error) = Repository.Run(work, null, "run", config);
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {config}: architecture.observed_dim: architecture.observed_dim is 100, but fashion-mnist's observations have 784 values; set architecture.observed_dim: 784.\n", error);
    }

    /// <summary>A data source registered by a plugin is listed, trained on with its settings, and a setting it does not read is refused.</summary>
    [Fact]
    public void PluginDataSource_IsListed_AndTrainedOn()
    {
        var plugins = Path.Combine(work, "plugins");
        Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        var environment = new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins };
        var (code, output, error) = Repository.Run(work, environment, "manifolds");
        Assert.True(code == 0, error);
        Assert.Contains("data sources: toy (built in), files (built in), fashion-mnist (built in), stripes (", output);

        var config = Write("stripes.yaml", "data:\n  source: stripes\n  settings: {dim: 12}\narchitecture:\n  observed_dim: 12\n  likelihood: bernoulli\nlatent:\n  group_action: true\ntraining:\n  steps: 200\nevaluation:\n  iwae_samples: 5\n");
        (code, output, error) = Repository.Run(work, environment, "run", config);
        Assert.True(code == 0, output + error);
        Assert.True(File.Exists(Path.Combine(work, "runs", "stripes", "seed0", "result.json")));

        (code, _, error) = Repository.Run(work, environment, "run", config, "data.settings={size: 3}", "--out", Path.Combine(work, "other"));
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: command line: data.settings={{size: 3}}: data.settings: data source 'stripes' has no setting 'size'; it reads: dim.\n", error);

        (code, _, error) = Repository.Run(work, null, "run", config, "--out", Path.Combine(work, "third"));
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {config}:2: data.source: data.source is 'stripes', which is neither built in nor registered by a plugin; known: toy, files, fashion-mnist.\n", error);
    }
    /// <summary>
    /// A posterior family registered by a plugin is listed, trained with on the circle it supports, refused on the sphere it does
    /// not, and a misspelt name is refused with the plugin's family among the known.
    /// </summary>
    [Fact]
    public void PluginPosteriorFamily_IsListed_AndTrainedWith()
    {
        var plugins = Path.Combine(work, "plugins");
        Repository.InstallPlugin("tests/ManifoldKit.Runner.TestPlugins", "ManifoldKit.Runner.TestPlugins", plugins);
        var environment = new Dictionary<string, string> { ["MANIFOLDKIT_PLUGIN_PATH"] = plugins };
        var (code, output, error) = Repository.Run(work, environment, "manifolds");
        Assert.True(code == 0, error);
        Assert.Contains("posterior families: ", output);
        Assert.Contains("wrapped_cauchy (", output);

        var config = Write("cauchy.yaml", "latent:\n  manifold: circle\n  posterior: wrapped_cauchy\ntraining:\n  steps: 200\nevaluation:\n  iwae_samples: 5\n");
        (code, output, error) = Repository.Run(work, environment, "run", config);
        Assert.True(code == 0, output + error);
        Assert.True(File.Exists(Path.Combine(work, "runs", "cauchy", "seed0", "result.json")));

        (code, _, error) = Repository.Run(work, environment, "run", config, "latent.manifold=sphere", "--out", Path.Combine(work, "other"));
        Assert.Equal(2, code);
        Assert.StartsWith("manifoldkit: ", error);
        Assert.Contains("latent.posterior", error);
        Assert.Contains("does not live on manifold 'sphere'", error);

        (code, _, error) = Repository.Run(work, environment, "run", config, "latent.posterior=wraped_cauchy", "--out", Path.Combine(work, "third"));
        Assert.Equal(2, code);
        Assert.Contains("latent.posterior: latent.posterior is 'wraped_cauchy', which is neither built in nor registered by a plugin; known: ", error);
        Assert.Contains("wrapped_cauchy", error[error.IndexOf("known: ", StringComparison.Ordinal)..]);
    }
}
