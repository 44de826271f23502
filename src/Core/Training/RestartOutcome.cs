namespace ManifoldKit.Training;

/// <summary>What a restart phase found (<see cref="TrainingOptions.Restarts"/>).</summary>
/// <param name="Chosen">The attempt that went on, 0-based; attempt r was initialised from seed + r · <see cref="Trainer.RestartSeedStride"/>.</param>
/// <param name="Scores">Each attempt's ELBO per point on the shared batch of fresh task data.</param>
/// <param name="Steps">Steps each attempt trained before the comparison.</param>
public sealed record RestartOutcome(int Chosen, IReadOnlyList<double> Scores, int Steps);
