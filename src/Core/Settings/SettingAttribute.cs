namespace ManifoldKit.Settings;

/// <summary>
/// Declares a property of an options record as a config key: its snake_case name comes from the
/// property's, its default from the record's initialiser, and this attribute carries the rest. The
/// loader, the resolved-config writer, validation and the key table of configs/README.md all read
/// this one declaration.
/// </summary>
/// <param name="meaning">What the key does, one Markdown sentence or more (the key table's third column).</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string meaning) : Attribute
{
    /// <summary>What the key does.</summary>
    public string Meaning { get; } = meaning;

    /// <summary>Smallest allowed value of a number (NaN: no bound).</summary>
    public double Min { get; init; } = double.NaN;

    /// <summary>Largest allowed value of an integer (NaN: no bound).</summary>
    public double Max { get; init; } = double.NaN;

    /// <summary>Whether <see cref="Min"/> itself is excluded.</summary>
    public bool Exclusive { get; init; }

    /// <summary>The default as the key table shows it, when the value alone would mislead (e.g. "the file's name").</summary>
    public string? DefaultText { get; init; }

    /// <summary>
    /// Left out of the resolved config while at its default, so run directories made before the key
    /// existed still match their configs.
    /// </summary>
    public bool OmitWhenDefault { get; init; }

    /// <summary>Written only when the sibling key of this name is written (a setting of that one).</summary>
    public string? WrittenWith { get; init; }

    /// <summary>The property whose value is written instead of this one's (an effective value filling a null).</summary>
    public string? WrittenAs { get; init; }

    /// <summary>A string key naming a file or folder: read relative to the config's folder, kept absolute.</summary>
    public bool IsPath { get; init; }

    /// <summary>A type with a static <c>Names</c> property listing the values a string key may take.</summary>
    public Type? Choices { get; init; }
}

/// <summary>A key that another has replaced: giving it is an error that says what to write instead.</summary>
/// <param name="key">The old key, snake_case.</param>
/// <param name="instead">What to write instead, e.g. "'action_head_init: centred' for true".</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ReplacedSettingAttribute(string key, string instead) : Attribute
{
    /// <summary>The old key.</summary>
    public string Key { get; } = key;

    /// <summary>What to write instead.</summary>
    public string Instead { get; } = instead;
}
