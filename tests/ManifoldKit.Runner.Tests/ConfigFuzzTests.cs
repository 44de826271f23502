using System.Diagnostics;
using System.Text;
using ManifoldKit.Runner.Commands;
using ManifoldKit.Runner.Plugins;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>
/// Hostile configs through the config path of <c>run</c> (load, resolve against the real plugins, the
/// memory rule; <c>manifoldkit check</c> is that path): a seeded generator mutates the shipped configs
/// in the ways a hostile user or a broken disk does, and every one must end in exit code 0, or in one
/// line naming where the problem is, within a bounded time and memory. A sample goes through the real
/// executable as well.
/// </summary>
public sealed class ConfigFuzzTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private const int Cases = 300;
    private readonly string work = Directory.CreateTempSubdirectory("mk-fuzz").FullName;
    private static readonly string[] Shipped = Directory.GetFiles(Path.Combine(Repository.Root, "configs"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
    private static readonly string BuiltIns = Path.Combine(Repository.Output("src/Runner"), "plugins");

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void MutatedConfigs_EndInExitZeroOrOneClearLine()
    {
        var catalogs = new Dictionary<string, IManifoldCatalog>();
        IManifoldCatalog Catalog(IEnumerable<string> dirs)
        {
            var list = dirs.Append(BuiltIns).ToList();
            var key = string.Join('|', list);
            if (!catalogs.TryGetValue(key, out var catalog)) catalogs[key] = catalog = CommandLine.Catalog(list);
            return catalog;
        }
        var random = new Random(20261130);
        var kinds = new Dictionary<string, int>();
        var outcomes = new Dictionary<int, int>();
        for (var i = 0; i < Cases; i++)
        {
            var (kind, bytes) = Mutate(random);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            var file = Path.Combine(work, $"case{i}.yaml");
            File.WriteAllBytes(file, bytes);
            var errors = new StringWriter();
            var allocated = GC.GetTotalAllocatedBytes();
            var clock = Stopwatch.StartNew();
            var code = CommandLine.Guard(() => CheckCommand.Check(file, [], Catalog, TextWriter.Null), errors);
            clock.Stop();
            outcomes[code] = outcomes.GetValueOrDefault(code) + 1;
            var text = errors.ToString();
            var what = $"case {i} ({kind}), exit {code}: {text}";
            Assert.True(code is 0 or CommandLine.UsageError or CommandLine.IoError, what);
            Assert.Equal(code == 0 ? 0 : 1, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            if (code != 0)
            {
                Assert.StartsWith("manifoldkit: ", text);
                Assert.True(text.Length < 2_000, $"case {i} ({kind}): a {text.Length}-character message");
                Assert.DoesNotContain("Exception", text);
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{what} took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(GC.GetTotalAllocatedBytes() - allocated < 512L << 20, $"{what} allocated {(GC.GetTotalAllocatedBytes() - allocated) >> 20} MiB");
        }
        log.WriteLine($"{Cases} cases: {string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}; exit codes {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}"))}");
        // The generator reaches every kind of mutation, and both verdicts.
        Assert.Equal(Mutations.Length, kinds.Count);
        Assert.True(outcomes.GetValueOrDefault(0) >= 5 && outcomes.GetValueOrDefault(CommandLine.UsageError) > 100, string.Join(", ", outcomes));
    }

    /// <summary>A sample of the same cases through the real executable's <c>check</c>: exit code and one line each.</summary>
    [Fact]
    public void MutatedConfigs_ThroughTheExecutable()
    {
        var random = new Random(7);
        for (var i = 0; i < 8; i++)
        {
            var (kind, bytes) = Mutate(random);
            var file = Path.Combine(work, $"exe{i}.yaml");
            File.WriteAllBytes(file, bytes);
            var (code, output, error) = Repository.Run(work, null, "check", file);
            Assert.True(code is 0 or 2 or 3, $"case {i} ({kind}): exit {code}: {error}");
            if (code == 0) Assert.Equal($"{file}: ok", output.Split(" (")[0]);
            else Assert.Matches("^manifoldkit: [^\n]+\n$", error);
        }
    }

    private static readonly string[] Tokens =
    [
        "abc", "-1", "0", "1e308", "-1e308", "2147483647", "9223372036854775807", "1e-320", "NaN", ".nan", ".inf", "-.inf", "null", "~", "''", "[]", "{}",
        "[1, 2]", "{a: 1}", "true", "\"12\\n34\"", "!!binary aGVsbG8=", "!!python/object:os.system ls", "*nowhere", "0x10", "1_000", "\"\\u0000\"", "💥",
        "/dev/null", "/dev/zero", "/nonexistent/f.bin", new string('x', 5000),
    ];

    private static readonly string[] Keys =
    [
        "name", "task", "noise_std", "data_seed", "seeds", "output", "plugin_dirs", "reference", "latent.kind", "latent.dim", "latent.manifold",
        "latent.embedding", "latent.posterior", "latent.group_action", "latent.manifold_settings", "task_settings", "architecture.hidden_widths",
        "architecture.observed_dim", "architecture.initial_posterior_std", "training.batch_size", "training.samples", "training.learning_rate",
        "training.steps", "training.restarts", "wae.batch_size", "wae.width", "evaluation.test_size", "evaluation.iwae_samples", "embedding_checks.min_coverage",
    ];

    private delegate string Mutation(Random random, string text);

    private static readonly (string Kind, Mutation Apply)[] Mutations =
    [
        ("misspelt key", (r, t) => Misspell(r, t)),
        ("wrong value", (r, t) => t + Set(Keys[r.Next(Keys.Length)], Tokens[r.Next(Tokens.Length)])),
        ("huge size", (r, t) => t + Set(new[] { "training.batch_size", "training.samples", "architecture.observed_dim", "wae.batch_size", "evaluation.test_size", "evaluation.iwae_samples" }[r.Next(6)],
            new[] { "2147483647", "100000000", "999999", "50000" }[r.Next(4)])),
        ("huge widths", (r, t) => t + $"architecture:\n  hidden_widths: [{r.Next(1, 200_000)}, {r.Next(1, 200_000)}]\n"),
        ("non-scalar key", (r, t) => t + (r.Next(2) == 0 ? "? [a, b]\n: 1\n" : "task_settings: {[dim]: 2}\n")),
        ("deep nesting", (r, t) => { var n = r.Next(10, 30_000); return $"a: {new string('[', n)}{new string(']', n)}\n"; }),
        ("alias bomb", (r, t) => "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n" + t),
        ("type tag", (r, t) => t + "name: !!python/object/apply:os.system [ls]\n"),
        ("second document", (r, t) => t + "...\n---\nname: other\n"),
        ("binary garbage", (r, t) => { var b = new byte[r.Next(1, 4096)]; r.NextBytes(b); return Encoding.Latin1.GetString(b); }),
        ("NUL bytes", (r, t) => new string('\0', r.Next(1, 4096))),
        ("empty", (r, t) => r.Next(2) == 0 ? "" : "\n  \n"),
        ("truncated", (r, t) => t[..r.Next(t.Length)]),
        ("large file", (r, t) => t + "# " + new string('y', 2 << 20) + "\n"),
        ("bad path", (r, t) => t + new[] { "output: /dev/null\n", $"output: /tmp/{new string('p', 5000)}\n", "latent:\n  embedding: /dev/zero\n", "plugin_dirs: [/nonexistent]\n", "output: /proc/version\n" }[r.Next(5)]),
        ("newline in value", (r, t) => t + "name: \"a\\nb\"\ntraining:\n  steps: \"12\\n34\"\n"),
    ];

    private static (string Kind, byte[] Bytes) Mutate(Random random)
    {
        var text = File.ReadAllText(Shipped[random.Next(Shipped.Length)]);
        var (kind, apply) = Mutations[random.Next(Mutations.Length)];
        var mutated = apply(random, text);
        if (random.Next(3) == 0)
        {
            var (_, second) = Mutations[random.Next(3)];                     // now and then a second, milder mutation
            mutated = second(random, mutated);
        }
        return (kind, kind == "binary garbage" ? Encoding.Latin1.GetBytes(mutated) : Encoding.UTF8.GetBytes(mutated));
    }

    // A key set again at the end of the file; a repeated key is itself a YAML error, which is one outcome among others.
    private static string Set(string dotted, string value)
    {
        var parts = dotted.Split('.');
        return parts.Length == 1 ? $"\n{parts[0]}: {value}\n" : $"\n{parts[0]}:\n  {parts[1]}: {value}\n";
    }

    private static string Misspell(Random random, string text)
    {
        var lines = text.Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i => lines[i].TrimStart().Length > 0 && !lines[i].TrimStart().StartsWith('#') && lines[i].Contains(':')).ToList();
        if (candidates.Count == 0) return text + "trainig:\n  steps: 5\n";
        var index = candidates[random.Next(candidates.Count)];
        var line = lines[index];
        var colon = line.IndexOf(':');
        var start = line.Length - line.TrimStart().Length;
        if (colon - start < 2) return text;
        var at = random.Next(start, colon - 1);
        lines[index] = line[..at] + line[at + 1] + line[at] + line[(at + 2)..];     // swap two letters of the key
        return string.Join('\n', lines);
    }
}
