namespace ManifoldKit.Training;

/// <summary>A progress report: averages of the objective's terms since the previous report.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">Mean loss (−ELBO with the current KL weight) per point.</param>
/// <param name="LogLikelihood">Mean log p(x|z) per point.</param>
/// <param name="Kl">Mean KL per point.</param>
/// <param name="Elapsed">Wall time since training (re)started.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LogLikelihood, double Kl, TimeSpan Elapsed)
{
    /// <summary>Mean ELBO per point over the interval.</summary>
    public double Elbo => LogLikelihood - Kl;
}
