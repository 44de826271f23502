using System.CommandLine;
using System.Reflection;
using FsCheck;
using FsCheck.Xunit;
using ManifoldKit.Testing;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Xunit;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// <c>manifoldkit verify MANIFOLD</c>: runs the conformance laws of ManifoldKit.Testing against any
/// loaded manifold and prints PASS or FAIL per law. A [Property] runs through FsCheck on 20 cases
/// from a fixed replay seed, and a failure is shrunk and shown with its smallest counterexample.
/// </summary>
public static class VerifyCommand
{
    private const int PropertyCases = 20;

    // Fixed, so that two runs of verify print the same cases and counterexamples.
    private const ulong ReplaySeed = 1000;

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

    /// <summary>
    /// Runs one law on a fresh suite instance: a [Fact] once, a [Property] through FsCheck itself (the
    /// suite's Arbitraries, <see cref="PropertyCases"/> cases from a fixed replay seed, shrinking), as
    /// xunit would. Returns the failure with the smallest counterexample FsCheck found, or null.
    /// </summary>
    private static string? Check(Type suite, MethodInfo law)
    {
        var target = Activator.CreateInstance(suite, nonPublic: true)!;
        if (law.GetCustomAttribute<PropertyAttribute>(inherit: true) is not { } property)
        {
            try
            {
                law.Invoke(target, []);
                return null;
            }
            catch (TargetInvocationException error) when (error.InnerException is { } inner)
            {
                return FirstLine(inner);
            }
        }
        var arbitraries = (suite.GetCustomAttribute<PropertiesAttribute>(inherit: true)?.Arbitrary ?? []).Concat(property.Arbitrary ?? []);
        var capture = new Capture();
        var config = Config.Quick
            .WithMaxTest(PropertyCases)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(ReplaySeed), FSharpOption<int>.None)))
            .WithArbitrary(arbitraries)
            .WithRunner(capture);
        FsCheck.Check.Method(config, law, FSharpOption<object>.Some(target));
        return capture.Result switch
        {
            TestResult.Failed failed => Describe(failed),
            TestResult.Exhausted => "FsCheck gave up: too many rejected arguments",
            _ => null,
        };
    }

    /// <summary>The failure of the shrunk counterexample, then that counterexample and the one it came from.</summary>
    private static string Describe(TestResult.Failed failed)
    {
        var message = failed.Item4 is Outcome.Failed { Item: { } error } ? FirstLine(error is TargetInvocationException { InnerException: { } inner } ? inner : error) : "failed";
        string Arguments(IEnumerable<object> arguments) => string.Join(", ", arguments);
        var (original, shrunk, shrinks) = (Arguments(failed.Item2), Arguments(failed.Item3), failed.Item1.NumberOfShrinks);
        var from = shrinks > 0 ? $"; shrunk from {original} in {shrinks} step{(shrinks == 1 ? "" : "s")}" : "";
        return $"{message} [{shrunk}{from}]";
    }

    private static string FirstLine(Exception error) => error.Message.Split('\n')[0].Trim();

    /// <summary>Keeps FsCheck's verdict instead of printing it.</summary>
    private sealed class Capture : IRunner
    {
        public TestResult? Result { get; private set; }

        public void OnStartFixture(Type type) { }

        public void OnArguments(int number, FSharpList<object> arguments, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) { }

        public void OnShrink(FSharpList<object> arguments, FSharpFunc<FSharpList<object>, string> everyShrink) { }

        public void OnFinished(string name, TestResult result) => Result = result;
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
