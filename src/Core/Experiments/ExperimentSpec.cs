using ManifoldKit.Data;
using System.Globalization;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Models;
using ManifoldKit.Settings;
using ManifoldKit.Training;

namespace ManifoldKit.Experiments;

/// <summary>
/// Everything that defines an experiment; defaults are the protocol's (docs/protocol.md). Every
/// config key is a <see cref="SettingAttribute"/> on this record or on one of its sections.
/// </summary>
public sealed record ExperimentSpec
{
    /// <summary>A label for reports and directories.</summary>
    [Setting("label of the runs and their directories", DefaultText = "the file's name")]
    public string Name { get; init; } = "experiment";

    /// <summary>The manifold whose uniform distribution generates the data.</summary>
    [Setting("manifold whose uniform distribution generates the data: `circle`, `sphere`, `so3`, or a plugin's")]
    public string Task { get; init; } = "circle";

    /// <summary>Settings of the task's manifold.</summary>
    [Setting("settings of the task's manifold, e.g. `{dim: 2}` for `sphere`")]
    public IReadOnlyDictionary<string, string> TaskSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Seed of the data generator network (the test set uses data_seed + 1).</summary>
    [Setting("seed of the fixed generator network; the test set uses `data_seed + 1`", Min = 0)]
    public long DataSeed { get; init; }

    /// <summary>Observation noise standard deviation.</summary>
    [Setting("standard deviation of Gaussian noise added to every observation (at most 1e6: its square must stay finite in float32)", Min = 0, Max = 1e6)]
    public double NoiseStd { get; init; }

    /// <summary>Training seeds; a sweep runs one model per seed.</summary>
    [Setting("training seeds; `sweep` runs each", Min = 0)]
    public IReadOnlyList<long> Seeds { get; init; } = [0];

    /// <summary>Where the model trains and is evaluated: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (<see cref="ComputeDevice"/>).</summary>
    // Omitted at its default: run directories made before the key existed still resume.
    [Setting("where training and evaluation run: `cpu`, `cuda` or `cuda:N` (a GPU needs the TorchSharp-cuda package, README: Running on a GPU)", OmitWhenDefault = true)]
    public string Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Where the observations come from; the toy task of <see cref="Task"/> by default.</summary>
    public DataOptions Data { get; init; } = new();

    /// <summary>The model's latent variable.</summary>
    public LatentOptions Latent { get; init; } = new();

    /// <summary>Encoder and decoder sizes.</summary>
    public ArchitectureOptions Architecture { get; init; } = new();

    /// <summary>Optimisation.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Learning f when <c>embedding: learned</c>.</summary>
    public WaeOptions Wae { get; init; } = new();

    /// <summary>Thresholds a learned embedding's quality must meet before a model trains on it.</summary>
    public EmbeddingChecks EmbeddingChecks { get; init; } = new();

    /// <summary>Test metrics.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>
    /// Checks every value against its key's declared range and the rules that tie keys together,
    /// without looking at plugins or files (<see cref="ExperimentPlan.Resolve"/> does that).
    /// </summary>
    /// <exception cref="ExperimentException">The first value that does not fit; the key is given.</exception>
    public void Validate()
    {
        SettingsSchema.For(typeof(ExperimentSpec)).Check(this);
        ComputeDevice.CheckForm(Device);
        MemoryBudget.Check(this);
        if (Latent.Factors.Count > 0 && Latent.SingleKeysSet() is { Count: > 0 } both)
            throw new ExperimentException("latent.factors",
                $"latent.factors is given together with {string.Join(", ", both)}; a product latent takes its settings from its factors, so move {(both.Count == 1 ? "that key" : "those keys")} into a factor or remove latent.factors.");
        var factors = Latent.FactorList();
        foreach (var (prefix, factor) in factors) CheckFactor(prefix, factor);
        if (Training.DecaySteps is not null && Training.FinalLearningRate is null)
            throw new ExperimentException("training.decay_steps",
                "training.decay_steps says how many final steps the learning rate decays over, but there is no training.final_learning_rate to decay to; set one (e.g. 1.0e-5) or remove decay_steps.");
        // A coordinate-wise family's range is the same at every dimension; a directional one's depends on
        // the sphere, which ExperimentPlan checks once the manifold is known.
        if (Architecture.InitialPosteriorStd is { } std)
            foreach (var posterior in factors.Select(f => PosteriorFamilies.Find(f.Options.PosteriorFamily)).OfType<IPosteriorFamily>().Where(p => p is not IManifoldPosteriorFamily))
                CheckInitialStd(posterior, 1, std);
        // The toy tasks' x are real-valued: a likelihood for [0, 1] would score them as nonsense. Other
        // sources are checked on their values when they are read (DataSources.Create).
        if (Likelihoods.ModelsUnitInterval(Architecture.Likelihood) && Data.Source == DataSources.Toy)
            throw new ExperimentException("architecture.likelihood",
                $"architecture.likelihood is {Architecture.Likelihood}, which models data in [0, 1], but task '{Task}' gives real-valued data; use architecture.likelihood: gaussian.");
    }

    /// <summary>That <paramref name="posterior"/> has a member of spread <paramref name="std"/> for samples of <paramref name="dim"/> coordinates.</summary>
    /// <exception cref="ExperimentException">It has none (key <c>architecture.initial_posterior_std</c>).</exception>
    internal static void CheckInitialStd(IPosteriorFamily posterior, int dim, double std)
    {
        try
        {
            posterior.RawForStd(dim, std);
        }
        catch (ArgumentOutOfRangeException error)
        {
            throw new ExperimentException("architecture.initial_posterior_std",
                string.Create(CultureInfo.InvariantCulture, $"architecture.initial_posterior_std is {std} for the {posterior.Name} posterior: {error.Message.Split(Environment.NewLine)[0].Split(" (Parameter")[0]}."));
        }
    }

    /// <summary>One factor's keys: ranges (the schema checks only the top-level latent), no nesting, and beta_centred's need of an action.</summary>
    private static void CheckFactor(string prefix, LatentOptions factor)
    {
        if (prefix != "latent")
        {
            if (factor.Factors.Count > 0)
                throw new ExperimentException($"{prefix}.factors", $"{prefix} has factors of its own; a product's factors are single latents (list them all in latent.factors).");
            try
            {
                SettingsSchema.For(typeof(LatentOptions)).Check(factor);
            }
            catch (ExperimentException error)
            {
                throw new ExperimentException($"{prefix}.{error.Key}", $"{prefix}.{error.Message}");
            }
        }
        // A name that is not built in may be a plugin's: ExperimentPlan.Resolve knows them, and checks
        // the families that live on a manifold itself, built in or not.
        var posterior = PosteriorFamilies.Find(factor.PosteriorFamily);
        if (posterior is CentredBetaFamily && (factor.Kind != LatentKind.Manifold || !factor.GroupAction))
            throw new ExperimentException($"{prefix}.posterior",
                $"{prefix}.posterior is beta_centred, which centres every posterior on the cube's middle, so only a group action can place it; " +
                $"use it with {prefix}.kind: manifold and {prefix}.group_action: true, or choose beta_log.");
    }
}
