using FsCheck.Xunit;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Commands;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Settings;
using ManifoldKit.Testing;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>The config keys are declared once (<see cref="SettingAttribute"/>); what reads them is checked against that declaration.</summary>
public sealed class ConfigSchemaTests
{
    private static readonly string ConfigsFolder = Path.Combine(Repository.Root, "configs");

    /// <summary>
    /// Every file under configs/ resolves against the real plugins as <c>run</c> does before training:
    /// the manifolds exist and take the settings given, the posterior fits, an exact f is offered where asked.
    /// </summary>
    [Fact]
    public void ShippedConfigs_ResolveAgainstTheRealPlugins()
    {
        var files = Directory.GetFiles(ConfigsFolder, "*.yaml", SearchOption.AllDirectories);
        Assert.True(files.Length >= 19, $"found only {files.Length} configs");
        foreach (var file in files)
        {
            var config = ConfigLoader.Load(file);
            // The built-in plugins beside the runner, as run finds them; torus.yaml names the Torus plugin's Release output, the tests build it in their own configuration.
            var catalog = CommandLine.Catalog([.. config.PluginDirs, Path.Combine(Repository.Output("src/Runner"), "plugins"), Repository.Output("plugins/Torus")]);
            RunExecutor.Validate(config, catalog);
        }
    }

    /// <summary>configs/README.md's key table is the one the schema makes (<c>manifoldkit keys</c> prints it).</summary>
    [Fact]
    public void ConfigsReadme_KeyTable_IsTheSchemas()
    {
        var readme = File.ReadAllText(Path.Combine(ConfigsFolder, "README.md"));
        const string begin = "<!-- keys: made by 'manifoldkit keys' -->\n", end = "<!-- end of keys -->";
        var start = readme.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, "configs/README.md has no key table marker");
        var table = readme[(start + begin.Length)..readme.IndexOf(end, start, StringComparison.Ordinal)];
        Assert.Equal(KeyTable.Markdown(), table);
    }

    /// <summary>Every declared key is read by the loader: a file giving it with its default loads, and one with a typo does not.</summary>
    [Fact]
    public void EveryDeclaredKey_IsKnownToTheLoader()
    {
        var keys = SettingsSchema.For(typeof(ExperimentSpec)).AllKeys().Concat(SettingsSchema.For(typeof(HostSettings)).AllKeys()).ToList();
        Assert.Equal(keys.Count, keys.Select(k => k.Path).Distinct().Count());
        var defaults = ConfigWriter.ToYaml(ConfigLoader.Load(null));
        foreach (var key in keys.Where(k => !k.Rule.OmitWhenDefault && k.Rule.WrittenWith is null))
            Assert.Contains($"{new string(' ', 2 * (key.Path.Count(c => c == '.')))}{key.Name}: ", defaults);
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["training.stepz=5"]));
        Assert.Contains("did you mean 'steps'?", error.Message);
    }

    /// <summary>
    /// A spec built in code is held to the same ranges as a config file: for a random numeric key, a value
    /// just outside its declared range is refused by <see cref="ExperimentSpec.Validate"/>, naming the key.
    /// </summary>
    [Property(MaxTest = 40)]
    public void Validate_RefusesAValueOutsideItsDeclaredRange(Seed seed)
    {
        var random = new Random(seed.Value);
        var bounded = SettingsSchema.For(typeof(ExperimentSpec)).AllKeys()
            .Where(k => !double.IsNaN(k.Rule.Min) && (k.Property.PropertyType == typeof(int) || k.Property.PropertyType == typeof(double) || k.Property.PropertyType == typeof(double?)))
            .ToList();
        var key = bounded[random.Next(bounded.Count)];
        var below = key.Rule.Exclusive ? key.Rule.Min : key.Rule.Min - (key.Property.PropertyType == typeof(int) ? 1 : 1e-9);
        var spec = new ExperimentSpec();
        object section = spec;
        var parts = key.Path.Split('.');
        if (parts.Length == 2) section = typeof(ExperimentSpec).GetProperties().Single(p => SettingsSchema.SnakeCase(p.Name) == parts[0]).GetValue(spec)!;
        key.Property.SetValue(section, key.Property.PropertyType == typeof(int) ? (object)(int)below : below);

        var error = Assert.Throws<ExperimentException>(spec.Validate);
        Assert.Equal(key.Path, error.Key);
        Assert.StartsWith($"{key.Path} is ", error.Message);
        new ExperimentSpec().Validate();
    }
}
