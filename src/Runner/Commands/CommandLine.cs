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

    /// <summary>Exit code when the machine refuses a read or write (read-only folder, full disk, permissions).</summary>
    public const int IoError = 3;

    /// <summary>Exit code of a run directory whose files are damaged or disagree.</summary>
    public const int DamagedRun = 4;

    /// <summary>Exit code when memory runs out.</summary>
    public const int OutOfMemory = 5;

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
    /// Runs a verb's body, turning every failure a user or the machine can cause into one line on
    /// standard error and its exit code (docs/reliability.md): 2 for a bad config, argument, name or
    /// file; 3 for a read or write the system refused; 4 for a damaged run directory; 5 for memory
    /// exhausted; 1 for a diverged run; 130 for Ctrl-C. Anything else is a bug and propagates with its
    /// stack trace.
    /// </summary>
    public static int Guard(Func<int> body) => Guard(body, Console.Error);

    /// <summary><see cref="Guard(Func{int})"/> writing its one line to <paramref name="errors"/>.</summary>
    public static int Guard(Func<int> body, TextWriter errors)
    {
        int Fail(string message, int code)
        {
            Console.Out.Flush();
            errors.WriteLine($"manifoldkit: {OneLine(message)}");
            return code;
        }

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
        catch (RunFileException error)
        {
            return Fail(error.Message, DamagedRun);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot read or write: {OneLine(error.Message)}", IoError);
        }
        catch (Exception error) when (error is OutOfMemoryException || error.Message.Contains("can't allocate memory", StringComparison.Ordinal))
        {
            return Fail($"out of memory: {OneLine(error.Message)}; lower the sizes in the config (training.batch_size, training.samples, " +
                        "architecture.hidden_widths, evaluation.test_size, evaluation.iwae_samples)", OutOfMemory);
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

    /// <summary>System.CommandLine's parse error in the words of the config errors: <c>--seed is 'abc'; expected an integer.</c></summary>
    public static string ParseError(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.?$");
        if (!match.Success) return OneLine(message);
        var type = match.Groups[3].Value;
        var expected = type.Contains("Int", StringComparison.Ordinal) ? "an integer" : type.Contains("Double", StringComparison.Ordinal) ? "a number" : $"a value of type {type}";
        return $"{match.Groups[2].Value} is '{OneLine(match.Groups[1].Value)}'; expected {expected}.";
    }

    /// <summary>A message on one line: line breaks (a value with a newline, a native message) become spaces.</summary>
    /// <remarks>A run of more than 200 characters without a space (a path of thousands) keeps its start and end.</remarks>
    public static string OneLine(string message) =>
        System.Text.RegularExpressions.Regex.Replace(
            string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            @"\S{201,}", run => $"{run.Value[..120]}…({run.Value.Length:N0} characters)…{run.Value[^40..]}");
}
