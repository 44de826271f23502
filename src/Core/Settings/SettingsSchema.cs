using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using ManifoldKit.Experiments;

namespace ManifoldKit.Settings;

/// <summary>One config key: a property carrying a <see cref="SettingAttribute"/>.</summary>
/// <param name="Name">Its snake_case name, e.g. <c>batch_size</c>.</param>
/// <param name="Path">Its dotted path, e.g. <c>training.batch_size</c>.</param>
/// <param name="Property">The property it sets.</param>
/// <param name="Rule">Its declaration.</param>
/// <param name="Default">The value of a new record.</param>
public sealed record SettingKey(string Name, string Path, PropertyInfo Property, SettingAttribute Rule, object? Default)
{
    /// <summary>The values a string key may take (from <see cref="SettingAttribute.Choices"/>), or null for any.</summary>
    public IReadOnlyList<string>? Choices { get; } = Rule.Choices?.GetProperty("Names", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IReadOnlyList<string>;

    /// <summary>Whether <paramref name="value"/> equals the default (element by element for collections).</summary>
    public bool IsDefault(object? value) => Same(value, Default);

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (string x, string y) => x == y,
        (IEnumerable x, IEnumerable y) => x.Cast<object?>().SequenceEqual(y.Cast<object?>()),
        _ => a.Equals(b),
    };
}

/// <summary>
/// The config keys of an options record and of the records it holds (its sections), in declaration
/// order: what the loader binds, the writer writes, <see cref="Check"/> validates and the key table lists.
/// </summary>
public sealed class SettingsSchema
{
    private static readonly Dictionary<Type, SettingsSchema> Cache = [];

    private SettingsSchema(Type type, string name, string path, PropertyInfo? property)
    {
        (Type, Name, Path, Property) = (type, name, path, property);
        var defaults = Activator.CreateInstance(type)!;
        foreach (var member in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            var key = SnakeCase(member.Name);
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (member.GetCustomAttribute<SettingAttribute>() is { } rule)
                Items.Add(new SettingKey(key, childPath, member, rule, member.GetValue(defaults)));
            else if (member.PropertyType.GetProperties().Any(p => p.GetCustomAttribute<SettingAttribute>() is not null))
                Items.Add(new SettingsSchema(member.PropertyType, key, childPath, member));
        }
    }

    /// <summary>The schema of a root record such as <see cref="ExperimentSpec"/>.</summary>
    public static SettingsSchema For(Type root)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(root, out var schema)) Cache[root] = schema = new SettingsSchema(root, "", "", null);
            return schema;
        }
    }

    /// <summary>The record type.</summary>
    public Type Type { get; }

    /// <summary>The section's key (empty at the root).</summary>
    public string Name { get; }

    /// <summary>The section's dotted path (empty at the root).</summary>
    public string Path { get; }

    /// <summary>The property of the parent holding this section; null at the root.</summary>
    public PropertyInfo? Property { get; }

    /// <summary>Keys (<see cref="SettingKey"/>) and sections (<see cref="SettingsSchema"/>) in declaration order.</summary>
    public List<object> Items { get; } = [];

    /// <summary>Keys this section has replaced.</summary>
    public IEnumerable<ReplacedSettingAttribute> Replaced => Type.GetCustomAttributes<ReplacedSettingAttribute>();

    /// <summary>Every key here and below, depth first.</summary>
    public IEnumerable<SettingKey> AllKeys() =>
        Items.SelectMany(item => item is SettingKey key ? [key] : ((SettingsSchema)item).AllKeys());

    /// <summary>T when <paramref name="type"/> is <c>IReadOnlyList&lt;T&gt;</c> of a record with config keys (a list-of-records key such as <c>latent.factors</c>); else null.</summary>
    public static Type? RecordListItem(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && IsRecord(type.GetGenericArguments()[0])
            ? type.GetGenericArguments()[0]
            : null;

    /// <summary>Whether <paramref name="type"/> declares config keys (a section's or a list item's record).</summary>
    public static bool IsRecord(Type type) => type.GetProperties().Any(p => p.GetCustomAttribute<SettingAttribute>() is not null);

    /// <summary>PascalCase to snake_case: <c>KlWarmupSteps</c> → <c>kl_warmup_steps</c>.</summary>
    public static string SnakeCase(string name)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    /// <summary>Checks every key's value in <paramref name="instance"/> and its sections against its declared range and choices.</summary>
    /// <exception cref="ExperimentException">The first value out of range; the key is given.</exception>
    public void Check(object instance)
    {
        foreach (var item in Items)
        {
            if (item is SettingsSchema section)
            {
                section.Check(section.Property!.GetValue(instance)!);
                continue;
            }
            var key = (SettingKey)item;
            if (Problem(key, key.Property.GetValue(instance)) is { } problem)
                throw new ExperimentException(key.Path, $"{key.Path} is {Show(key.Property.GetValue(instance))}; {problem}.");
        }
    }

    /// <summary>What is wrong with <paramref name="value"/> for <paramref name="key"/>, or null.</summary>
    public static string? Problem(SettingKey key, object? value)
    {
        var rule = key.Rule;
        switch (value)
        {
            case int or long or double:
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (value is double d && !double.IsFinite(d)) return "expected a finite number";
                return InRange(number, rule) ? null : $"expected {Range(rule)}";
            case string text when key.Choices is { } choices:
                return choices.Contains(text) ? null : $"expected one of: {string.Join(", ", choices)}";
            case IEnumerable<long> or IEnumerable<int>:
                var items = ((IEnumerable)value).Cast<object>().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToList();
                if (items.Count == 0) return "expected at least one value";
                return items.All(v => InRange(v, rule)) ? null : $"expected values {Range(rule)}";
            default:
                return null;
        }
    }

    private static bool InRange(double value, SettingAttribute rule) =>
        (double.IsNaN(rule.Min) || (rule.Exclusive ? value > rule.Min : value >= rule.Min)) && (double.IsNaN(rule.Max) || value <= rule.Max);

    private static string Range(SettingAttribute rule)
    {
        var c = CultureInfo.InvariantCulture;
        return (double.IsNaN(rule.Min), double.IsNaN(rule.Max)) switch
        {
            (false, false) => string.Create(c, $"from {rule.Min} to {rule.Max}"),
            (false, true) => string.Create(c, $"{(rule.Exclusive ? ">" : ">=")} {rule.Min}"),
            (true, false) => string.Create(c, $"<= {rule.Max}"),
            _ => "any value",
        };
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable list => "[" + string.Join(", ", list.Cast<object>().Select(Show)) + "]",
        _ => value.ToString() ?? "",
    };
}
