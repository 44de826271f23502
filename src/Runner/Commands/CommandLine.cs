using System.CommandLine;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Plugins;
using ManifoldKit.Training;
using Microsoft.Extensions.DependencyInjection;

namespace ManifoldKit.Runner.Commands;

/// <summary>Pieces the verbs share: the plugin catalog, error reporting and exit codes.</summary>
public static class CommandLine
{
    /// <summary>Exit code of a bad config, argument or name.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code after Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>The <c>--plugin-dir</c> option every verb that resolves manifolds takes.</summary>
    public static Option<string[]> PluginDirOption() => new("--plugin-dir")
    {
        Description = $"Extra plugin directory (repeatable); also read from {PluginLoader.PathVariable}.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The <c>--setting key=value</c> option for manifold settings.</summary>
    public static Option<string[]> SettingOption() => new("--setting")
    {
        Description = "Manifold setting key=value (repeatable), e.g. --setting dim=3.",
    };

    /// <summary>Builds the service provider with the plugins of the built-in folder, the environment and <paramref name="pluginDirs"/>.</summary>
    public static IManifoldCatalog Catalog(IEnumerable<string> pluginDirs)
    {
        var services = new ServiceCollection().AddManifoldKit(pluginDirs);
        return services.BuildServiceProvider().GetRequiredService<IManifoldCatalog>();
    }

    /// <summary>Parses <c>key=value</c> pairs.</summary>
    /// <exception cref="ConfigException">A pair has no '='.</exception>
    public static ManifoldSettings Settings(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new ConfigException($"--setting '{pair}': expected key=value, e.g. --setting dim=3.");
            values[pair[..equals]] = pair[(equals + 1)..];
        }
        return new ManifoldSettings(values);
    }

    /// <summary>
    /// Runs a verb's body, turning the failures a user can fix (a bad config, argument, name or file)
    /// into one line on standard error and exit code 2 (1 for a diverged run, 130 for Ctrl-C). Anything
    /// else is a bug and propagates with its stack trace.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ConfigException error)
        {
            return Fail(error.Message, UsageError);
        }
        catch (ExperimentException error)
        {
            return Fail($"{error.Key}: {error.Message}", UsageError);
        }
        catch (CatalogException error)
        {
            return Fail(error.Message, UsageError);
        }
        catch (TrainingDivergedException error)
        {
            return Fail(error.Message, 1);
        }
        catch (OperationCanceledException error)
        {
            return Fail($"interrupted: {error.Message}", Interrupted);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"manifoldkit: {message}");
        return code;
    }
}
