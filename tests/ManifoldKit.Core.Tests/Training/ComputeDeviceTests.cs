using ManifoldKit.Core.Tests.Experiments;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Models;
using ManifoldKit.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Training;

/// <summary>The <c>device</c> key: its forms, the checks against the backend, and that <c>cpu</c> changes nothing.</summary>
public sealed class ComputeDeviceTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-device").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1)]
    [InlineData("cuda", DeviceType.CUDA, -1)]
    [InlineData("cuda:0", DeviceType.CUDA, 0)]
    [InlineData("cuda:12", DeviceType.CUDA, 12)]
    public void AcceptedForms_Parse(string text, DeviceType type, int index)
    {
        Assert.Equal((type, index), ComputeDevice.TryParse(text));
        new ExperimentSpec { Device = text }.Validate();                       // the form alone is fine, GPU or not
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:")]
    [InlineData("CPU")]
    [InlineData("cuda: 1")]
    [InlineData("cuda:+1")]
    [InlineData("")]
    public void OtherValues_AreRefused_NamingKeyValueAndForms(string text)
    {
        Assert.Null(ComputeDevice.TryParse(text));
        var error = Assert.Throws<ExperimentException>(() => new ExperimentSpec { Device = text }.Validate());
        Assert.Equal("device", error.Key);
        Assert.Equal($"device is '{text}'; expected {ComputeDevice.AcceptedForms}.", error.Message);
    }

    /// <summary>A real check: this machine's TorchSharp is the CPU package, so CUDA is refused before anything trains, with the package to install.</summary>
    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void Cuda_WithoutTheCudaBackend_IsRefusedAtResolve_WithTheInstallHint(string text)
    {
        Assert.False(cuda.is_available(), "this test expects a machine without CUDA");
        var error = Assert.Throws<ExperimentException>(() => ExperimentPlan.Resolve(new ExperimentSpec { Device = text }, BuiltInManifolds.Resolve));
        Assert.Equal("device", error.Key);
        Assert.StartsWith($"device is '{text}', but TorchSharp's CUDA backend is not available", error.Message);
        Assert.Contains("TorchSharp-cpu package reference in src/Runner/ManifoldKit.Runner.csproj and Directory.Packages.props", error.Message);
        Assert.Contains("TorchSharp-cuda-linux (or TorchSharp-cuda-windows) of the same version", error.Message);
        Assert.EndsWith("or set device: cpu.", error.Message);
    }

    [Fact]
    public void CpuResolves()
    {
        using var plan = ExperimentPlan.Resolve(new ExperimentSpec { Device = "cpu" }, BuiltInManifolds.Resolve);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Parse(plan.Spec.Device).type);
    }

    [Fact]
    public void GpuNumber_BeyondTheGpusPresent_IsRefused()
    {
        ComputeDevice.CheckAvailable("cuda:1", () => true, () => 2);
        var error = Assert.Throws<ExperimentException>(() => ComputeDevice.CheckAvailable("cuda:2", () => true, () => 2));
        Assert.Equal("device", error.Key);
        Assert.Equal("device is 'cuda:2', but this machine has 2 CUDA devices (numbered from 0); use cuda:0 to cuda:1, or cuda.", error.Message);
        error = Assert.Throws<ExperimentException>(() => ComputeDevice.CheckAvailable("cuda:1", () => true, () => 1));
        Assert.Equal("device is 'cuda:1', but this machine has 1 CUDA device (numbered from 0); use cuda:0, or cuda.", error.Message);
    }

    /// <summary>On the CPU a batch is not copied: <see cref="ComputeDevice.Move"/> hands back the tensor itself.</summary>
    [Fact]
    public void Move_OnTheCpu_IsTheTensorItself()
    {
        using var x = ones(3);
        Assert.Same(x, ComputeDevice.Move(x, CPU));
        Assert.Same(x, ComputeDevice.Move(x, ComputeDevice.Parse("cpu")));
    }

    /// <summary>A CPU generator from <see cref="ComputeDevice.NewGenerator"/> draws what a plain one of the same seed draws.</summary>
    [Fact]
    public void NewGenerator_OnTheCpu_DrawsAsBefore()
    {
        using var plain = new Generator(7);
        using var made = ComputeDevice.NewGenerator(7, CPU);
        using var a = rand([5], generator: plain);
        using var b = rand([5], generator: made);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
    }

    /// <summary>
    /// What <see cref="VariationalAutoencoder.MoveTo"/> relies on off the CPU: a conversion that replaces the
    /// registered parameters (here to float64, the one this machine can do) leaves the Gaussian likelihood on its old
    /// log σ until it takes the model's back.
    /// </summary>
    [Fact]
    public void Likelihood_TakesItsParameterBack_AfterTheModelReplacedIt()
    {
        using var model = new VariationalAutoencoder(LatentSpace.Euclidean(1));
        model.to(ScalarType.Float64);
        var registered = model.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter);
        Assert.NotSame(registered["logScale"], model.Likelihood.Parameters[0].Parameter);
        model.Likelihood.Rebind(name => registered[name]);
        Assert.Same(registered["logScale"], model.Likelihood.Parameters[0].Parameter);
        using var x = zeros([2, model.Architecture.ObservedDim], dtype: ScalarType.Float64);
        using var logProb = model.Likelihood.LogProb(x, x);
        Assert.Equal(ScalarType.Float64, logProb.dtype);
    }

    /// <summary>On the CPU <see cref="VariationalAutoencoder.MoveTo"/> keeps every parameter where and what it was.</summary>
    [Fact]
    public void MoveTo_TheCpu_ChangesNothing()
    {
        using var model = new VariationalAutoencoder(LatentSpace.Euclidean(1));
        var before = model.parameters().ToList();
        model.MoveTo(CPU);
        var after = model.parameters().ToList();
        Assert.Equal(before.Count, after.Count);
        Assert.All(before.Zip(after), pair => Assert.Same(pair.First, pair.Second));
        Assert.Same(model.named_parameters(recurse: false).Single(p => p.name == "logScale").parameter, model.Likelihood.Parameters[0].Parameter);
        Assert.Equal(DeviceType.CPU, model.Device.type);
    }

    /// <summary><c>device: cpu</c> trains a tiny learned-f, group-action run to exactly the numbers of a spec without the key.</summary>
    [Fact]
    public void DeviceCpu_TrainsToTheSameNumbers_AsNoDeviceKey()
    {
        var spec = new ExperimentSpec
        {
            Name = "tiny",
            Latent = new LatentOptions { Embedding = EmbeddingSource.Learned, GroupAction = true },
            Training = new TrainingOptions { Steps = 60, ReportEvery = 20, CheckpointEvery = 30 },
            Wae = new WaeOptions { Steps = 50 },
            EmbeddingChecks = new EmbeddingChecks { AllowFailures = true },
            Evaluation = new EvaluationOptions { TestSize = 100, IwaeSamples = 5, ElboSamples = 2 },
        };
        ExperimentResult Train(ExperimentSpec s, string name)
        {
            using var plan = ExperimentPlan.Resolve(s, BuiltInManifolds.Resolve);
            // Each its own embeddings folder: the WAE is trained on the device too, not read from the other's cache.
            var (run, result) = TrainingRun.Execute(plan, 0, Path.Combine(root, name), new EmbeddingProvider(Path.Combine(root, name + "-embeddings")));
            run.Dispose();
            return result;
        }
        var without = Train(spec, "without");
        var cpu = Train(spec with { Device = "cpu" }, "cpu");
        Assert.Equal((without.Elbo, without.Iwae, without.Kl), (cpu.Elbo, cpu.Iwae, cpu.Kl));
        Assert.Equal(Losses(Path.Combine(root, "without", "metrics.csv")), Losses(Path.Combine(root, "cpu", "metrics.csv")));
        Assert.True(double.IsFinite(cpu.Elbo));
    }

    // Every column of metrics.csv but the wall time.
    private static string[] Losses(string metrics) =>
        [.. File.ReadAllLines(metrics).Select(line => string.Join(',', line.Split(',').Where((_, column) => column != 1)))];
}
