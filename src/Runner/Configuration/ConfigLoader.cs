using ManifoldKit.Experiments;
using ManifoldKit.Settings;
using YamlDotNet.Core;
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
    /// <summary>Loads <paramref name="path"/> (or the protocol's defaults, docs/protocol.md, when null) with overrides applied.</summary>
    /// <exception cref="ConfigException">The file or an override is not a valid config.</exception>
    public static ExperimentConfig Load(string? path, IEnumerable<string>? overrides = null)
    {
        var root = path is null ? new YamlMappingNode() : Parse(path);
        foreach (var text in overrides ?? []) ApplyOverride(root, text);
        var file = path ?? "(defaults)";
        var section = new Section(file, "", root);
        var config = Bind(section, path is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(path))!, file);
        section.Finish();
        return config;
    }

    private static YamlMappingNode Parse(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: no such config file; give the path of a YAML file such as configs/default.yaml.");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException error)
        {
            throw new ConfigException($"{path}:{error.Start.Line}: not valid YAML: {error.InnerException?.Message ?? error.Message}");
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode mapping => mapping,
            YamlScalarNode { Value: "" or null } => new YamlMappingNode(),
            var other => throw new ConfigException($"{path}:{other.Start.Line}: the top level must be a mapping of settings (key: value lines)."),
        };
    }

    /// <summary>Sets <c>a.b.c=value</c> in the tree; the value is read as YAML (so <c>seeds=[0,1]</c> is a list).</summary>
    private static void ApplyOverride(YamlMappingNode root, string text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0) throw new ConfigException($"override '{text}': expected key=value, e.g. training.steps=500.");
        var keys = text[..equals].Trim().Split('.');
        YamlNode value;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text[(equals + 1)..]));
            value = stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
        }
        catch (YamlException error)
        {
            throw new ConfigException($"override '{text}': the value is not valid YAML: {error.Message}");
        }
        var mapping = root;
        foreach (var key in keys[..^1])
        {
            if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) || child is not YamlMappingNode childMapping)
            {
                childMapping = new YamlMappingNode();
                mapping.Children[new YamlScalarNode(key)] = childMapping;
            }
            mapping = childMapping;
        }
        mapping.Children[new YamlScalarNode(keys[^1])] = value;
    }

    private static ExperimentConfig Bind(Section root, string baseDirectory, string file)
    {
        var name = file != "(defaults)" && Path.GetFileNameWithoutExtension(file) is { Length: > 0 } stem ? stem : "default";
        var spec = (ExperimentSpec)Bind(SettingsSchema.For(typeof(ExperimentSpec)), root, new ExperimentSpec { Name = name }, baseDirectory);
        var host = (HostSettings)Bind(SettingsSchema.For(typeof(HostSettings)), root, new HostSettings(), baseDirectory);
        var pluginDirs = host.PluginDirs.Select(d => Path.GetFullPath(d, baseDirectory)).ToList();
        return new ExperimentConfig(spec, host.Output, pluginDirs, file, host.Reference, root.Lines);
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
        var intMin = double.IsNaN(rule.Min) ? int.MinValue : (int)rule.Min;
        var intMax = double.IsNaN(rule.Max) ? int.MaxValue : (int)rule.Max;
        var type = key.Property.PropertyType;
        if (type == typeof(int)) return section.Int(name, (int)current!, intMin, intMax);
        if (type == typeof(int?)) return section.NullableInt(name, intMin, intMax) ?? (int?)current;
        if (type == typeof(long)) return section.Long(name, (long)current!, double.IsNaN(rule.Min) ? long.MinValue : (long)rule.Min);
        if (type == typeof(double)) return section.Double(name, (double)current!, min, rule.Exclusive);
        if (type == typeof(double?)) return section.NullableDouble(name, (double?)current, min, rule.Exclusive);
        if (type == typeof(bool)) return section.Bool(name, (bool)current!);
        if (type.IsEnum) return section.Choice(name, (Enum)current!);
        if (type == typeof(string) && key.Choices is { } choices)
            return section.OptionalString(name) is { } chosen ? section.Choice(name, chosen, [.. choices]) : current;
        if (type == typeof(string)) return section.OptionalString(name) ?? current;
        if (type == typeof(EmbeddingSource)) return EmbeddingSource.Parse(section.String(name, current!.ToString()!), baseDirectory);
        if (type == typeof(IReadOnlyDictionary<string, string>)) return section.Map(name);
        if (type == typeof(IReadOnlyList<long>)) return section.LongList(name, (IReadOnlyList<long>)current!, (long)min);
        if (type == typeof(int[])) return section.IntList(name, (int[])current!);
        if (type == typeof(IReadOnlyList<string>)) return section.StringList(name) is { Count: > 0 } list ? list : current;
        throw new InvalidOperationException($"config key {key.Path} has a type the loader cannot read: {type.Name}");
    }
}
