using System.Diagnostics;

namespace ManifoldKit.Runner.Tests;

/// <summary>Paths of this repository's build outputs, and a way to run the real executable.</summary>
public static class Repository
{
    /// <summary>The folder holding ManifoldKit.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>The build output of a project folder, e.g. <c>src/Runner</c>.</summary>
    public static string Output(string project) => Path.Combine(Root, project, "bin", Configuration, "net10.0");

    /// <summary>The runner's executable assembly (with its plugins/ folder beside it).</summary>
    public static string Runner => Path.Combine(Output("src/Runner"), "manifoldkit.dll");

    /// <summary>Copies a plugin's build output to <c>directory/AssemblyName/</c>, as a user would install it.</summary>
    public static string InstallPlugin(string project, string assemblyName, string directory)
    {
        var target = Path.Combine(directory, assemblyName);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Output(project))) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        return target;
    }

    /// <summary>Runs <c>dotnet manifoldkit.dll ARGS</c> to completion; output redirected, so no progress bar.</summary>
    public static (int ExitCode, string Out, string Error) Run(string workingDirectory, IDictionary<string, string>? environment, params string[] arguments)
    {
        using var process = Start(workingDirectory, environment, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts the executable without waiting.</summary>
    public static Process Start(string workingDirectory, IDictionary<string, string>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Runner);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment.Remove("MANIFOLDKIT_PLUGIN_PATH");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ManifoldKit.sln"))) return directory.FullName;
        throw new InvalidOperationException("ManifoldKit.sln not found above the test output");
    }
}
