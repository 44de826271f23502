using System.Runtime.InteropServices;

namespace ManifoldKit.Training;

/// <summary>
/// Hands the C heap's free pages back to the system, now and then during training.
/// </summary>
/// <remarks>
/// libtorch's CPU tensors come from malloc, and glibc keeps what they free rather than returning it. A WAE of
/// 4 attempts (batch 256) grew resident memory by megabytes a step, to 1.5–3.5 GB with 68 MB of the heap in
/// use. A garbage collection every 10–50 steps also held it down, but slowed those 4 attempts by half;
/// <c>malloc_trim</c> costs 4 %. Where the C library has no <c>malloc_trim</c> (not glibc) this does nothing.
/// </remarks>
internal static class NativeHeap
{
    /// <summary>
    /// Steps between trims. Pages handed back are faulted in again when reused: every 50 steps made a WAE step
    /// 11–21 % slower, every 250 steps 4–10 %, for peaks of 40 % (4 attempts) to 75 % (1 attempt) of the
    /// untrimmed ones (bench --wae).
    /// </summary>
    public const int TrimEvery = 250;

    private static bool available = OperatingSystem.IsLinux();

    /// <summary>Trims when <paramref name="step"/> is a multiple of <see cref="TrimEvery"/>.</summary>
    public static void TrimAt(long step)
    {
        if (step % TrimEvery == 0) Trim();
    }

    /// <summary>Returns the C heap's free pages to the system.</summary>
    public static void Trim()
    {
        if (!available) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { available = false; }
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]   // glibc by its soname, present on every glibc system
    private static extern int malloc_trim(nuint pad);
}
