using System.CommandLine;
using System.Reflection;
using ManifoldKit.Testing;
using Xunit;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// <c>manifoldkit verify MANIFOLD</c>: runs the conformance laws of ManifoldKit.Testing against any
/// loaded manifold and prints PASS or FAIL per law. A [Property] runs on 20 seeds.
/// </summary>
public static class VerifyCommand
{
    private const int PropertyCases = 20;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("manifold") { Description = "Registry name of the manifold to check." };
        var settings = CommandLine.SettingOption();
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("verify", "Check a manifold against the conformance laws (the FsCheck suites of ManifoldKit.Testing).") { name, settings, pluginDirs };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            var catalog = CommandLine.Catalog(parse.GetValue(pluginDirs) ?? []);
            var manifold = catalog.Create(parse.GetValue(name)!, CommandLine.Settings(parse.GetValue(settings) ?? []));
            Target.Manifold = manifold;
            var failed = 0;
            var passed = 0;
            foreach (var (suite, offered, why) in new (Type Suite, bool Offered, string Why)[]
                     {
                         (typeof(Manifold), true, ""),
                         (typeof(Embedding), manifold.ExactEmbedding is not null, "no exact embedding"),
                         (typeof(Symmetry), manifold.Symmetry is not null, "no group action"),
                     })
            {
                var title = suite.BaseType!.Name;
                if (!offered)
                {
                    Console.WriteLine($"{title}: not offered ({why}); not checked");
                    continue;
                }
                Console.WriteLine($"{title}:");
                foreach (var law in Laws(suite))
                {
                    var failure = Check(suite, law);
                    if (failure is null) passed++; else failed++;
                    Console.WriteLine(failure is null ? $"  PASS {law.Name}" : $"  FAIL {law.Name}: {failure}");
                }
            }
            Console.WriteLine($"{manifold.Name}: {passed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }

    private static IEnumerable<MethodInfo> Laws(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<FactAttribute>(inherit: true) is not null)
            .OrderBy(m => m.MetadataToken);

    /// <summary>Runs one law on a fresh suite instance per case; returns the first failure, or null.</summary>
    private static string? Check(Type suite, MethodInfo law)
    {
        var parameters = law.GetParameters();
        var cases = parameters.Length == 0 ? [[]] : Enumerable.Range(0, PropertyCases).Select(i => parameters.Select(p => Argument(p.ParameterType, i)).ToArray()).ToList();
        foreach (var arguments in cases)
        {
            try
            {
                law.Invoke(Activator.CreateInstance(suite, nonPublic: true), arguments);
            }
            catch (TargetInvocationException error) when (error.InnerException is { } inner)
            {
                var at = arguments.Length > 0 ? $" [{string.Join(", ", arguments)}]" : "";
                return $"{inner.Message.Split('\n')[0].Trim()}{at}";
            }
        }
        return null;
    }

    private static object Argument(Type type, int index)
    {
        var random = new Random(1000 + index);
        if (type == typeof(Seed)) return new Seed(random.Next());
        if (type == typeof(byte)) return (byte)random.Next(256);
        throw new NotSupportedException($"verify cannot generate a {type.Name} argument; use Seed or byte in contract laws.");
    }

    /// <summary>The manifold under test, handed to the suites through their factory method.</summary>
    private static class Target
    {
        public static IManifold? Manifold { get; set; }
    }

    private sealed class Manifold : ManifoldContract
    {
        protected override IManifold CreateManifold() => Target.Manifold!;
    }

    private sealed class Embedding : ExactEmbeddingContract
    {
        protected override IManifold CreateManifold() => Target.Manifold!;
    }

    private sealed class Symmetry : GroupActionContract
    {
        protected override IManifold CreateManifold() => Target.Manifold!;
    }
}
