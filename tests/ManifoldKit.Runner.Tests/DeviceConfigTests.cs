using System.Text.Json;
using ManifoldKit.Runner.Configuration;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>The <c>device</c> key through the real loader and executable: what <c>check</c> refuses, where it says, and that <c>cpu</c> trains as before.</summary>
public sealed class DeviceConfigTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mk-device").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    private const string Forms = "expected cpu, cuda, or cuda:N with N a GPU number (0, 1, ...).";

    private string Config(string yaml, string name = "exp.yaml")
    {
        var path = Path.Combine(work, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("cuda:3")]
    public void AcceptedForms_Load(string value) =>
        Assert.Equal(value, ConfigLoader.Load(Config($"device: {value}\n")).Spec.Device);

    [Fact]
    public void Absent_IsCpu() => Assert.Equal("cpu", ConfigLoader.Load(Config("name: x\n")).Spec.Device);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void BadValue_IsRefusedByCheck_NamingFileLineKeyValueAndForms(string value)
    {
        var config = Config($"name: exp\ntraining:\n  steps: 10\ndevice: {value}\n");
        var (code, output, error) = Repository.Run(work, null, "check", config);
        Assert.True(code == 2, output + error);
        Assert.Equal($"manifoldkit: {config}:4: device: device is '{value}'; {Forms}\n", error);
    }

    [Fact]
    public void BadOverride_IsBlamedOnTheCommandLine()
    {
        var (code, _, error) = Repository.Run(work, null, "check", Config("name: exp\n"), "device=gpu");
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: command line: device=gpu: device: device is 'gpu'; {Forms}\n", error);
    }

    /// <summary>This machine's TorchSharp is the CPU package: <c>check</c> refuses CUDA before training, naming the package swap and device: cpu.</summary>
    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void Cuda_OnThisCudaLessBuild_IsRefusedByCheck_WithTheInstallHint(string value)
    {
        var config = Config($"name: exp\ndevice: {value}\n");
        var (code, output, error) = Repository.Run(work, null, "check", config);
        Assert.True(code == 2, output + error);
        Assert.StartsWith($"manifoldkit: {config}:2: device: device is '{value}', but TorchSharp's CUDA backend is not available", error);
        Assert.Contains("replace the TorchSharp-cpu package reference in src/Runner/ManifoldKit.Runner.csproj and Directory.Packages.props with TorchSharp-cuda-linux (or TorchSharp-cuda-windows) of the same version", error);
        Assert.EndsWith("or set device: cpu.\n", error);
        // And run refuses it before anything trains.
        (code, _, _) = Repository.Run(work, null, "run", config, "--out", Path.Combine(work, "cuda-run"));
        Assert.Equal(2, code);
        Assert.False(File.Exists(Path.Combine(work, "cuda-run", "metrics.csv")));
    }

    /// <summary><c>device: cpu</c> trains a tiny config through the executable to exactly the figures of the same config without the key.</summary>
    [Fact]
    public void DeviceCpu_RunsToTheSameNumbers_AsNoKey()
    {
        string[] tiny = ["training.steps=100", "training.report_every=50", "training.checkpoint_every=50", "evaluation.test_size=200",
            "evaluation.iwae_samples=5", "evaluation.elbo_samples=2", "latent.group_action=true", "wae.steps=100", "embedding_checks.allow_failures=true"];
        var config = Config("name: exp\n");
        var (code, output, error) = Repository.Run(work, null, ["run", config, "--out", Path.Combine(work, "without"), .. tiny]);
        Assert.True(code == 0, output + error);
        (code, output, error) = Repository.Run(work, null, ["run", config, "--out", Path.Combine(work, "cpu"), "device=cpu", .. tiny]);
        Assert.True(code == 0, output + error);
        string Figures(string run)
        {
            using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, run, "result.json")));
            return string.Join(" ", new[] { "elbo", "iwae", "kl" }.Select(k => Find(result.RootElement, k)));
        }
        Assert.Equal(Figures("without"), Figures("cpu"));
        // The default is not written, so run directories made before the key existed still resume.
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(work, "cpu", "config.yaml")), line => line.StartsWith("device:", StringComparison.Ordinal));
    }

    // The property of that name, any casing, as its raw JSON text.
    private static string Find(JsonElement element, string name) =>
        element.EnumerateObject().First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.GetRawText();
}
