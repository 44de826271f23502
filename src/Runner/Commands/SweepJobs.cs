using System.Diagnostics;
using System.Reflection;
using ManifoldKit.Runner.Configuration;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// <c>sweep --jobs N</c>: the sweep as N shard processes of this executable side by side, libtorch's
/// threads split between them. On these small models two 1-thread trainings run at nearly twice one
/// 2-thread training (docs/cluster.md), and shards already share learned f's safely.
/// </summary>
public static class SweepJobs
{
    /// <summary>
    /// Runs <c>sweep</c> with <paramref name="arguments"/> as shards 0 to <paramref name="jobs"/> − 1, each
    /// line of their output prefixed with its shard; returns when all have ended.
    /// </summary>
    /// <exception cref="ConfigException">A shard process failed; its output is above.</exception>
    public static void Run(int jobs, IReadOnlyList<string> arguments, TextWriter output, CancellationToken cancellation)
    {
        var threads = Environment.GetEnvironmentVariable(LibTorchThreads.Variable) ?? Math.Max(1, Environment.ProcessorCount / jobs).ToString();
        output.WriteLine($"sweep: {jobs} shard processes side by side, {LibTorchThreads.Variable}={threads} each");
        var gate = new object();
        var processes = Enumerable.Range(0, jobs).Select(i => Start(i, jobs, arguments, threads, line =>
        {
            lock (gate) output.WriteLine($"[{i}/{jobs}] {line}");
        })).ToList();
        using (cancellation.Register(() => processes.ForEach(Stop)))
            foreach (var process in processes) process.WaitForExit();
        var failed = processes.Select((p, i) => (Index: i, p.ExitCode)).Where(p => p.ExitCode != 0).ToList();
        foreach (var process in processes) process.Dispose();
        if (failed.Count > 0)
            throw new ConfigException($"shard {string.Join(", ", failed.Select(f => $"{f.Index}/{jobs} (exit code {f.ExitCode})"))} failed; " +
                                      "its lines above, marked with the shard, say why. Finished runs are kept: the same command resumes.");
    }

    private static Process Start(int index, int jobs, IReadOnlyList<string> arguments, string threads, Action<string> line)
    {
        // Run as `dotnet manifoldkit.dll` or through the apphost: start this executable the same way.
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.ArgumentList.Add("--shard");
        info.ArgumentList.Add($"{index}/{jobs}");
        info.Environment[LibTorchThreads.Variable] = threads;
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) line(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) line(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already ended.
        }
    }
}
