using System.Globalization;

namespace ManifoldKit;

/// <summary>
/// The settings a config gives one manifold (the YAML mapping under <c>manifold_settings</c>), as
/// strings keyed by snake_case names. Typed getters fail with a message naming the key and the value,
/// and record what was asked for, so the host can reject settings the manifold does not read.
/// </summary>
public sealed class ManifoldSettings
{
    private readonly IReadOnlyDictionary<string, string> values;
    private readonly HashSet<string> read = [];

    /// <summary>Settings with no keys: every getter returns its default. A new instance each time, as reads are recorded.</summary>
    public static ManifoldSettings Empty => new(new Dictionary<string, string>());

    /// <summary>Wraps raw key-value pairs.</summary>
    public ManifoldSettings(IReadOnlyDictionary<string, string> values) => this.values = values;

    /// <summary>The keys present.</summary>
    public IEnumerable<string> Keys => values.Keys;

    /// <summary>The keys a factory asked for, present or not: the settings the manifold understands.</summary>
    public IReadOnlyCollection<string> ReadKeys => read;

    /// <summary>Reads an integer in [<paramref name="min"/>, <paramref name="max"/>], or the default when absent.</summary>
    /// <exception cref="ArgumentException">The value is not such an integer.</exception>
    public int GetInt32(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        read.Add(key);
        if (!values.TryGetValue(key, out var text)) return defaultValue;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        throw new ArgumentException($"manifold setting '{key}' is '{text}'; expected an integer from {min} to {max}.", key);
    }

    /// <summary>Reads one of <paramref name="choices"/> (case-sensitive), or the default when absent.</summary>
    /// <exception cref="ArgumentException">The value is not one of the choices.</exception>
    public string GetChoice(string key, string defaultValue, params string[] choices)
    {
        read.Add(key);
        if (!values.TryGetValue(key, out var text)) return defaultValue;
        if (choices.Contains(text)) return text;
        throw new ArgumentException($"manifold setting '{key}' is '{text}'; expected one of: {string.Join(", ", choices)}.", key);
    }
}
