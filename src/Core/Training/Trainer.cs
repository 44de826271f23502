using System.Diagnostics;
using ManifoldKit.Data;
using ManifoldKit.Evaluation;
using ManifoldKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Training;

/// <summary>
/// Trains a <see cref="VariationalAutoencoder"/> on fresh task samples with Adam. Every step runs in
/// its own dispose scope; one generator drives data and posterior noise, so a run repeats exactly on
/// the same machine and thread count, and a checkpoint (weights, Adam state, step, generator state)
/// resumes to the same result as an uninterrupted run. With <see cref="TrainingOptions.Restarts"/>
/// above 1 the first <see cref="TrainingOptions.RestartSteps"/> steps are run from several
/// initialisations and only the one with the best ELBO on a shared batch of fresh task data goes on.
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>Fresh task points on which the attempts of a restart phase are compared.</summary>
    public const int RestartScoreBatch = 4096;

    /// <summary>
    /// Task points the data-dependent initialisations are computed from
    /// (<see cref="ArchitectureOptions.ActionHeadInit"/>, <see cref="ArchitectureOptions.ObservationInit"/>).
    /// </summary>
    public const int InitialisationBatch = 1024;

    /// <summary>How far apart the seeds of a run's attempts are: attempt r uses seed + r · this.</summary>
    public const long RestartSeedStride = 1_000_000;

    /// <summary>The most attempts a config or command may ask for, of training (<c>training.restarts</c>) or of the WAE (<c>wae.restarts</c>).</summary>
    public const int MaxRestarts = 100;

    private readonly Func<VariationalAutoencoder> createModel;
    private readonly IDataSource task;
    private Start current;
    private readonly Stopwatch session = new();
    private double secondsBefore;
    private int stepsRunBefore;

    private readonly Device device;

    /// <summary>Prepares training: builds the model from <paramref name="createModel"/> and draws its weights from the seed.</summary>
    /// <param name="createModel">Makes a model on the CPU; it is moved to <paramref name="device"/> once its weights are drawn.</param>
    /// <param name="task">The data (CPU tensors; each batch is moved to the device).</param>
    /// <param name="options">The settings.</param>
    /// <param name="device">Where to train; the CPU when null.</param>
    public Trainer(Func<VariationalAutoencoder> createModel, IDataSource task, TrainingOptions options, Device? device = null)
    {
        Options = options;
        this.device = device ?? CPU;
        this.task = task;
        this.createModel = createModel;
        current = Initialise(options.Seed);
    }

    /// <summary>The model being trained.</summary>
    public VariationalAutoencoder Model => current.Model;

    /// <summary>
    /// The test of the restart phase once it has run (or was restored from a checkpoint): every
    /// attempt's score and the one chosen; null without restarts or before the phase.
    /// </summary>
    public RestartOutcome? Restart { get; private set; }

    /// <summary>Optimiser steps run by this trainer object, the discarded attempts' included.</summary>
    public int StepsRun { get; private set; }

    /// <summary>Optimiser steps run in every session up to the step reached (<see cref="StepsRun"/> plus those of the checkpoint resumed from).</summary>
    public int TotalStepsRun => stepsRunBefore + StepsRun;

    /// <summary>Wall time spent training in every session up to the step reached (this one's plus the checkpoint's).</summary>
    public TimeSpan TrainingTime => TimeSpan.FromSeconds(secondsBefore) + session.Elapsed;

    /// <summary>
    /// Raised with the step when a checkpoint's files are written, before it replaces the previous one:
    /// a record that must not run ahead of the checkpoint (metrics.csv) is written here, so a crash
    /// leaves it at most one checkpoint ahead (trimmed on resume), never behind. An exception cancels the save.
    /// </summary>
    public event Action<int>? CheckpointStaged;

    /// <summary>Raised with the step after each checkpoint is saved (<see cref="Checkpoint.Save"/>).</summary>
    public event Action<int>? Checkpointed;

    internal void OnCheckpointStaged() => CheckpointStaged?.Invoke(Step);

    internal void OnCheckpointed() => Checkpointed?.Invoke(Step);

    /// <summary>The settings.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Steps done so far.</summary>
    public int Step { get; private set; }

    /// <summary>Wall time spent so far in each phase of the steps.</summary>
    public StepTimings Timings { get; } = new();

    /// <summary>
    /// Runs steps until <see cref="TrainingOptions.Steps"/> or cancellation, reporting every
    /// <see cref="TrainingOptions.ReportEvery"/> steps and checkpointing into
    /// <paramref name="checkpointDirectory"/> when asked.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A term became NaN or infinite.</exception>
    /// <param name="progress">Reports of the steps; during a restart phase only the chosen attempt's, once it is chosen.</param>
    /// <param name="checkpointDirectory">Where checkpoints go (none during a restart phase).</param>
    /// <param name="cancellation">Stops after the current step; cancelled in a restart phase, the run starts over.</param>
    /// <param name="log">Lines on a restart phase: each attempt's progress at its quarters, its score, the choice.</param>
    public void Run(IProgress<TrainingProgress>? progress = null, string? checkpointDirectory = null, CancellationToken cancellation = default,
        Action<string>? log = null)
    {
        session.Start();
        try
        {
            if (Step == 0 && Options.Restarts > 1 && !RunRestarts(progress, log, cancellation)) return;
            Train(Options.Steps, progress, checkpointDirectory, cancellation);
        }
        finally
        {
            session.Stop();
        }
    }

    /// <summary>
    /// Trains each attempt for <see cref="TrainingOptions.RestartSteps"/> and keeps the best, whose
    /// buffered reports then go to <paramref name="progress"/>. False when cancelled (Step is then 0).
    /// </summary>
    private bool RunRestarts(IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellation)
    {
        var length = Math.Min(Options.RestartSteps, Options.Steps);
        using var scoreBatch = RestartScoreData();
        var scores = new double[Options.Restarts];
        (Start Start, List<TrainingProgress> Reports)? best = null;
        var chosen = -1;
        TrainingDivergedException? divergence = null;
        current.Dispose();                          // attempt 0 starts afresh too: this state may be a cancelled phase's
        for (var attempt = 0; attempt < Options.Restarts; attempt++)
        {
            var label = $"restart {attempt + 1}/{Options.Restarts}";
            current = Initialise(Options.Seed + attempt * RestartSeedStride);
            Step = 0;
            var reports = new List<TrainingProgress>();
            var quartersLogged = 0;
            void Record(TrainingProgress p)
            {
                reports.Add(p);
                // A line at each quarter of the start, so a long restart phase is not silent.
                var quarters = (int)((long)p.Step * 4 / length);
                if (quarters <= quartersLogged || p.Step >= length) return;
                quartersLogged = quarters;
                log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{label}: step {p.Step}/{length}  elbo {p.Elbo:F2}  kl {p.Kl:F3}"));
            }
            try
            {
                Train(length, new SynchronousProgress<TrainingProgress>(Record), null, cancellation);
            }
            catch (TrainingDivergedException error)
            {
                // A start that diverges is a bad start: the next one may not.
                divergence = error;
                scores[attempt] = double.NaN;
                log?.Invoke($"{label}: diverged at step {error.Step} ({error.Term} not finite); discarded");
                current.Dispose();
                continue;
            }
            if (Step < length)
            {
                Step = 0;
                best?.Start.Dispose();
                return false;
            }
            scores[attempt] = RestartScore(Model, scoreBatch);
            log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{label}: ELBO {scores[attempt]:F2} on {RestartScoreBatch} fresh points after {length} steps"));
            if (best is null || scores[attempt] > scores[chosen])
            {
                best?.Start.Dispose();
                best = (current, reports);
                chosen = attempt;
            }
            else current.Dispose();
        }
        if (best is null)
        {
            current = Initialise(Options.Seed);                                // something live to dispose
            throw divergence!;                                                 // every start diverged
        }
        (current, var chosenReports) = best.Value;
        Step = length;
        Restart = new RestartOutcome(chosen, scores, length);
        log?.Invoke($"restart: going on with attempt {chosen + 1} (seed {Options.Seed + chosen * RestartSeedStride})");
        foreach (var report in chosenReports) progress?.Report(report);
        return true;
    }

    /// <summary>The fresh task points this seed's restart attempts are compared on (the caller disposes them).</summary>
    internal Tensor RestartScoreData()
    {
        using var scoreGenerator = new Generator((ulong)Options.Seed + 3);
        var (sample, factors) = task.Sample(RestartScoreBatch, scoreGenerator);
        factors.Dispose();
        return sample;
    }

    /// <summary>A restart attempt's score: the ELBO of its <paramref name="model"/> on <paramref name="data"/>, one sample per point.</summary>
    internal double RestartScore(VariationalAutoencoder model, Tensor data) =>
        Evaluator.Elbo(model, data, samples: 1, seed: Options.Seed + 4, batchSize: RestartScoreBatch);

    private void Train(int steps, IProgress<TrainingProgress>? progress, string? checkpointDirectory, CancellationToken cancellation)
    {
        Model.train();
        var clock = Stopwatch.StartNew();
        var firstStep = Step;
        var before = TrainingTime;
        var sums = new double[3];                                               // loss, log-likelihood, KL
        var counted = 0;
        while (Step < steps && !cancellation.IsCancellationRequested)
        {
            using (var scope = NewDisposeScope())
            {
                // On the CPU reading three numbers back costs no device sync, so every step is checked.
                var terms = TrainStep().data<double>().ToArray();
                CheckFinite(terms);
                for (var i = 0; i < sums.Length; i++) sums[i] += terms[i];
                counted++;
            }
            if (Step % Options.ReportEvery == 0 || Step == Options.Steps)
            {
                progress?.Report(new TrainingProgress(Step, Options.Steps, sums[0] / counted, sums[1] / counted, sums[2] / counted, clock.Elapsed, Step - firstStep)
                    { TrainingTime = before + clock.Elapsed });
                Array.Clear(sums);
                counted = 0;
            }
            if (checkpointDirectory is not null && Options.CheckpointEvery > 0 && Step % Options.CheckpointEvery == 0)
                Checkpoint.Save(checkpointDirectory, this);
        }
    }

    /// <summary>One optimiser step. Returns (loss, log-likelihood, KL) per point, float64.</summary>
    private Tensor TrainStep()
    {
        Step++;
        StepsRun++;
        var start = Stopwatch.GetTimestamp();
        var (optimizer, generator) = (current.Optimizer, current.Generator);
        optimizer.zero_grad();
        if (Options.FinalLearningRate is not null)
            foreach (var group in optimizer.ParamGroups) group.LearningRate = Options.LearningRateAt(Step);
        var (batch, _) = task.TrainingBatch(Step, Options.BatchSize, generator);
        var x = ComputeDevice.Move(batch, device);                            // the batch itself on the CPU
        var terms = Model.Terms(x, Options.Samples, current.NoiseGenerator, densities: false);
        var logLikelihood = terms.LogLikelihood.mean();
        var kl = terms.Kl.mean();
        var loss = KlWeight() * kl - logLikelihood;
        if (terms.RejectionCorrection is { } correction) loss -= correction;   // zero in value: the reported loss is unchanged
        var forward = Stopwatch.GetTimestamp();
        loss.backward();
        var backward = Stopwatch.GetTimestamp();
        optimizer.step();
        Timings.Add(forward - start, backward - forward, Stopwatch.GetTimestamp() - backward);
        return stack([loss, logLikelihood, kl]).detach().to_type(ScalarType.Float64);
    }

    /// <summary>A model, its optimiser and its data and noise generator from one seed.</summary>
    internal Start Initialise(long seed)
    {
        var model = createModel();
        using (var weights = new Generator((ulong)seed)) Initialisation.Draw(model, weights);
        if (model.Architecture.InitialPosteriorStd is { } std) model.SetInitialPosteriorStd(std);
        var architecture = model.Architecture;
        if (architecture.ActionHeadInit != ActionHeadInit.Drawn || architecture.ObservationInit != ObservationInit.Unit)
        {
            // Its own generator: the data and noise stream of training stays as without it.
            using var initGenerator = new Generator((ulong)seed + 2);
            var (x, factors) = task.Sample(InitialisationBatch, initGenerator);
            model.InitialiseActionHead(x, architecture.ActionHeadInit);
            if (architecture.ObservationInit == ObservationInit.Data) model.InitialiseObservationModel(x);
            x.Dispose();
            factors.Dispose();
        }
        if (device.type != DeviceType.CPU) model.MoveTo(device);
        // Data sources draw on the CPU; off the CPU the posterior noise needs a generator of its own on the device.
        var generator = new Generator((ulong)seed + 1);
        var noise = device.type == DeviceType.CPU ? generator : ComputeDevice.NewGenerator((ulong)seed + 1, device);
        return new Start(model, optim.Adam(model.parameters(), Options.LearningRate), generator, noise);
    }

    /// <summary>
    /// What one start of training owns: the model, its optimiser, its data generator (on the CPU, where data
    /// sources draw), and the generator of its posterior noise: the data generator itself on the CPU, one on
    /// the device off it, or a copy of its group's (a seed trained in a <see cref="SeedGroup"/>).
    /// </summary>
    internal sealed record Start(VariationalAutoencoder Model, Adam Optimizer, Generator Generator, Generator NoiseGenerator) : IDisposable
    {
        /// <summary>The noise generator (settable: a seed group gives its seeds a copy of its own).</summary>
        public Generator NoiseGenerator { get; set; } = NoiseGenerator;

        /// <summary>Whether the noise has a generator of its own, whose state a checkpoint keeps.</summary>
        public bool SeparateNoise => !ReferenceEquals(NoiseGenerator, Generator);

        public void Dispose()
        {
            Optimizer.Dispose();
            if (SeparateNoise) NoiseGenerator.Dispose();
            Generator.Dispose();
            Model.Dispose();
        }
    }

    /// <summary>Where training runs.</summary>
    internal Device Device => device;

    /// <summary>The start being trained.</summary>
    internal Start Current => current;

    /// <summary>Takes <paramref name="start"/> as the state at <paramref name="step"/> (a <see cref="SeedGroup"/> trained it), disposing the one it replaces unless it is the same.</summary>
    internal void Adopt(Start start, int step, RestartOutcome? restart = null)
    {
        if (!ReferenceEquals(start, current)) current.Dispose();
        current = start;
        Step = step;
        if (restart is not null) Restart = restart;
    }

    /// <summary>Counts steps a <see cref="SeedGroup"/> ran for this trainer and the wall time they took.</summary>
    internal void Credit(int steps, TimeSpan time)
    {
        StepsRun += steps;
        secondsBefore += time.TotalSeconds;
    }

    private double KlWeight() => KlWeightAt(Step);

    private void CheckFinite(double[] terms)
    {
        if (Divergence(Step, terms) is { } divergence) throw divergence;
    }

    /// <summary>The divergence of a step's (loss, log-likelihood, KL), naming a part before their sum, or null when all are finite.</summary>
    internal static TrainingDivergedException? Divergence(int step, ReadOnlySpan<double> terms)
    {
        string[] names = ["loss", "log-likelihood", "KL"];
        for (var i = terms.Length - 1; i >= 0; i--)
            if (!double.IsFinite(terms[i]))
                return new TrainingDivergedException(step, names[i], terms[i]);
        return null;
    }

    /// <summary>The data the trainer draws its batches from.</summary>
    internal IDataSource Task => task;

    /// <summary>The weight of the KL at <paramref name="step"/> (the warm-up).</summary>
    internal double KlWeightAt(int step) => Options.KlWarmupSteps <= 0 ? 1 : Math.Min(1.0, (double)step / Options.KlWarmupSteps);

    internal void SaveState(string directory)
    {
        Model.save(Path.Combine(directory, "model.bin"));
        current.Optimizer.save_state_dict(Path.Combine(directory, "optimizer.bin"));
        File.WriteAllBytes(Path.Combine(directory, "generator.bin"), current.Generator.get_state().data<byte>().ToArray());
        if (current.SeparateNoise)
        {
            using var noiseState = current.NoiseGenerator.get_state();
            File.WriteAllBytes(Path.Combine(directory, NoisePart), noiseState.cpu().data<byte>().ToArray());
        }
    }

    /// <summary>
    /// The checkpoint file of a separate noise generator's state (<see cref="Start.SeparateNoise"/>: off the
    /// CPU, or in a seed group); generator.bin stays the CPU data generator's.
    /// </summary>
    internal const string NoisePart = "noise.bin";

    internal void LoadState(string directory, int step, RestartOutcome? restart, double seconds, int stepsRun)
    {
        // The generator first: libtorch aborts the process on a state it rejects, so it is checked here.
        var generatorFile = Path.Combine(directory, "generator.bin");
        var bytes = File.ReadAllBytes(generatorFile);
        if (GeneratorStateProblem(bytes) is { } problem) throw new RunFileException(generatorFile, problem);
        var modelFile = Path.Combine(directory, "model.bin");
        var optimizerFile = Path.Combine(directory, "optimizer.bin");
        Load(modelFile, "this run's model weights", () => Model.load(modelFile));
        Load(optimizerFile, "this run's optimiser state", () => current.Optimizer.load_state_dict(optimizerFile));
        // Adam counts its steps: state.json's step must be the one the weights were saved at.
        var adamStep = current.Optimizer.state_dict().State.OfType<Adam.State>().Select(s => s.step).DefaultIfEmpty(0).Max();
        if (step > 0 && adamStep != step)
            throw new RunFileException(Path.Combine(directory, "state.json"), $"records step {step}, but the optimiser state in {optimizerFile} is at step {adamStep}");
        var noiseFile = Path.Combine(directory, NoisePart);
        var noiseBytes = File.Exists(noiseFile) ? File.ReadAllBytes(noiseFile) : null;
        // A CPU noise state is checked as generator.bin is; a device generator's has another layout.
        if (noiseBytes is not null && device.type == DeviceType.CPU && GeneratorStateProblem(noiseBytes) is { } noiseProblem) throw new RunFileException(noiseFile, noiseProblem);
        using var state = tensor(bytes);
        current.Generator.set_state(state);
        if (noiseBytes is not null)
        {
            // On the CPU a separate noise state is a seed group's: the noise gets its own generator again.
            if (!current.SeparateNoise) current.NoiseGenerator = new Generator(0);
            using var noiseState = tensor(noiseBytes);
            current.NoiseGenerator.set_state(noiseState);
        }
        else if (current.SeparateNoise && device.type == DeviceType.CPU)
        {
            current.NoiseGenerator.Dispose();
            current.NoiseGenerator = current.Generator;
        }
        Restart = restart;
        Step = step;
        (secondsBefore, stepsRunBefore) = (seconds, stepsRun);
    }

    private static void Load(string file, string what, Action load)
    {
        try
        {
            load();
        }
        catch (Exception error) when (error is not (OutOfMemoryException or RunFileException))
        {
            throw new RunFileException(file, $"cannot be read as {what} ({System.Text.RegularExpressions.Regex.Replace(error.Message, @"\s+", " ")})", error);
        }
    }

    /// <summary>Why libtorch's CPU generator would refuse <paramref name="state"/>, or null (its length and mt19937 fields as libtorch checks them).</summary>
    private string? GeneratorStateProblem(byte[] state)
    {
        using var own = current.Generator.get_state();
        var expected = own.NumberOfElements;
        if (state.Length != expected) return $"has {state.Length:N0} bytes, but a generator state has {expected:N0}";
        // CPUGeneratorImplStateLegacy: left (int) at 8, seeded (int) at 12, next (uint64) at 16.
        var left = BitConverter.ToInt32(state, 8);
        var seeded = BitConverter.ToInt32(state, 12);
        var next = BitConverter.ToUInt64(state, 16);
        return seeded == 1 && left is > 0 and <= 624 && (uint)next <= 624 ? null : "is not a valid mt19937 generator state";
    }

    /// <inheritdoc />
    public void Dispose() => current.Dispose();
}
