using ManifoldKit.Experiments;
using ManifoldKit.Settings;

namespace ManifoldKit.Runner.Configuration;

/// <summary>The Markdown table of every config key, its default and meaning, made from the schema (configs/README.md holds a copy, checked by a test).</summary>
public static class KeyTable
{
    /// <summary>The table, one row per key in declaration order.</summary>
    public static string Markdown()
    {
        var rows = SettingsSchema.For(typeof(ExperimentSpec)).AllKeys().Concat(SettingsSchema.For(typeof(HostSettings)).AllKeys())
            .Select(key => $"| `{key.Path}` | {Default(key)} | {key.Rule.Meaning} |");
        return "| key | default | meaning |\n|---|---|---|\n" + string.Join("\n", rows) + "\n";
    }

    private static string Default(SettingKey key) =>
        key.Rule.DefaultText ?? (key.Default is null && key.Rule.OmitWhenDefault ? "none" : $"`{ConfigWriter.Format(key.Default)}`");
}
