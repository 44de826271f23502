namespace ManifoldKit;

/// <summary>
/// An exclusive lock between processes (and between threads of one): a lock file held open with
/// <see cref="FileShare.None"/>. The operating system drops it when its holder exits, even by a crash, so a
/// stale lock file never blocks; the file itself is left in place, since deleting it would let a
/// waiter and a newcomer lock two different files of the same name.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream stream;

    private FileLock(FileStream stream) => this.stream = stream;

    /// <summary>How long <see cref="Acquire"/> sleeps between attempts.</summary>
    public static TimeSpan Poll { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Takes the lock at <paramref name="path"/>, waiting while another holds it; <paramref name="waiting"/>
    /// is called once if it has to wait.
    /// </summary>
    public static FileLock Acquire(string path, Action? waiting = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var told = false;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another: wait for it (a missing folder or a full disk is another IOException and propagates).
                if (!told) waiting?.Invoke();
                told = true;
                cancellation.WaitHandle.WaitOne(Poll);
                cancellation.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => stream.Dispose();
}
