namespace ManifoldKit.Training;

/// <summary>A loss term became NaN or infinite; training stops rather than write nonsense.</summary>
public sealed class TrainingDivergedException(int step, string term, double value)
    : Exception($"training diverged at step {step}: {term} is {value}. Lower the learning rate, or check the data for NaN or extreme values.")
{
    /// <summary>The step at which it happened (1-based).</summary>
    public int Step { get; } = step;

    /// <summary>The term that blew up, e.g. <c>KL</c>.</summary>
    public string Term { get; } = term;
}
