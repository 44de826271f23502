using System.Globalization;
using System.Text;
using ManifoldKit.Experiments;
using ManifoldKit.Settings;

namespace ManifoldKit.Runner.Configuration;

/// <summary>Writes the fully resolved config of a run as YAML, every key explicit, loadable by <see cref="ConfigLoader"/>.</summary>
public static class ConfigWriter
{
    /// <summary>The YAML text of <paramref name="config"/>, keys in the order the schema declares them.</summary>
    public static string ToYaml(ExperimentConfig config)
    {
        var text = new StringBuilder();
        text.AppendLine($"# resolved from {config.Source}");
        Write(text, SettingsSchema.For(typeof(ExperimentSpec)), config.Spec, 0);
        var host = new HostSettings { Output = config.Output, PluginDirs = config.PluginDirs, Reference = config.Reference, PlotFormat = config.PlotFormat };
        Write(text, SettingsSchema.For(typeof(HostSettings)), host, 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, SettingsSchema schema, object instance, int indent)
    {
        foreach (var item in schema.Items)
        {
            if (item is SettingsSchema section)
            {
                // A section whose keys are all left out is left out, so older run directories still match.
                var inner = new StringBuilder();
                Write(inner, section, section.Property!.GetValue(instance)!, indent + 2);
                if (inner.Length > 0) text.Append(' ', indent).Append(section.Name).AppendLine(":").Append(inner);
                continue;
            }
            var key = (SettingKey)item;
            if (!Written(schema, key, instance)) continue;
            var value = key.Rule.WrittenAs is { } other ? schema.Type.GetProperty(other)!.GetValue(instance) : key.Property.GetValue(instance);
            text.Append(' ', indent).Append(key.Name).Append(": ").AppendLine(Format(value));
        }
    }

    // A list item's record as a flow mapping, its keys written by the same rules as a section's.
    private static string Record(object record)
    {
        var schema = SettingsSchema.For(record.GetType());
        var keys = schema.Items.OfType<SettingKey>().Where(k => Written(schema, k, record))
            .Select(k => $"{k.Name}: {Format(k.Rule.WrittenAs is { } other ? schema.Type.GetProperty(other)!.GetValue(record) : k.Property.GetValue(record))}");
        return "{" + string.Join(", ", keys) + "}";
    }

    // Keys left at a default they omit stay out, so run directories made before the key existed still match.
    private static bool Written(SettingsSchema schema, SettingKey key, object instance)
    {
        if (key.Rule.OmitWhenDefault && key.IsDefault(key.Property.GetValue(instance))) return false;
        if (key.Rule.WrittenWith is not { } sibling) return true;
        return Written(schema, schema.Items.OfType<SettingKey>().Single(k => k.Name == sibling), instance);
    }

    /// <summary>A value as YAML: a switched-off setting as <c>null</c>, a choice in lower case.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => s.Length == 0 || s.IndexOfAny([':', '#', '[', ']', '{', '}', ',', '\'', '"']) >= 0 || s.Trim() != s ? $"'{s.Replace("'", "''")}'" : s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.ToString().ToLowerInvariant(),
        EmbeddingSource source => Format(source.ToString()),
        _ when SettingsSchema.IsRecord(value.GetType()) => Record(value),
        IReadOnlyDictionary<string, string> map => "{" + string.Join(", ", map.Select(p => $"{p.Key}: {Format(p.Value)}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
