using System.Diagnostics;

namespace ManifoldKit.Training;

/// <summary>Cumulative wall time of the phases of training steps (data and forward pass, backward pass, optimiser).</summary>
public sealed class StepTimings
{
    private long forward, backward, optimizer;

    /// <summary>Steps measured.</summary>
    public long Steps { get; private set; }

    /// <summary>Data sampling and the forward pass, including the loss.</summary>
    public TimeSpan Forward => Stopwatch.GetElapsedTime(0, forward);

    /// <summary>The backward pass.</summary>
    public TimeSpan Backward => Stopwatch.GetElapsedTime(0, backward);

    /// <summary>Adam's update.</summary>
    public TimeSpan Optimizer => Stopwatch.GetElapsedTime(0, optimizer);

    /// <summary>Adds one step's phases, in <see cref="Stopwatch"/> ticks.</summary>
    public void Add(long forwardTicks, long backwardTicks, long optimizerTicks)
    {
        (forward, backward, optimizer) = (forward + forwardTicks, backward + backwardTicks, optimizer + optimizerTicks);
        Steps++;
    }

    /// <summary>Forgets what was measured (after a warm-up).</summary>
    public void Reset() => (forward, backward, optimizer, Steps) = (0, 0, 0, 0);
}
