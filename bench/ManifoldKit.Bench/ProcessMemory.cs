using System.Diagnostics;

/// <summary>This process's memory as the benchmarks report it (Linux, glibc).</summary>
internal static class ProcessMemory
{
    /// <summary>Resident memory now, MiB.</summary>
    public static double ResidentMiB()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / (1024.0 * 1024);
    }

    /// <summary>Peak resident memory (VmHWM) since the start or the last <see cref="ResetPeak"/>, MiB.</summary>
    public static double PeakMiB() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).FirstOrDefault(double.NaN);

    /// <summary>Starts the peak again from now (writing 5 to clear_refs).</summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Hands the C heap's free pages back to the system, so what earlier work freed is not counted.</summary>
    public static void ReleaseFreeHeap() => malloc_trim(0);

    [System.Runtime.InteropServices.DllImport("libc.so.6")]
    private static extern int malloc_trim(nuint pad);
}
