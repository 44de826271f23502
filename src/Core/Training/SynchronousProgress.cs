namespace ManifoldKit.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action on the reporting thread, at once. The BCL's
/// <see cref="Progress{T}"/> posts to a synchronisation context instead, so reports can arrive late,
/// out of order, or on another thread (where per-thread tensor counts and plots would be wrong).
/// </summary>
/// <param name="report">What to do with each report.</param>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
