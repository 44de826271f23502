using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ManifoldKit.Runner.Configuration;

/// <summary>
/// One YAML mapping being bound to typed settings. Every read records its key, so that
/// <see cref="Finish"/> can reject keys nobody asked for, suggesting the nearest known one.
/// </summary>
public sealed class Section
{
    private readonly string file;
    private readonly string prefix;
    private readonly YamlMappingNode? node;
    private readonly HashSet<string> known = [];
    private readonly List<Section> children = [];
    private readonly Dictionary<string, int> lines;

    /// <summary>Wraps a mapping (or nothing, for an absent section) found in <paramref name="file"/>.</summary>
    public Section(string file, string prefix, YamlMappingNode? node) : this(file, prefix, node, []) { }

    private Section(string file, string prefix, YamlMappingNode? node, Dictionary<string, int> lines) =>
        (this.file, this.prefix, this.node, this.lines) = (file, prefix, node, lines);

    /// <summary>The line of every key read so far, by dotted path (shared by the whole tree).</summary>
    public IReadOnlyDictionary<string, int> Lines => lines;

    /// <summary>A nested mapping; absent gives an empty section (all defaults).</summary>
    public Section Child(string key)
    {
        var value = Find(key);
        if (value is not null and not YamlMappingNode && !IsNull(value))
            throw Error(value, key, $"is {Describe(value)}; expected a mapping of settings");
        var child = new Section(file, Path(key), value as YamlMappingNode, lines);
        children.Add(child);
        return child;
    }

    /// <summary>A string, or the default when absent.</summary>
    public string String(string key, string defaultValue) => Scalar(key) is { } s ? s.Value! : defaultValue;

    /// <summary>A string or null.</summary>
    public string? OptionalString(string key) => Scalar(key)?.Value;

    /// <summary>One of <paramref name="choices"/>.</summary>
    public string Choice(string key, string defaultValue, params string[] choices)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        if (choices.Contains(scalar.Value)) return scalar.Value!;
        throw Error(scalar, key, $"is '{scalar.Value}'; expected one of: {string.Join(", ", choices)}");
    }

    /// <summary>One of an enum's members, written in lower case (e.g. <c>principal</c>); <paramref name="defaultValue"/> when absent.</summary>
    public T Choice<T>(string key, T defaultValue) where T : struct, Enum => (T)Choice(key, (Enum)defaultValue);

    /// <summary>One of the members of <paramref name="defaultValue"/>'s enum type, written in lower case.</summary>
    public Enum Choice(string key, Enum defaultValue)
    {
        var type = defaultValue.GetType();
        string[] names = [.. Enum.GetNames(type).Select(name => name.ToLowerInvariant())];
        return (Enum)Enum.Parse(type, Choice(key, defaultValue.ToString().ToLowerInvariant(), names), ignoreCase: true);
    }

    /// <summary>Refuses a key that another has replaced, saying what to write instead.</summary>
    public void Replaced(string key, string instead)
    {
        if (Find(key) is { } value) throw Error(value, key, $"has been replaced; write {instead}");
    }

    /// <summary>An integer in [min, max].</summary>
    public int Int(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        if (int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        throw Error(scalar, key, $"is '{scalar.Value}'; expected an integer{Range(min, max)}");
    }

    /// <summary>An integer in [min, max]; null when absent or set to <c>null</c>.</summary>
    public int? NullableInt(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var value = Find(key);
        return value is null || IsNull(value) ? null : Int(key, 0, min, max);
    }

    /// <summary>A long integer (seeds).</summary>
    public long Long(string key, long defaultValue, long min = 0)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        if (long.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min) return value;
        throw Error(scalar, key, $"is '{scalar.Value}'; expected an integer >= {min}");
    }

    /// <summary>A finite number >= min (exclusive when <paramref name="exclusive"/>).</summary>
    public double Double(string key, double defaultValue, double min = double.MinValue, bool exclusive = false)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            && (exclusive ? value > min : value >= min)) return value;
        throw Error(scalar, key, $"is '{scalar.Value}'; expected a number {(exclusive ? ">" : ">=")} {min.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>A finite number >= min (exclusive when <paramref name="exclusive"/>); the default when absent, and null (switched off) when set to <c>null</c>.</summary>
    public double? NullableDouble(string key, double? defaultValue, double min = double.MinValue, bool exclusive = false)
    {
        var value = Find(key);
        if (value is null) return defaultValue;
        return IsNull(value) ? null : Double(key, 0, min, exclusive);
    }

    /// <summary>true or false.</summary>
    public bool Bool(string key, bool defaultValue)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        return scalar.Value switch
        {
            "true" or "True" or "yes" or "on" => true,
            "false" or "False" or "no" or "off" => false,
            _ => throw Error(scalar, key, $"is '{scalar.Value}'; expected true or false"),
        };
    }

    /// <summary>A list of integers, each in [min, max]; a single integer is a list of one.</summary>
    public IReadOnlyList<long> LongList(string key, IReadOnlyList<long> defaultValue, long min = 0)
    {
        var value = Find(key);
        if (value is null || IsNull(value)) return defaultValue;
        var items = value is YamlSequenceNode sequence ? sequence.Children.ToList() : [value];
        var result = new List<long>();
        foreach (var item in items)
        {
            if (item is YamlScalarNode s && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min) result.Add(v);
            else throw Error(item, key, $"has {Describe(item)}; expected a list of integers >= {min}");
        }
        if (result.Count == 0) throw Error(value, key, "is empty; expected at least one value");
        return result;
    }

    /// <summary>A list of positive integers (layer widths).</summary>
    public int[] IntList(string key, int[] defaultValue) =>
        LongList(key, defaultValue.Select(v => (long)v).ToArray(), min: 1).Select(v => (int)Math.Min(v, int.MaxValue)).ToArray();

    /// <summary>A list of strings.</summary>
    public IReadOnlyList<string> StringList(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value)) return [];
        if (value is YamlScalarNode single) return [single.Value!];
        if (value is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
            return sequence.Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        throw Error(value, key, $"is {Describe(value)}; expected a list of strings");
    }

    /// <summary>A flat mapping of scalars, as strings (manifold settings).</summary>
    public IReadOnlyDictionary<string, string> Map(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value)) return new Dictionary<string, string>();
        if (value is not YamlMappingNode mapping) throw Error(value, key, $"is {Describe(value)}; expected a mapping like {{dim: 2}}");
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in mapping.Children)
        {
            if (v is not YamlScalarNode scalar) throw Error(v, $"{key}.{k}", $"is {Describe(v)}; expected a single value");
            result[((YamlScalarNode)k).Value!] = scalar.Value!;
        }
        return result;
    }

    /// <summary>Rejects keys that no read asked for, here and in every child section.</summary>
    public void Finish()
    {
        if (node is not null)
            foreach (var (keyNode, _) in node.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value!;
                if (!known.Contains(key))
                    throw new ConfigException($"{file}:{keyNode.Start.Line}: unknown key '{Path(key)}'{Nearest.Hint(key, known)} Known keys{(prefix.Length > 0 ? $" under '{prefix}'" : "")}: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }
        foreach (var child in children) child.Finish();
    }

    private YamlNode? Find(string key)
    {
        known.Add(key);
        if (node is null) return null;
        foreach (var (k, v) in node.Children)
            if (k is YamlScalarNode s && s.Value == key)
            {
                lines[Path(key)] = (int)k.Start.Line;
                return v;
            }
        return null;
    }

    private YamlScalarNode? Scalar(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value)) return null;
        if (value is YamlScalarNode scalar) return scalar;
        throw Error(value, key, $"is {Describe(value)}; expected a single value");
    }

    private string Path(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    private ConfigException Error(YamlNode at, string key, string problem) =>
        new($"{file}:{at.Start.Line}: {Path(key)} {problem}.");

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: "" or "~" or "null" } s && s.Style == YamlDotNet.Core.ScalarStyle.Plain;

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unexpected node",
    };

    private static string Range(int min, int max) =>
        (min, max) switch
        {
            (int.MinValue, int.MaxValue) => "",
            (_, int.MaxValue) => $" >= {min}",
            _ => $" from {min} to {max}",
        };
}
