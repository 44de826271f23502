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
    private readonly Dictionary<string, string> locations;
    private readonly IReadOnlyDictionary<YamlNode, string> overrides;

    /// <summary>
    /// Wraps a mapping (or nothing, for an absent section) found in <paramref name="file"/>; nodes in
    /// <paramref name="overrides"/> came from a command-line <c>key=value</c> (the value is its text)
    /// and errors about them name it instead of a line of the file.
    /// </summary>
    public Section(string file, string prefix, YamlMappingNode? node, IReadOnlyDictionary<YamlNode, string>? overrides = null)
        : this(file, prefix, node, [], overrides ?? new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance)) { }

    private Section(string file, string prefix, YamlMappingNode? node, Dictionary<string, string> locations, IReadOnlyDictionary<YamlNode, string> overrides) =>
        (this.file, this.prefix, this.node, this.locations, this.overrides) = (file, prefix, node, locations, overrides);

    /// <summary>Where every key read so far was given, by dotted path: <c>file:line</c> or <c>command line: key=value</c>.</summary>
    public IReadOnlyDictionary<string, string> Locations => locations;

    /// <summary>A nested mapping; absent gives an empty section (all defaults).</summary>
    public Section Child(string key)
    {
        var value = Find(key);
        if (value is not null and not YamlMappingNode && !IsNull(value))
            throw Error(value, key, $"is {Describe(value)}; expected a mapping of settings");
        var child = new Section(file, Path(key), value as YamlMappingNode, locations, overrides);
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
        throw Error(scalar, key, $"is '{Escape(scalar.Value!)}'; expected one of: {string.Join(", ", choices)}");
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
        throw Error(scalar, key, $"is '{Escape(scalar.Value!)}'; expected an integer{Range(min, max)}");
    }

    /// <summary>An integer in [min, max]; null when absent or set to <c>null</c>.</summary>
    public int? NullableInt(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var value = Find(key);
        return value is null || IsNull(value) ? null : Int(key, 0, min, max);
    }

    /// <summary>A long integer (seeds).</summary>
    public long Long(string key, long defaultValue, long min = 0, long max = long.MaxValue)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        if (long.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        throw Error(scalar, key, $"is '{Escape(scalar.Value!)}'; expected an integer {(max < long.MaxValue ? $"from {min} to {max}" : $">= {min}")}");
    }

    /// <summary>A finite number at least min (exclusive when <paramref name="exclusive"/>) and at most max.</summary>
    public double Double(string key, double defaultValue, double min = double.MinValue, bool exclusive = false, double max = double.MaxValue)
    {
        var scalar = Scalar(key);
        if (scalar is null) return defaultValue;
        if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            && (exclusive ? value > min : value >= min) && value <= max) return value;
        var c = CultureInfo.InvariantCulture;
        var upTo = max < double.MaxValue ? $" and <= {max.ToString(c)}" : "";
        throw Error(scalar, key, $"is '{Escape(scalar.Value!)}'; expected a number {(exclusive ? ">" : ">=")} {min.ToString(c)}{upTo}");
    }

    /// <summary>A finite number in range as <see cref="Double"/>; the default when absent, and null (switched off) when set to <c>null</c>.</summary>
    public double? NullableDouble(string key, double? defaultValue, double min = double.MinValue, bool exclusive = false, double max = double.MaxValue)
    {
        var value = Find(key);
        if (value is null) return defaultValue;
        return IsNull(value) ? null : Double(key, 0, min, exclusive, max);
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
            _ => throw Error(scalar, key, $"is '{Escape(scalar.Value!)}'; expected true or false"),
        };
    }

    /// <summary>A list of integers, each in [min, max]; a single integer is a list of one.</summary>
    public IReadOnlyList<long> LongList(string key, IReadOnlyList<long> defaultValue, long min = 0, long max = long.MaxValue)
    {
        var value = Find(key);
        if (value is null || IsNull(value)) return defaultValue;
        var items = value is YamlSequenceNode sequence ? sequence.Children.ToList() : [value];
        var result = new List<long>();
        foreach (var item in items)
        {
            if (item is YamlScalarNode s && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) result.Add(v);
            else throw Error(item, key, $"has {Describe(item)}; expected a list of integers {(max < long.MaxValue ? $"from {min} to {max}" : $">= {min}")}");
        }
        if (result.Count == 0) throw Error(value, key, "is empty; expected at least one value");
        return result;
    }

    /// <summary>A list of integers from 1 to <paramref name="max"/> (layer widths).</summary>
    public int[] IntList(string key, int[] defaultValue, int max = int.MaxValue) =>
        LongList(key, defaultValue.Select(v => (long)v).ToArray(), min: 1, max: max).Select(v => (int)v).ToArray();

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

    /// <summary>
    /// A list of mappings, each a section of its own (prefix <c>key[i]</c>) whose unknown keys
    /// <see cref="Finish"/> rejects; null when absent or <c>null</c>.
    /// </summary>
    public IReadOnlyList<Section>? Records(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value)) return null;
        if (value is not YamlSequenceNode sequence) throw Error(value, key, $"is {Describe(value)}; expected a list of mappings, e.g. [{{kind: euclidean, dim: 2}}]");
        var items = new List<Section>();
        foreach (var (item, i) in sequence.Children.Select((item, i) => (item, i)))
        {
            if (item is not YamlMappingNode mapping) throw Error(item, key, $"has {Describe(item)} as item {i}; expected a mapping of settings");
            var child = new Section(file, $"{Path(key)}[{i}]", mapping, locations, overrides);
            locations[child.prefix] = Where(item);
            children.Add(child);
            items.Add(child);
        }
        return items;
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
            if (k is not YamlScalarNode name) throw Error(k, key, $"has {Describe(k)} as a key; keys are plain names like dim");
            result[name.Value!] = scalar.Value!;
        }
        return result;
    }

    /// <summary>Rejects keys that no read asked for, here and in every child section.</summary>
    public void Finish()
    {
        if (node is not null)
            foreach (var (keyNode, _) in node.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { } key })
                    throw new ConfigException($"{Where(keyNode)}: a key is {Describe(keyNode)}; keys are plain names like 'steps'{(prefix.Length > 0 ? $" (under '{prefix}')" : "")}.");
                if (!known.Contains(key))
                    throw new ConfigException($"{Where(keyNode)}: unknown key '{Path(key)}'{Nearest.Hint(key, known)} Known keys{(prefix.Length > 0 ? $" under '{prefix}'" : "")}: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
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
                // The key's line in the file (a section's value starts on the next), or the override that set the value.
                locations[Path(key)] = overrides.ContainsKey(v) ? Where(v) : Where(k);
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
        new($"{Where(at)}: {Path(key)} {problem}.");

    /// <summary><c>file:line</c> for a node of the file, <c>command line: key=value</c> for one an override made.</summary>
    private string Where(YamlNode at) => overrides.TryGetValue(at, out var text) ? $"command line: {Escape(text)}" : $"{file}:{at.Start.Line}";

    /// <summary>A value as it can be shown on one line: control characters written as escapes, and cut when long.</summary>
    public static string Escape(string text)
    {
        var shown = string.Concat(text.Take(200).Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when char.IsControl(c) => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));
        return text.Length > 200 ? $"{shown}… ({text.Length} characters)" : shown;
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: "" or "~" or "null" } s && s.Style == YamlDotNet.Core.ScalarStyle.Plain;

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{Escape(s.Value ?? "")}'",
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
