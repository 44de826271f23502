using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using ManifoldKit.Distributions;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary>The safetensors writer and reader, and what <see cref="ModelExport"/> puts in a file for latents the CLI test does not train.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mk-safetensors").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void WrittenFile_FollowsTheLayout_AndReadsBackInOrder()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder, "t.safetensors");
        var a = arange(6, ScalarType.Float32).reshape(2, 3) / 7;
        var b = tensor(new[] { 1e-300, -2.5, double.MaxValue });
        var c = tensor(-42L);                                              // a scalar: shape []
        SafeTensors.Write(path, [("z.last", a), ("a.first", b), ("scalar", c)], new Dictionary<string, string> { ["note"] = "σ and \"quotes\"" });

        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);                                 // tensors start 8-aligned
        Assert.Equal(8 + headerLength + 6 * 4 + 3 * 8 + 8, bytes.Length);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!;
        Assert.Equal("F32", header["z.last"]!["dtype"]!.GetValue<string>());
        Assert.Equal("[0,24]", header["z.last"]!["data_offsets"]!.ToJsonString());
        Assert.Equal("[24,48]", header["a.first"]!["data_offsets"]!.ToJsonString());
        Assert.Equal("[]", header["scalar"]!["shape"]!.ToJsonString());
        Assert.Equal(BitConverter.GetBytes(1f / 7), bytes[(int)(8 + headerLength + 4)..(int)(8 + headerLength + 8)]);

        var (tensors, metadata) = SafeTensors.Read(path);
        Assert.Equal(["z.last", "a.first", "scalar"], tensors.Select(t => t.Name));
        Assert.True(Same(tensors[0].Tensor, a));
        Assert.True(Same(tensors[1].Tensor, b));
        Assert.Equal(ScalarType.Int64, tensors[2].Tensor.dtype);
        Assert.Empty(tensors[2].Tensor.shape);
        Assert.Equal(-42L, tensors[2].Tensor.item<long>());
        Assert.Equal("σ and \"quotes\"", metadata["note"]);
        foreach (var (_, t) in tensors) t.Dispose();
    }

    [Fact]
    public void DamagedFile_IsRefused_NamingIt()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder, "t.safetensors");
        SafeTensors.Write(path, [("w", ones(10))], new Dictionary<string, string>());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Equal($"{path} is not a safetensors file this reader can read: tensor 'w' has data_offsets outside the 36 bytes of data", error.Message);
        File.WriteAllText(path, "not a model");
        Assert.StartsWith($"{path} is not a safetensors file this reader can read: its header length ", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path)).Message);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [("w", ones(2, ScalarType.Int32))], new Dictionary<string, string>()));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [("w", ones(2)), ("w", ones(2))], new Dictionary<string, string>()));
    }

    [Fact]
    public void ModelExport_OfAProductWithExactFactors_NamesEachFactorsHeadAndSlices_AndHoldsNoEmbeddingTensors()
    {
        using var scope = NewDisposeScope();
        var circle = new Circle();
        var sphere = new Sphere();
        var latent = LatentSpace.Product(
        [
            LatentSpace.Manifold("circle", circle.ExactEmbedding, circle.Symmetry),
            LatentSpace.Euclidean(3),
            LatentSpace.Manifold("sphere", sphere.ExactEmbedding!, sphere.Symmetry, new BetaFamily(logScale: true)),
        ]);
        FactorPlan[] plans =
        [
            new("latent.factors[0]", new LatentOptions { Manifold = "circle", GroupAction = true }, latent.Factors[0].Posterior, circle, circle.Symmetry, null),
            new("latent.factors[1]", new LatentOptions { Kind = LatentKind.Euclidean, Dim = 3 }, latent.Factors[1].Posterior, null, null, null),
            new("latent.factors[2]", new LatentOptions { Manifold = "sphere", GroupAction = true }, latent.Factors[2].Posterior, sphere, sphere.Symmetry, null),
        ];
        using var model = new VariationalAutoencoder(latent, new ArchitectureOptions { ObservedDim = 9, HiddenWidths = [16], Likelihood = "bernoulli" });
        var (tensors, metadata) = ModelExport.Describe(model, plans, new ModelExport.RunInfo("p", 3, 0, null));

        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "posterior_head.weight", "posterior_head.bias", "action_head.0.weight", "action_head.0.bias",
            "action_head.2.weight", "action_head.2.bias", "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"], tensors.Select(t => t.Name));
        Assert.Equal([16, 2 + 3 + 3], tensors.Single(t => t.Name == "decoder.0.weight").Tensor.shape);
        Assert.False(metadata.ContainsKey("config"));
        var architecture = JsonNode.Parse(metadata["architecture"])!;
        Assert.Equal("[\"decoder.0\",\"relu\",\"decoder.2\"]", architecture["decoder"]!.ToJsonString());
        Assert.StartsWith("logits", architecture["decoder_output"]!.GetValue<string>());
        var json = JsonNode.Parse(metadata["latent"])!;
        Assert.Equal("product", json["kind"]!.GetValue<string>());
        Assert.Equal(latent.PosteriorParameters, json["posterior_parameters"]!.GetValue<int>());
        var factors = json["factors"]!.AsArray();
        Assert.Equal(["exact", "identity", "exact"], factors.Select(f => f!["embedding"]!["kind"]!.GetValue<string>()));
        Assert.Equal(["[0,2]", "[2,5]", "[5,8]"], factors.Select(f => f!["decoder_input_slice"]!.ToJsonString()));
        Assert.Equal(["[0,1]", "[1,4]", "[4,6]"], factors.Select(f => f!["hidden_slice"]!.ToJsonString()));
        Assert.Equal(["[0,2]", "[2,8]", "[8,12]"], factors.Select(f => f!["posterior_head_rows"]!.ToJsonString()));
        Assert.Equal(["action_head.0", null, "action_head.2"], factors.Select(f => f!["action"]?["head"]?.GetValue<string>()));
        Assert.Equal("sphere", factors[2]!["embedding"]!["manifold"]!.GetValue<string>());
    }

    private static bool Same(Tensor x, Tensor y) => x.dtype == y.dtype && x.shape.SequenceEqual(y.shape) && (x == y).all().item<bool>();
}
