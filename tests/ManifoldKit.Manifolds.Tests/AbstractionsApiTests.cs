using System.Reflection;
using Xunit;

namespace ManifoldKit.Manifolds.Tests;

/// <summary>
/// Everything public in ManifoldKit.Abstractions is contract: compiled plugins bind to it by type
/// identity (docs/architecture.md). Its public surface is pinned here, so a change to it is a
/// deliberate, reviewed edit of Abstractions.api.txt (regenerate with MANIFOLDKIT_WRITE_API=1).
/// </summary>
public sealed class AbstractionsApiTests
{
    [Fact]
    public void PublicSurface_IsThePinnedOne()
    {
        var assembly = typeof(IManifold).Assembly;
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add($"{Kind(type)} {type.FullName}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            lines.AddRange(type.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Select(m => $"  {(m is MethodBase { IsStatic: true } or FieldInfo { IsStatic: true } ? "static " : "")}{m.MemberType} {m}")
                .Order(StringComparer.Ordinal));
        }
        var text = string.Join("\n", lines) + "\n";
        var pinned = Path.Combine(AppContext.BaseDirectory, "Abstractions.api.txt");
        if (Environment.GetEnvironmentVariable("MANIFOLDKIT_WRITE_API") == "1")
            File.WriteAllText(Path.Combine(SourceFolder(), "Abstractions.api.txt"), text);
        Assert.Equal(File.ReadAllText(pinned), text);
    }

    private static string Kind(Type type) =>
        type.IsInterface ? "interface" : type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : "class";

    private static string SourceFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ManifoldKit.sln"))) return Path.Combine(directory.FullName, "tests", "ManifoldKit.Manifolds.Tests");
        throw new InvalidOperationException("ManifoldKit.sln not found above the test output");
    }
}
