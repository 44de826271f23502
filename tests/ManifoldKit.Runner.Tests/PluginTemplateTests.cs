using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>
/// docs/writing-a-plugin.md as a stranger follows it: the packages in a local feed, the template
/// installed, a plugin generated outside the repository, its manifold replaced, its laws run, and the
/// plugin loaded, verified and trained on by the real executable.
/// </summary>
public sealed class PluginTemplateTests : IDisposable
{
    private static readonly string TemplateRoot = Path.Combine(Repository.Root, "templates", "ManifoldKit.Templates", "content", "manifoldkit-plugin");

    private readonly string work = Directory.CreateTempSubdirectory("mk-template").FullName;

    // A version of its own: NuGet never re-reads a version it already holds in the global packages folder.
    private readonly string version = $"{PackageVersion()}-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public void Dispose()
    {
        Directory.Delete(work, recursive: true);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "manifoldkit.abstractions", "manifoldkit.testing" })
        {
            var cached = Path.Combine(globalPackages, id, version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            if (Directory.Exists(Path.GetDirectoryName(cached)) && !Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(cached)!).Any()) Directory.Delete(Path.GetDirectoryName(cached)!);
        }
    }

    [Fact]
    public void PluginFromTheTemplate_PassesItsLaws_AndIsListedVerifiedAndTrainedOn()
    {
        Assert.False(work.StartsWith(Repository.Root, StringComparison.Ordinal), $"{work} is inside the repository");
        var feed = Path.Combine(work, "feed");
        var hive = Path.Combine(work, "template-hive");
        var source = Directory.CreateDirectory(Path.Combine(work, "src")).FullName;

        // --no-build: the test's own build has built the packable projects (references in the csproj).
        Dotnet("pack", Repository.Root, "pack", "ManifoldKit.sln", "-c", Repository.Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
        Dotnet("template install", work, "new", "install", Path.Combine(feed, $"ManifoldKit.Templates.{version}.nupkg"), "--debug:custom-hive", hive);
        Dotnet("dotnet new manifoldkit-plugin", source, "new", "manifoldkit-plugin", "-n", "Ring", "--feed", feed, "--kit-version", version, "--debug:custom-hive", hive);
        File.Copy(Path.Combine(Repository.Root, "tests", "ManifoldKit.Runner.Tests", "Fixtures", "RingManifold.cs"), Path.Combine(source, "Ring", "RingManifold.cs"), overwrite: true);

        var laws = Dotnet("dotnet test of the generated conformance project", source, "test");
        Assert.True(Regex.Match(laws, @"Passed:\s+(\d+)") is { Success: true } m && int.Parse(m.Groups[1].Value) > 0, $"dotnet test ran no laws:\n{laws}");

        var plugin = Directory.CreateDirectory(Path.Combine(work, "plugins", "Ring")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(source, "Ring", "bin", "Debug", "net10.0"))) File.Copy(file, Path.Combine(plugin, Path.GetFileName(file)));
        var hostOwned = Directory.GetFiles(plugin, "*", SearchOption.AllDirectories).Select(Path.GetFileName)
            .Where(f => Regex.IsMatch(f!, "^(TorchSharp|libtorch|libLibTorchSharp|ManifoldKit.Abstractions|SkiaSharp|libSkiaSharp)"));
        Assert.Empty(hostOwned);

        var plugins = Path.GetDirectoryName(plugin)!;
        var listed = Runner("manifolds", "manifolds", "--plugin-dir", plugins);
        Assert.True(listed.Contains("| ring | 1 | 2 | 12.5664 | yes | SO(2) (2 parameters) |", StringComparison.Ordinal), $"manifolds does not list the plugin:\n{listed}");
        var verified = Runner("verify", "verify", "ring", "--plugin-dir", plugins);
        Assert.Matches(@"ring: [1-9]\d* passed, 0 failed\n$", verified);

        var config = Path.Combine(work, "ring.yaml");
        File.WriteAllText(config, "name: ring\ntask: ring\nlatent:\n  manifold: ring\n  embedding: exact\n  group_action: true\n");
        var trained = Runner("run", "run", config, "--plugin-dir", plugins, "training.steps=200", "training.report_every=100", "training.checkpoint_every=100",
            "evaluation.test_size=200", "evaluation.iwae_samples=5", "evaluation.elbo_samples=2");
        Assert.Contains("ring seed 0: test ELBO ", trained);
        Assert.True(File.Exists(Path.Combine(work, "runs", "ring", "seed0", "result.json")), $"run wrote no result.json:\n{trained}");
    }

    /// <summary>The generated projects pin versions, which must be the ones this repository builds and tests with.</summary>
    [Fact]
    public void TemplateVersions_MatchTheRepository()
    {
        var central = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        using var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(TemplateRoot, ".template.config", "template.json")));
        Assert.Equal(PackageVersion(), template.RootElement.GetProperty("symbols").GetProperty("kitVersion").GetProperty("defaultValue").GetString());

        var references = Directory.GetFiles(TemplateRoot, "*.csproj", SearchOption.AllDirectories)
            .SelectMany(f => XDocument.Load(f).Descendants("PackageReference"))
            .Select(r => ((string)r.Attribute("Include")!, (string)r.Attribute("Version")!))
            .ToList();
        Assert.Equal(["ManifoldKit.Abstractions", "ManifoldKit.Testing", "Microsoft.NET.Test.Sdk", "TorchSharp-cpu", "xunit.runner.visualstudio"],
            references.Select(r => r.Item1).Order(StringComparer.Ordinal));
        foreach (var (id, pinned) in references)
            Assert.True(pinned == (id.StartsWith("ManifoldKit.", StringComparison.Ordinal) ? "MANIFOLDKIT_VERSION" : central[id]), $"{id} {pinned} in the template; the repository has {central.GetValueOrDefault(id, "MANIFOLDKIT_VERSION")}");
    }

    private static string PackageVersion() =>
        XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.props")).Descendants("Version").Single().Value;

    private string Runner(string step, params string[] arguments)
    {
        var (code, output, error) = Repository.Run(work, null, arguments);
        Assert.True(code == 0, $"step '{step}': manifoldkit {string.Join(' ', arguments)} exited {code}\n{output}\n{error}");
        return output;
    }

    /// <summary>Runs <c>dotnet ARGS</c> as a user would, outside this test's build; fails naming the step, with its output.</summary>
    private static string Dotnet(string step, string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // The test host inherits the outer build's MSBuild and test-platform settings; a user's shell has none.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                                                          || k.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || k == "MANIFOLDKIT_PLUGIN_PATH").ToList())
            info.Environment.Remove(key);
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"step '{step}': dotnet {string.Join(' ', arguments)} (in {directory}) exited {process.ExitCode}\n{output.Result}\n{error.Result}");
        return output.Result;
    }
}
