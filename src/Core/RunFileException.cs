namespace ManifoldKit;

/// <summary>
/// A file of a run directory (checkpoint, state, metrics, result, saved embedding) is missing a part,
/// truncated, or does not agree with the others: the directory cannot be resumed or read as it is.
/// </summary>
/// <param name="path">The file at fault.</param>
/// <param name="problem">What is wrong with it, e.g. "is truncated (12 of 4,096 bytes)".</param>
/// <param name="inner">The error that revealed it, if any.</param>
public sealed class RunFileException(string path, string problem, Exception? inner = null)
    : Exception($"{path} {problem}; the run directory is damaged: start afresh with another --out (or delete it)", inner)
{
    /// <summary>The file at fault.</summary>
    public string FilePath { get; } = path;
}
