namespace ManifoldKit.Training;

/// <summary>A progress report: averages of the objective's terms since the previous report.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">Mean loss (−ELBO with the current KL weight) per point.</param>
/// <param name="LogLikelihood">Mean log p(x|z) per point.</param>
/// <param name="Kl">Mean KL per point.</param>
/// <param name="Elapsed">Wall time since training (re)started.</param>
/// <param name="TimedSteps">Steps run in <paramref name="Elapsed"/>: fewer than Step after a resume or a restart phase.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LogLikelihood, double Kl, TimeSpan Elapsed, int TimedSteps)
{
    /// <summary>Wall time still to go at the pace so far.</summary>
    public TimeSpan Remaining => TimedSteps <= 0 ? TimeSpan.Zero : Elapsed * ((TotalSteps - Step) / (double)TimedSteps);

    /// <summary>Mean ELBO per point over the interval.</summary>
    public double Elbo => LogLikelihood - Kl;

    /// <summary>Wall time of training in every session so far (the checkpoint's and this one's); null when not tracked.</summary>
    public TimeSpan? TrainingTime { get; init; }
}
