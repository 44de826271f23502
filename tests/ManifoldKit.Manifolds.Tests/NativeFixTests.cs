using System.Text;
using Xunit;

namespace ManifoldKit.Manifolds.Tests;

/// <summary>
/// The build patches the output's copy of libLibTorchSharp.so only where the system libstdc++ lacks
/// GLIBCXX_3.4.32, and never the NuGet cache (build/native/fix-libtorchsharp.sh).
/// </summary>
public sealed class NativeFixTests
{
    private const string Shim = "libManifoldKitStdcxxShim.so";
    private static readonly string NativeDir = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");

    private static bool Contains(string file, string text) =>
        File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;

    private static bool SystemHasVersion()
    {
        var candidates = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" };
        var library = candidates.First(File.Exists);
        return Contains(library, "GLIBCXX_3.4.32");
    }

    [Fact]
    public void OutputCopy_IsPatchedExactlyWhenTheSystemNeedsIt()
    {
        Assert.True(OperatingSystem.IsLinux() && File.Exists(Path.Combine(NativeDir, "libLibTorchSharp.so")), "expected a Linux x64 build output");
        var patched = Contains(Path.Combine(NativeDir, "libLibTorchSharp.so"), Shim);
        if (SystemHasVersion())
        {
            Assert.False(patched, "the system libstdc++ has GLIBCXX_3.4.32, yet the library was patched");
            Assert.False(File.Exists(Path.Combine(NativeDir, Shim)));
        }
        else
        {
            Assert.True(patched, "the system libstdc++ lacks GLIBCXX_3.4.32, yet the library was not patched");
            Assert.True(File.Exists(Path.Combine(NativeDir, Shim)), "the shim is missing beside the patched library");
        }
    }

    [Fact]
    public void NuGetCache_IsNeverPatched()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var original = Path.Combine(cache, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(original), $"expected TorchSharp's native library at {original}");
        Assert.False(Contains(original, Shim), $"{original} in the NuGet cache was modified");
    }
}
