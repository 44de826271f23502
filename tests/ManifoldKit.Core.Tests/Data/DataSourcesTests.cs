using System.Runtime.InteropServices;
using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Data.Formats;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Data;

/// <summary>The sources a config's <c>data:</c> section builds: a user's files, Fashion-MNIST, and their transforms.</summary>
public sealed class DataSourcesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mk-data").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ExperimentSpec Spec(DataOptions data, int dim) => new() { Data = data, Architecture = new ArchitectureOptions { ObservedDim = dim } };

    private static byte[] FloatNpy(float[] values, params long[] shape) =>
        FormatWriters.Npy(new ArrayCase(ElementType.Float32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));

    private static byte[] ByteIdx(byte[] values, params long[] shape) => FormatWriters.Idx(new ArrayCase(ElementType.UInt8, shape, values));

    /// <summary>
    /// An .npy training file with a seeded split: the test and training rows partition the file, each row keeps its
    /// own factor, trailing dimensions are flattened, and the same data_seed gives the same split.
    /// </summary>
    [Property(MaxTest = 15)]
    public void Npy_WithASplit_PartitionsTheRows_KeepingTheirFactors(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        var n = random.Next(4, 60);
        // Row i holds i in each of its 2×3 values, and i as its factor.
        var x = Write("x.npy", FloatNpy([.. Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat((float)i, 6))], n, 2, 3));
        var factors = Write("c.npy", FloatNpy([.. Enumerable.Range(0, n).Select(i => (float)i)], n));
        var split = 0.1 + 0.5 * random.NextDouble();
        var spec = Spec(new DataOptions { Source = DataSources.Files, Train = x, TrainFactors = factors, Split = split }, 6) with { DataSeed = random.Next() };
        using var data = DataSources.Create(spec, new Circle());
        var held = (long)Math.Round(split * n);
        Assert.Equal((n - held, held, 6), (data.TrainSize!.Value, data.TestSize!.Value, data.ObservationDim));
        Assert.Equal(["label"], data.FactorNames);
        var (testX, testFactors) = data.TestSet(n);
        Assert.Equal(testFactors.squeeze(1).data<float>().ToArray(), testX.select(1, 5).data<float>().ToArray());
        using var generator = new Generator(1);
        var (trainX, trainFactors) = data.Sample(n - held, generator);
        Assert.Equal(trainFactors.squeeze(1).data<float>().ToArray(), trainX.select(1, 0).data<float>().ToArray());
        var all = testFactors.squeeze(1).data<float>().Concat(trainFactors.squeeze(1).data<float>()).Order();
        Assert.Equal(Enumerable.Range(0, n).Select(i => (float)i), all);
        using var again = DataSources.Create(spec, new Circle());
        Assert.Equal(testFactors.data<float>().ToArray(), again.TestSet(n).Factors.data<float>().ToArray());
    }

    /// <summary>IDX bytes are scaled to [0, 1] (auto: divided by 255) and kept as bytes in memory; labels come from their own file.</summary>
    [Fact]
    public void Idx_Bytes_AreScaled_AndLabelsRead()
    {
        using var scope = NewDisposeScope();
        byte[] pixels = [0, 51, 102, 255, 0, 255, 10, 20];
        var spec = Spec(new DataOptions
        {
            Source = DataSources.Files,
            Train = Write("train-images", ByteIdx(pixels, 2, 2, 2)),
            TrainFactors = Write("train-labels", ByteIdx([3, 7], 2)),
            Test = Write("test-images", ByteIdx(pixels, 2, 2, 2)),
            TestFactors = Write("test-labels", ByteIdx([1, 2], 2)),
        }, 4);
        using var data = DataSources.Create(spec, new Circle());
        var (x, labels) = data.TestSet(10);
        Assert.All(x.flatten().data<float>().ToArray().Zip(pixels), pair => Assert.Equal(pair.Second / 255.0, pair.First, 1e-6));
        Assert.Equal([1f, 2f], labels.flatten().data<float>().ToArray());
    }

    /// <summary>
    /// Static binarisation draws every value once (the same run after run); dynamic draws each training batch afresh,
    /// with a mean that matches the grey values within 5 standard errors, and keeps the test set fixed.
    /// </summary>
    [Fact]
    public void Binarisation_StaticIsFixed_DynamicIsFreshWithTheRightMean()
    {
        using var scope = NewDisposeScope();
        const int n = 400, d = 50;
        var grey = Enumerable.Range(0, n * d).Select(i => (byte)(i * 37 % 256)).ToArray();
        var options = new DataOptions { Source = DataSources.Files, Train = Write("g.idx", ByteIdx(grey, n, d)), Split = 0.25 };
        using var generator = new Generator(5);

        using var fixedData = DataSources.Create(Spec(options with { Binarize = Binarization.Static }, d), new Circle());
        var first = fixedData.TrainingBatch(1, 100, generator).X;
        Assert.True(first.eq(0).logical_or(first.eq(1)).all().item<bool>());
        var nextEpoch = fixedData.TrainingBatch(4, 100, generator).X;                          // 3 batches an epoch
        Assert.Equal(first.sum().item<float>(), fixedData.TrainingBatch(1, 100, generator).X.sum().item<float>());
        Assert.True(nextEpoch.eq(0).logical_or(nextEpoch.eq(1)).all().item<bool>());

        using var fresh = DataSources.Create(Spec(options with { Binarize = Binarization.Dynamic }, d), new Circle());
        var a = fresh.TrainingBatch(1, 300, generator).X;
        var b = fresh.TrainingBatch(1, 300, generator).X;                                          // the same points, drawn again
        Assert.True(a.ne(b).any().item<bool>(), "dynamic binarisation drew the same values twice");
        using var plain = DataSources.Create(Spec(options, d), new Circle());
        var p = plain.TrainingBatch(1, 300, generator).X.to_type(ScalarType.Float64);
        var difference = (a.to_type(ScalarType.Float64) - p).mean().item<double>();
        var standardError = Math.Sqrt((p * (1 - p)).sum().item<double>()) / p.numel();
        Assert.True(Math.Abs(difference) < 5 * standardError, $"mean of the draws minus the grey values: {difference:G3} (SE {standardError:G3})");
        Assert.Equal(fresh.TestSet(1000).X.sum().item<float>(), fresh.TestSet(1000).X.sum().item<float>());
    }

    [Theory]
    [InlineData("none", "data.train", "data.source is files, but there is no data.train")]
    [InlineData("nosplit", "data.test", "data.source is files, but there is neither data.test nor data.split")]
    [InlineData("missing", "data.train", "data.train is '/nowhere/x.npy', which does not exist.")]
    [InlineData("toybinary", "data.binarize", "data.binarize needs values in [0, 1], and the toy tasks' are not")]
    [InlineData("outside", "data.binarize", "data.binarize needs values in [0, 1], but x.npy's lie in [-1, 2]")]
    [InlineData("rows", "data.train_factors", "has 3 rows, but")]
    [InlineData("bernoulli", "architecture.likelihood", "architecture.likelihood is bernoulli, which models values in [0, 1], but x.npy's lie in [-1, 2]")]
    [InlineData("fashion", "data.path", "Fashion-MNIST is not in /nowhere (train-images-idx3-ubyte.gz is missing); install it with 'apt-get install dataset-fashion-mnist'")]
    public void Misfit_IsRefused_NamingTheKey(string kind, string key, string message)
    {
        using var scope = NewDisposeScope();
        var x = Write("x.npy", FloatNpy([-1, 0, 1, 2, 0, 1, 1, 0], 4, 2));
        var options = kind switch
        {
            "none" => new DataOptions { Source = DataSources.Files },
            "nosplit" => new DataOptions { Source = DataSources.Files, Train = x },
            "missing" => new DataOptions { Source = DataSources.Files, Train = "/nowhere/x.npy", Split = 0.5 },
            "toybinary" => new DataOptions { Binarize = Binarization.Static },
            "outside" => new DataOptions { Source = DataSources.Files, Train = x, Split = 0.5, Binarize = Binarization.Dynamic },
            "rows" => new DataOptions { Source = DataSources.Files, Train = x, Split = 0.5, TrainFactors = Write("c.npy", FloatNpy([1, 2, 3], 3)) },
            "bernoulli" => new DataOptions { Source = DataSources.Files, Train = x, Split = 0.5 },
            _ => new DataOptions { Source = DataSources.FashionMnist, Path = "/nowhere" },
        };
        var spec = Spec(options, 2);
        if (kind == "bernoulli") spec = spec with { Architecture = spec.Architecture with { Likelihood = "bernoulli" } };
        var error = Assert.Throws<ExperimentException>(() => DataSources.Create(spec, new Circle()).Dispose());
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message);
    }

    /// <summary>The real Fashion-MNIST: 60,000 training and 10,000 test images of 784 bytes in [0, 1], labelled 0 to 9.</summary>
    [Fact]
    public void FashionMnist_IsReadWhole()
    {
        using var scope = NewDisposeScope();
        using var data = DataSources.Create(Spec(new DataOptions { Source = DataSources.FashionMnist }, 784), new Circle());
        Assert.Equal((60_000L, 10_000L, 784, "label"), (data.TrainSize!.Value, data.TestSize!.Value, data.ObservationDim, data.FactorNames[0]));
        var (x, labels) = data.TestSet(10_000);
        Assert.Equal((0f, 1f), (x.min().item<float>(), x.max().item<float>()));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), labels.unique().Item1.data<float>().ToArray());
    }
}
