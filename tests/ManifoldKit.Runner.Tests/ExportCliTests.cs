using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ManifoldKit.Models;
using ManifoldKit.Runner.Commands;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Tests;

/// <summary>
/// The default config (circle task, learned f, group-action encoder), trained briefly through the real
/// executable into <c>runs/default/seed0</c>, as docs/python.md assumes, then exported once.
/// </summary>
public sealed class ExportedRun : IDisposable
{
    public ExportedRun()
    {
        var config = Path.Combine(Repository.Root, "configs", "default.yaml");
        var (code, output, error) = Repository.Run(Work, null, ["run", config, "training.steps=200", "training.report_every=100", "training.checkpoint_every=100",
            "wae.steps=100", "embedding_checks.allow_failures=true", "evaluation.test_size=100", "evaluation.iwae_samples=2", "evaluation.elbo_samples=1"]);
        Assert.True(code == 0, output + error);
        (code, output, error) = Repository.Run(Work, null, "export", Run);
        Assert.True(code == 0, output + error);
        ExportOutput = output;
    }

    public string Work { get; } = Directory.CreateTempSubdirectory("mk-export").FullName;

    public string Run => Path.Combine(Work, "runs", "default", "seed0");

    public string File => Path.Combine(Run, ExportCommand.DefaultFile);

    public string ExportOutput { get; }

    public void Dispose() => Directory.Delete(Work, recursive: true);
}

/// <summary><c>manifoldkit export</c>: the file holds the checkpoint's model, and plain PyTorch rebuilds its decoder (docs/python.md).</summary>
public sealed class ExportCliTests(ExportedRun exported) : IClassFixture<ExportedRun>
{
    private static readonly string BuiltIns = Path.Combine(Repository.Output("src/Runner"), "plugins");

    [Fact]
    public void Export_HoldsTheCheckpointsWeights_AndTheDecoderAndFRebuiltFromTheFileMatchTheModels()
    {
        Assert.Matches(@"^default seed 0 at step 200: 21 tensors, [0-9,]+ parameters, [0-9,]+ bytes -> .*model\.safetensors\n$", exported.ExportOutput);
        var (tensors, metadata) = SafeTensors.Read(exported.File);
        var (_, plan, run) = RunExecutor.Restore(exported.Run, [BuiltIns]);
        using var disposePlan = plan;
        using var disposeRun = run;
        using var scope = NewDisposeScope();
        using var gradients = no_grad();
        var file = tensors.ToDictionary(t => t.Name, t => t.Tensor);
        var model = run.Model;

        // Every weight of the model, and f's network, bit for bit; nothing else.
        var expected = model.NamedWeights().ToList();
        Assert.Equal([.. expected.Select(w => w.Name), "embedding.0.0.weight", "embedding.0.0.bias", "embedding.0.2.weight", "embedding.0.2.bias", "embedding.0.4.weight", "embedding.0.4.bias"],
            tensors.Select(t => t.Name));
        Assert.Contains("likelihood.logScale", file.Keys);
        Assert.Contains("action_head.0.weight", file.Keys);
        foreach (var (name, weight) in expected)
            Assert.True(file[name].shape.SequenceEqual(weight.shape) && (file[name] == weight.detach()).all().item<bool>(), $"{name} differs from the restored model's");

        // The decoder, rebuilt from the file by the layer order its metadata gives, against the model's own.
        var architecture = JsonNode.Parse(metadata["architecture"])!;
        var layers = architecture["decoder"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(["decoder.0", "relu", "decoder.2", "relu", "decoder.4"], layers);
        var angles = linspace(0, 2 * Math.PI, 9).narrow(0, 0, 8);
        var onCircle = stack([angles.cos(), angles.sin()], 1).to_type(ScalarType.Float32);
        var inputs = cat([onCircle, tensor(new float[,] { { 0, 0 }, { 2.5f, -1.5f }, { -0.3f, 0.7f } })]);
        TensorAssert.Close(Apply(file, layers, inputs), model.Decode(inputs), 1e-6, "decoder rebuilt from the file vs the model's");

        // f, rebuilt the same way, against the latent's own f on codes inside the cube.
        var f = JsonNode.Parse(metadata["latent"])!["factors"]![0]!["embedding"]!;
        Assert.Equal("learned", f["kind"]!.GetValue<string>());
        var codes = linspace(0.05, 0.95, 7).to_type(ScalarType.Float32).unsqueeze(1);
        var fLayers = f["layers"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        TensorAssert.Close(Apply(file, fLayers, codes), model.Latent.Factors[0].Embedding!.Embed(codes), 1e-6, "f rebuilt from the file vs the run's f");
        foreach (var (_, t) in tensors) t.Dispose();
    }

    [Fact]
    public void Export_Metadata_DescribesTheArchitectureTheLatentAndTheRun()
    {
        var (tensors, metadata) = SafeTensors.Read(exported.File);
        foreach (var (_, t) in tensors) t.Dispose();
        Assert.Equal(ModelExport.Format, metadata["format"]);
        var architecture = JsonNode.Parse(metadata["architecture"])!;
        Assert.Equal(100, architecture["observed_dim"]!.GetValue<int>());
        Assert.Equal([128, 128], architecture["hidden_widths"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal("relu", architecture["activation"]!.GetValue<string>());
        Assert.Equal("gaussian", architecture["likelihood"]!.GetValue<string>());
        Assert.Equal(["encoder.0", "relu", "encoder.2", "relu"], architecture["encoder"]!.AsArray().Select(n => n!.GetValue<string>()));

        var latent = JsonNode.Parse(metadata["latent"])!;
        Assert.Equal("circle+action", latent["name"]!.GetValue<string>());
        Assert.Equal("manifold", latent["kind"]!.GetValue<string>());
        Assert.Equal(1, latent["hidden_dim"]!.GetValue<int>());
        Assert.Equal(2, latent["decoder_input_dim"]!.GetValue<int>());
        Assert.True(latent["action"]!.GetValue<bool>());
        var factor = latent["factors"]!.AsArray().Single()!;
        Assert.Equal("circle", factor["manifold"]!.GetValue<string>());
        Assert.Equal("beta", factor["posterior"]!.GetValue<string>());
        Assert.Equal("SO(2)", factor["action"]!["group"]!.GetValue<string>());
        Assert.Equal("action_head.0", factor["action"]!["head"]!.GetValue<string>());
        Assert.Equal("circle", factor["embedding"]!["manifold"]!.GetValue<string>());

        var run = JsonNode.Parse(metadata["run"])!;
        Assert.Equal("default", run["name"]!.GetValue<string>());
        Assert.Equal(200, run["step"]!.GetValue<int>());
        Assert.Equal(System.IO.File.ReadAllText(Path.Combine(exported.Run, RunExecutor.ConfigFile)), metadata["config"]);
    }

    [Fact]
    public async Task PythonSnippetOfTheDocs_DecodesAPointOfTheCircle_AsManifoldKitDoes()
    {
        // The doc's code block verbatim, then a line that prints what it computed.
        var markdown = System.IO.File.ReadAllText(Path.Combine(Repository.Root, "docs", "python.md"));
        var blocks = Regex.Matches(markdown, @"```python\n(.*?)```", RegexOptions.Singleline);
        Assert.Single(blocks);
        var script = Path.Combine(exported.Work, "snippet.py");
        System.IO.File.WriteAllText(script, blocks[0].Groups[1].Value + "\nprint(json.dumps({\"z\": z.tolist(), \"x\": x.tolist()}))\n");

        // /usr/bin/python3 is the one Debian's python3-torch serves, which the build installs (build/PythonTorch.targets).
        var info = new ProcessStartInfo("/usr/bin/python3") { WorkingDirectory = exported.Work, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 failed ({process.ExitCode}): {await error}");
        var printed = JsonNode.Parse((await output).Trim().Split('\n')[^1])!;
        var z = printed["z"]!.AsArray().Single()!.AsArray().Single()!.GetValue<double>();
        var python = printed["x"]!.AsArray().Single()!.AsArray().Select(n => n!.GetValue<float>()).ToArray();

        var (_, plan, run) = RunExecutor.Restore(exported.Run, [BuiltIns]);
        using var disposePlan = plan;
        using var disposeRun = run;
        using var scope = NewDisposeScope();
        using var gradients = no_grad();
        var ours = run.Model.Decode(run.Model.Latent.ToDecoderInput(tensor(new[,] { { (float)z } }))).squeeze(0);
        Assert.Equal(100, python.Length);
        TensorAssert.Close(tensor(python), ours, 1e-5, "the decoder output of docs/python.md's snippet vs ManifoldKit's, at " + z.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Export_ToAnotherFile_WritesTheSameBytes_AndRefusesWhatItCannotExport_InOneLine()
    {
        var work = exported.Work;
        var copy = Path.Combine(work, "elsewhere", "m.safetensors");
        var (code, output, error) = Repository.Run(work, null, "export", exported.Run, "--out", copy);
        Assert.True(code == 0, output + error);
        Assert.Equal(System.IO.File.ReadAllBytes(exported.File), System.IO.File.ReadAllBytes(copy));

        (code, _, error) = Repository.Run(work, null, "export", Path.Combine(work, "nosuch"));
        Assert.Equal((2, $"manifoldkit: {Path.Combine(work, "nosuch")} is not a directory; give a run directory made by 'manifoldkit run'.\n"), (code, error));

        (code, _, error) = Repository.Run(work, null, "export", Path.Combine(work, "runs"));
        Assert.Equal(2, code);
        Assert.Equal($"manifoldkit: {Path.Combine(work, "runs")} has no config.yaml: give a directory made by 'manifoldkit run' (a seed's folder, e.g. runs/NAME/seed0).\n", error);

        var untrained = Directory.CreateDirectory(Path.Combine(work, "untrained")).FullName;
        System.IO.File.Copy(Path.Combine(exported.Run, "config.yaml"), Path.Combine(untrained, "config.yaml"));
        (code, _, error) = Repository.Run(work, null, "export", untrained);
        Assert.Equal((2, $"manifoldkit: {untrained} has no checkpoint to export; train it first with 'manifoldkit run {untrained}'.\n"), (code, error));

        (code, _, error) = Repository.Run(work, null, "export", exported.Run, "--out", work);
        Assert.Equal((2, $"manifoldkit: --out {work} is a directory; give a file name, e.g. --out {Path.Combine(work, "model.safetensors")}.\n"), (code, error));

        // A folder that cannot be made (a file is in the way), so even root cannot write there: exit 3, the path given, nothing left behind.
        var blocked = Path.Combine(work, "snippet-blocker");
        System.IO.File.WriteAllText(blocked, "a file, not a folder");
        var target = Path.Combine(blocked, "m.safetensors");
        (code, _, error) = Repository.Run(work, null, "export", exported.Run, "--out", target);
        Assert.Equal(3, code);
        Assert.StartsWith($"manifoldkit: cannot read or write: {target}: ", error);
        Assert.EndsWith(" Nothing was written; give a writable --out.\n", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(work, "*.tmp", SearchOption.AllDirectories));
    }

    /// <summary>The MLP a layer list names (Linear as <c>x Wᵀ + b</c>, ReLU), on <paramref name="x"/>.</summary>
    private static Tensor Apply(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<string> layers, Tensor x)
    {
        foreach (var layer in layers)
            x = layer == "relu" ? x.relu() : x.matmul(tensors[layer + ".weight"].T) + tensors[layer + ".bias"];
        return x;
    }
}
