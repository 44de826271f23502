using ManifoldKit.Experiments;
using ManifoldKit.Settings;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ManifoldKit.Runner.Configuration;

/// <summary>
/// Reads an experiment config (YAML, snake_case keys, every key optional with the protocol's default (docs/protocol.md);
/// configs/README.md lists them) and <c>key=value</c> overrides, and binds them to an
/// <see cref="ExperimentConfig"/>. Unknown keys and bad values are errors naming the file, line,
/// key and fix. Nothing in a config can name a type to load.
/// </summary>
public static class ConfigLoader
{
    /// <summary>The largest config file read: a config is a page of settings, not data.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The deepest nesting of mappings and lists a config may have (the schema needs 5: latent, factors, an item, manifold_settings).</summary>
    public const int MaxDepth = 16;

    /// <summary>Loads <paramref name="path"/> (or the protocol's defaults, docs/protocol.md, when null) with overrides applied.</summary>
    /// <exception cref="ConfigException">The file or an override is not a valid config.</exception>
    public static ExperimentConfig Load(string? path, IEnumerable<string>? overrides = null)
    {
        var root = path is null ? new YamlMappingNode() : Parse(path);
        var origins = new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance);
        foreach (var text in overrides ?? []) ApplyOverride(root, text, origins);
        var file = path ?? "(defaults)";
        var section = new Section(file, "", root, origins);
        var config = Bind(section, path is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(path))!, file);
        section.Finish();
        return config;
    }

    private static YamlMappingNode Parse(string path)
    {
        if (Directory.Exists(path)) throw new ConfigException($"{path} is a directory; give the path of a YAML file such as configs/default.yaml.");
        if (!File.Exists(path)) throw new ConfigException($"{path}: no such config file; give the path of a YAML file such as configs/default.yaml.");
        var text = ReadText(path);
        CheckDepth(path, text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException error)
        {
            throw new ConfigException($"{path}:{error.Start.Line}: not valid YAML: {error.InnerException?.Message ?? error.Message}");
        }
        catch (InvalidOperationException)
        {
            throw NotYaml(path);
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        if (stream.Documents.Count > 1)
            throw new ConfigException($"{path}:{stream.Documents[1].RootNode.Start.Line}: a second YAML document; one file holds one experiment (put the other in a file of its own).");
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode mapping => mapping,
            YamlScalarNode { Value: "" or null } => new YamlMappingNode(),
            var other => throw new ConfigException($"{path}:{other.Start.Line}: the top level must be a mapping of settings (key: value lines)."),
        };
    }

    /// <summary>The file's text, refused when it is too large, empty, or not text.</summary>
    private static string ReadText(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes) throw new ConfigException($"{path} is {length:N0} bytes; a config is at most {MaxFileBytes:N0} bytes of settings. Is it the right file?");
        var text = File.ReadAllText(path);
        if (text.Contains('\0')) throw new ConfigException($"{path} holds NUL bytes: it is not a text file of settings. Is it the right file?");
        if (string.IsNullOrWhiteSpace(text))
            throw new ConfigException($"{path} is empty; write at least one setting (configs/README.md lists them), or give no config to run the defaults.");
        return text;
    }

    /// <summary>Refuses nesting deeper than <see cref="MaxDepth"/> before the tree is built (building it recurses per level).</summary>
    private static void CheckDepth(string path, string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is MappingStart or SequenceStart && ++depth > MaxDepth)
                    throw new ConfigException($"{path}:{parser.Current.Start.Line}: nested more than {MaxDepth} levels deep; a config nests at most 5 (e.g. latent: factors: - manifold_settings: dim).");
                if (parser.Current is MappingEnd or SequenceEnd) depth--;
            }
        }
        catch (YamlException error)
        {
            throw new ConfigException($"{path}:{error.Start.Line}: not valid YAML: {error.InnerException?.Message ?? error.Message}");
        }
        catch (InvalidOperationException)
        {
            throw NotYaml(path);
        }
    }

    // YamlDotNet's scanner throws this, not a YamlException, on some malformed bytes (found by ConfigFuzzTests).
    private static ConfigException NotYaml(string where) => new($"{where}: not valid YAML (the scanner stopped on malformed text). Is it the right file?");

    /// <summary>
    /// Sets <c>a.b.c=value</c> in the tree; the value is read as YAML (so <c>seeds=[0,1]</c> is a list).
    /// Every node it makes is recorded in <paramref name="origins"/>, so errors name the override.
    /// </summary>
    private static void ApplyOverride(YamlMappingNode root, string text, Dictionary<YamlNode, string> origins)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0) throw new ConfigException($"command line: '{Section.Escape(text)}': expected key=value, e.g. training.steps=500.");
        var keys = text[..equals].Trim().Split('.');
        if (keys.Any(k => k.Length == 0)) throw new ConfigException($"command line: '{Section.Escape(text)}': the key has an empty part; write dotted names, e.g. training.steps=500.");
        var valueText = text[(equals + 1)..];
        if (valueText.Length > MaxFileBytes) throw new ConfigException($"command line: {Section.Escape(text)}: the value is {valueText.Length:N0} characters; at most {MaxFileBytes:N0}.");
        CheckDepth($"command line: {Section.Escape(text)}", valueText);
        YamlNode value;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(valueText));
            if (stream.Documents.Count > 1) throw new ConfigException($"command line: {Section.Escape(text)}: the value holds a second YAML document.");
            value = stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
        }
        catch (YamlException error)
        {
            throw new ConfigException($"command line: {Section.Escape(text)}: the value is not valid YAML: {error.InnerException?.Message ?? error.Message}");
        }
        catch (InvalidOperationException)
        {
            throw NotYaml($"command line: {Section.Escape(text)}");
        }
        foreach (var node in value.AllNodes) origins[node] = text;
        var mapping = root;
        foreach (var key in keys[..^1])
        {
            if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) || child is not YamlMappingNode childMapping)
            {
                childMapping = new YamlMappingNode();
                var name = new YamlScalarNode(key);
                origins[name] = origins[childMapping] = text;
                mapping.Children[name] = childMapping;
            }
            mapping = childMapping;
        }
        var last = new YamlScalarNode(keys[^1]);
        origins[last] = text;
        mapping.Children[last] = value;
    }

    private static ExperimentConfig Bind(Section root, string baseDirectory, string file)
    {
        var name = file != "(defaults)" && Path.GetFileNameWithoutExtension(file) is { Length: > 0 } stem ? stem : "default";
        var spec = (ExperimentSpec)Bind(SettingsSchema.For(typeof(ExperimentSpec)), root, new ExperimentSpec { Name = name }, baseDirectory);
        var host = (HostSettings)Bind(SettingsSchema.For(typeof(HostSettings)), root, new HostSettings(), baseDirectory);
        var pluginDirs = host.PluginDirs.Select(d => Path.GetFullPath(d, baseDirectory)).ToList();
        return new ExperimentConfig(spec, host.Output, pluginDirs, file, host.Reference, root.Locations, host.PlotFormat);
    }

    /// <summary>Sets every key of <paramref name="schema"/> found in <paramref name="section"/> on <paramref name="target"/> (a record of ours holding the defaults, set in place).</summary>
    private static object Bind(SettingsSchema schema, Section section, object target, string baseDirectory)
    {
        foreach (var replaced in schema.Replaced) section.Replaced(replaced.Key, replaced.Instead);
        foreach (var item in schema.Items)
        {
            if (item is SettingsSchema child)
            {
                Bind(child, section.Child(child.Name), child.Property!.GetValue(target)!, baseDirectory);
                continue;
            }
            var key = (SettingKey)item;
            key.Property.SetValue(target, Read(section, key, key.Property.GetValue(target), baseDirectory));
        }
        return target;
    }

    /// <summary>One key's value by its type and declared range; <paramref name="current"/> when absent.</summary>
    private static object? Read(Section section, SettingKey key, object? current, string baseDirectory)
    {
        var rule = key.Rule;
        var name = key.Name;
        var min = double.IsNaN(rule.Min) ? double.MinValue : rule.Min;
        var max = double.IsNaN(rule.Max) ? double.MaxValue : rule.Max;
        var intMin = double.IsNaN(rule.Min) ? int.MinValue : (int)rule.Min;
        var intMax = double.IsNaN(rule.Max) ? int.MaxValue : (int)rule.Max;
        var type = key.Property.PropertyType;
        if (type == typeof(int)) return section.Int(name, (int)current!, intMin, intMax);
        if (type == typeof(int?)) return section.NullableInt(name, intMin, intMax) ?? (int?)current;
        if (type == typeof(long)) return section.Long(name, (long)current!, double.IsNaN(rule.Min) ? long.MinValue : (long)rule.Min, double.IsNaN(rule.Max) ? long.MaxValue : (long)rule.Max);
        if (type == typeof(double)) return section.Double(name, (double)current!, min, rule.Exclusive, max);
        if (type == typeof(double?)) return section.NullableDouble(name, (double?)current, min, rule.Exclusive, max);
        if (type == typeof(bool)) return section.Bool(name, (bool)current!);
        if (type.IsEnum) return section.Choice(name, (Enum)current!);
        if (type == typeof(string) && key.Choices is { } choices)
            return section.OptionalString(name) is { } chosen ? section.Choice(name, chosen, [.. choices]) : current;
        if (type == typeof(string) && rule.IsPath) return section.OptionalString(name) is { Length: > 0 } file ? Path.GetFullPath(file, baseDirectory) : current;
        if (type == typeof(string)) return section.OptionalString(name) ?? current;
        if (type == typeof(EmbeddingSource)) return EmbeddingSource.Parse(section.String(name, current!.ToString()!), baseDirectory);
        if (type == typeof(IReadOnlyDictionary<string, string>)) return section.Map(name);
        if (type == typeof(IReadOnlyList<long>)) return section.LongList(name, (IReadOnlyList<long>)current!, (long)min, double.IsNaN(rule.Max) ? long.MaxValue : (long)rule.Max);
        if (type == typeof(int[])) return section.IntList(name, (int[])current!, intMax);
        if (type == typeof(IReadOnlyList<string>)) return section.StringList(name) is { Count: > 0 } list ? list : current;
        if (SettingsSchema.RecordListItem(type) is { } itemType)
        {
            // Each item is bound like a section of its own record type, from that record's defaults.
            if (section.Records(name) is not { } items) return current;
            var records = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
            foreach (var item in items) records.Add(Bind(SettingsSchema.For(itemType), item, Activator.CreateInstance(itemType)!, baseDirectory));
            return records;
        }
        throw new InvalidOperationException($"config key {key.Path} has a type the loader cannot read: {type.Name}");
    }
}
