namespace ManifoldKit.Training;

/// <summary>
/// The learning-rate schedule of model and WAE training alike: constant, or with a final rate, a
/// cosine from the rate down to it over the last steps.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The rate of step <paramref name="step"/> (1-based) of a run of <paramref name="steps"/>.</summary>
    /// <param name="step">The step about to be taken.</param>
    /// <param name="steps">The run's length.</param>
    /// <param name="rate">The rate before the decay.</param>
    /// <param name="final">The rate of the last step; null keeps the rate constant.</param>
    /// <param name="decaySteps">The last steps over which it decays; null (or more than the run) for the whole run.</param>
    public static double At(int step, int steps, double rate, double? final, int? decaySteps)
    {
        if (final is not { } end) return rate;
        var decay = Math.Min(decaySteps ?? steps, steps);
        var into = Math.Min(step, steps) - (steps - decay) - 1;                // 0 at the decay's first step
        if (into < 0) return rate;
        return decay <= 1 ? end : end + 0.5 * (rate - end) * (1 + Math.Cos(Math.PI * into / (decay - 1)));
    }
}
