using System.Globalization;
using ManifoldKit.Experiments;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// Checks, before any training or WAE, that a folder a run writes into can be written and has room,
/// so that a read-only or full disk fails at once with the path named, not hours later.
/// </summary>
public static class OutputCheck
{
    /// <summary>Room kept beyond the checkpoints, for metrics, TensorBoard events, plots and reports.</summary>
    public const long MarginBytes = 10L << 20;

    /// <summary>
    /// The free space a run of <paramref name="spec"/> needs: 4 × (model + optimiser state) + 10 MB. The
    /// model and optimiser state take 12 bytes a parameter (float32 weights and Adam's two moments); a
    /// save holds up to two checkpoints at once (checkpoint.tmp/ beside checkpoint/), and the factor 4 leaves
    /// as much again. Parameters are counted from the architecture: both MLPs (observed_dim through the
    /// hidden widths), plus 64 × (last width + 1) for the posterior and action heads and 20,000 for f.
    /// </summary>
    public static long RequiredBytes(ExperimentSpec spec)
    {
        var architecture = spec.Architecture;
        long parameters = 0;
        var previous = architecture.ObservedDim;
        foreach (var width in architecture.HiddenWidths)
        {
            parameters += (previous + 1L) * width;
            previous = width;
        }
        parameters = 2 * (parameters + (previous + 1L) * architecture.ObservedDim) + 64L * (previous + 1) + 20_000;
        return 4 * 12 * parameters + MarginBytes;
    }

    /// <summary>
    /// Creates <paramref name="folder"/> if need be, writes and deletes a small probe file in it, and
    /// checks that its file system has <paramref name="requiredBytes"/> free.
    /// </summary>
    /// <param name="folder">The folder a run writes into.</param>
    /// <param name="requiredBytes">The free space it needs.</param>
    /// <param name="freeBytes">The free space of a folder (tests inject a figure); by default the file system's, from <see cref="DriveInfo"/>.</param>
    /// <exception cref="IOException">The folder cannot be written, or has too little room; the message names it and why.</exception>
    public static void Writable(string folder, long requiredBytes, Func<string, long>? freeBytes = null)
    {
        var probe = Path.Combine(folder, $".manifoldkit-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, new byte[4096]);
            File.Delete(probe);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            try
            {
                if (File.Exists(probe)) File.Delete(probe);
            }
            catch (IOException)
            {
            }
            throw new IOException($"{folder} is not writable ({CommandLine.OneLine(error.Message)}); choose another --out or output folder", error);
        }
        var free = (freeBytes ?? FreeBytes)(Path.GetFullPath(folder));
        if (free < requiredBytes)
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"{folder} has {free / 1048576.0:F1} MB free, but this run needs {requiredBytes / 1048576.0:F1} MB (4 × its model and optimiser state + 10 MB); free some space or choose another --out"));
    }

    private static long FreeBytes(string folder) => new DriveInfo(folder).AvailableFreeSpace;
}
