using System.Runtime.InteropServices;

namespace ManifoldKit.Training;

/// <summary>
/// How glibc's malloc serves libtorch's CPU tensors, set once by each ManifoldKit program at its start.
/// </summary>
/// <remarks>
/// By default glibc raises the size above which it maps blocks on their own to the largest block freed so far,
/// and hands the top of its heap back to the system whenever twice that is free. Once a WAE's heap stayed compact
/// (its kernel's Scalars disposed, <see cref="Embeddings.WaeMmdTrainer"/>), that returned the pages of its
/// megabyte tensors and faulted them in again step after step: 5.5–6.0 ms a step of 4 attempts, against 3.7–3.8
/// with the thresholds fixed here (bench --wae). Where the C library is not glibc this does nothing.
/// </remarks>
public static class NativeHeap
{
    private const int TrimThreshold = -1, MmapThreshold = -3;      // mallopt's M_TRIM_THRESHOLD, M_MMAP_THRESHOLD

    /// <summary>Sets glibc's thresholds for this process; call it before training.</summary>
    public static void Configure()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            mallopt(MmapThreshold, 32 << 20);
            mallopt(TrimThreshold, 256 << 20);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]   // glibc by its soname, present on every glibc system
    private static extern int mallopt(int parameter, int value);
}
