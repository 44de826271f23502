using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Data;

/// <summary>A finite data set in memory: epochs that visit every point once, in an order fixed by the step alone.</summary>
public sealed class InMemoryDataSourceTests
{
    private static InMemoryDataSource Numbered(long n, long test = 7, long shuffleSeed = 0, double scale = 1)
    {
        // Row i holds i in every column, and i as its factor: a batch says which points it took.
        var train = arange(n, dtype: ScalarType.Float32).unsqueeze(1).expand(n, 3).contiguous();
        var testX = arange(test, dtype: ScalarType.Float32).unsqueeze(1).expand(test, 3).contiguous();
        return new InMemoryDataSource("numbered", train, arange(n, dtype: ScalarType.Float32).unsqueeze(1), testX,
            arange(test, dtype: ScalarType.Float32).unsqueeze(1), ["index"], scale, shuffleSeed);
    }

    /// <summary>Each epoch of ⌊N/B⌋ batches takes ⌊N/B⌋·B distinct points, and the factors travel with their rows.</summary>
    [Property(MaxTest = 30)]
    public void Epoch_VisitsDistinctPoints_WithTheirFactors(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        var n = random.Next(2, 200);
        var size = random.Next(1, n + 1);
        using var data = Numbered(n, shuffleSeed: random.Next());
        using var generator = new Generator(1);
        var perEpoch = n / size;
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<float>();
            for (var b = 1; b <= perEpoch; b++)
            {
                var (x, factors) = data.TrainingBatch(epoch * perEpoch + b, size, generator);
                Assert.Equal(factors.squeeze(1).data<float>().ToArray(), x.select(1, 0).data<float>().ToArray());
                seen.AddRange(factors.squeeze(1).data<float>().ToArray());
            }
            Assert.Equal(perEpoch * size, seen.Distinct().Count());
        }
    }

    /// <summary>A batch depends on the step alone: asked again, in another order, from a fresh source, it is the same.</summary>
    [Property(MaxTest = 20)]
    public void Batch_DependsOnTheStepAlone(Seed seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed.Value);
        var steps = Enumerable.Range(0, 6).Select(_ => (long)random.Next(1, 500)).ToArray();
        using var first = Numbered(97, shuffleSeed: 5);
        using var second = Numbered(97, shuffleSeed: 5);
        using var generator = new Generator(1);
        var once = steps.Select(s => first.TrainingBatch(s, 10, generator).Factors.data<float>().ToArray()).ToList();
        var again = steps.Reverse().Select(s => second.TrainingBatch(s, 10, generator).Factors.data<float>().ToArray()).Reverse().ToList();
        Assert.Equal(once, again);
        using var other = Numbered(97, shuffleSeed: 6);
        Assert.NotEqual(once, steps.Select(s => other.TrainingBatch(s, 10, generator).Factors.data<float>().ToArray()).ToList());
    }

    [Fact]
    public void TestSet_IsFixed_AndCappedAtItsSize_AndScaled()
    {
        using var scope = NewDisposeScope();
        using var data = Numbered(20, test: 7, scale: 0.5);
        var (x, factors) = data.TestSet(2000);
        Assert.Equal([7L, 3L], x.shape);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => 0.5f * i), x.select(1, 0).data<float>().ToArray());
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (float)i), factors.squeeze(1).data<float>().ToArray());
        Assert.Equal(3, data.TestSet(3).X.shape[0]);
        Assert.Equal((20L, 7L, 3), (data.TrainSize!.Value, data.TestSize!.Value, data.ObservationDim));
    }

    [Fact]
    public void BatchLargerThanTheData_IsRefused_NamingTheKey()
    {
        using var data = Numbered(5);
        using var generator = new Generator(1);
        var error = Assert.Throws<ArgumentException>(() => data.TrainingBatch(1, 6, generator));
        Assert.Equal("numbered: a batch of 6 is larger than the 5 training points; lower training.batch_size.", error.Message);
    }
}
