using ManifoldKit.Data.Formats;
using Xunit;

namespace ManifoldKit.Core.Tests.Data;

/// <summary>
/// The real Fashion-MNIST files from the Debian package dataset-fashion-mnist, which the test build installs (build/FashionMnist.targets).
/// Missing files fail (never skip), so that these tests cannot pass by not running.
/// </summary>
public sealed class FashionMnistTests
{
    private const string Folder = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void TestLabels_AreATenClassBalance()
    {
        var labels = Idx.Read(File("t10k-labels-idx1-ubyte.gz"));
        Assert.Equal(ElementType.UInt8, labels.ElementType);
        Assert.Equal([10000L], labels.Shape);
        var counts = labels.As<byte>().CountBy(label => label).OrderBy(pair => pair.Key).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(label => (byte)label), counts.Select(pair => pair.Key));
        Assert.All(counts, pair => Assert.Equal(1000, pair.Value));
    }

    /// <summary>60,000 × 28 × 28 bytes, kept as 47 MB of bytes until converted (the read's speed is measured by manifoldkit-bench, not here).</summary>
    [Fact]
    public void TrainImages_AreReadWhole()
    {
        var path = File("train-images-idx3-ubyte.gz");
        var images = Idx.Read(path);
        Assert.Equal([60000L, 28, 28], images.Shape);
        Assert.Equal(47_040_000, images.As<byte>().Length);
        using var pixels = images.ToByteTensor();
        Assert.Equal(255, pixels.max().item<byte>());
    }

    private static string File(string name)
    {
        var path = Path.Combine(Folder, name);
        Assert.True(System.IO.File.Exists(path),
            $"{path} is missing: install the Fashion-MNIST files with `apt-get install -y dataset-fashion-mnist` (`dpkg -L dataset-fashion-mnist` lists where they go)");
        return path;
    }
}
