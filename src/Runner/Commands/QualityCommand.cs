using System.CommandLine;
using ManifoldKit.Embeddings;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit quality MANIFOLD [--embedding FILE] [--setting k=v]</c>.</summary>
public static class QualityCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("manifold") { Description = "Registry name of the manifold, e.g. sphere." };
        var embedding = new Option<string?>("--embedding") { Description = "A saved f (from 'manifoldkit embed'); default: the manifold's exact embedding." };
        var settings = CommandLine.SettingOption();
        var pluginDirs = CommandLine.PluginDirOption();
        var command = new Command("quality", "Measure an embedding's quality: distance from M, injectivity, uniformity, volume distortion, coverage. Exit 1 when a default check fails.")
            { name, embedding, settings, pluginDirs };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            var catalog = CommandLine.Catalog(parse.GetValue(pluginDirs) ?? []);
            var manifold = catalog.Create(parse.GetValue(name)!, CommandLine.Settings(parse.GetValue(settings) ?? []));
            EmbeddingQuality quality;
            if (parse.GetValue(embedding) is { } path)
            {
                using var f = LoadSaved(path, manifold);
                quality = EmbeddingProvider.QualityOf(f, manifold, path);
            }
            else
            {
                var exact = manifold.ExactEmbedding
                            ?? throw new ConfigException($"manifold '{manifold.Name}' offers no exact embedding; give a learned one with --embedding FILE (make one with 'manifoldkit embed {manifold.Name}').");
                quality = EmbeddingQuality.Measure(exact, manifold, exact.Chart);
            }
            Console.WriteLine(quality.Describe());
            return Verdict(quality, new EmbeddingChecks());
        }));
        return command;
    }

    /// <summary>Prints the checks' verdict; 0 when every check passes, 1 otherwise.</summary>
    public static int Verdict(EmbeddingQuality quality, EmbeddingChecks checks)
    {
        var failures = checks.Failures(quality);
        if (failures.Count == 0)
        {
            Console.WriteLine("checks (embedding_checks defaults): all pass");
            return 0;
        }
        foreach (var failure in failures) Console.WriteLine($"check failed: {failure}");
        return 1;
    }

    /// <summary>A saved f for this manifold; a missing, unreadable or mismatched file is the user's to fix.</summary>
    private static LearnedEmbedding LoadSaved(string path, IManifold manifold)
    {
        try
        {
            return LearnedEmbedding.LoadFor(path, manifold);
        }
        catch (Exception error) when (error is ArgumentException or FileNotFoundException or InvalidDataException)
        {
            throw new ConfigException(error.Message);
        }
    }
}
