using System.Diagnostics;
using ManifoldKit.Data;
using ManifoldKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Training;

/// <summary>
/// Trains a <see cref="VariationalAutoencoder"/> on fresh task samples with Adam. Every step runs in
/// its own dispose scope; one generator drives data and posterior noise, so a run repeats exactly on
/// the same machine and thread count, and a checkpoint (weights, Adam state, step, generator state)
/// resumes to the same result as an uninterrupted run.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ToyTask task;
    private readonly Adam optimizer;
    private readonly Generator generator;

    /// <summary>Prepares training; seeds the global generator and builds the model from <paramref name="createModel"/>.</summary>
    public Trainer(Func<VariationalAutoencoder> createModel, ToyTask task, TrainingOptions options)
    {
        Options = options;
        this.task = task;
        manual_seed(options.Seed);
        Model = createModel();
        if (Model.Architecture.CentreActionHead)
        {
            // Its own generator: the data and noise stream of training stays as without it.
            using var initGenerator = new Generator((ulong)options.Seed + 2);
            var (x, factors) = task.Sample(1024, initGenerator);
            Model.CentreActionHead(x);
            x.Dispose();
            factors.Dispose();
        }
        optimizer = optim.Adam(Model.parameters(), options.LearningRate);
        generator = new Generator((ulong)options.Seed + 1);
    }

    /// <summary>The model being trained.</summary>
    public VariationalAutoencoder Model { get; }

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
    public void Run(IProgress<TrainingProgress>? progress = null, string? checkpointDirectory = null, CancellationToken cancellation = default)
    {
        Model.train();
        var clock = Stopwatch.StartNew();
        var sums = new double[3];                                               // loss, log-likelihood, KL
        var counted = 0;
        while (Step < Options.Steps && !cancellation.IsCancellationRequested)
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
                progress?.Report(new TrainingProgress(Step, Options.Steps, sums[0] / counted, sums[1] / counted, sums[2] / counted, clock.Elapsed));
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
        var start = Stopwatch.GetTimestamp();
        optimizer.zero_grad();
        if (Options.FinalLearningRate is not null)
            foreach (var group in optimizer.ParamGroups) group.LearningRate = Options.LearningRateAt(Step);
        var (x, _) = task.Sample(Options.BatchSize, generator);
        var terms = Model.Terms(x, Options.Samples, generator, densities: false);
        var logLikelihood = terms.LogLikelihood.mean();
        var kl = terms.Kl.mean();
        var loss = KlWeight() * kl - logLikelihood;
        var forward = Stopwatch.GetTimestamp();
        loss.backward();
        var backward = Stopwatch.GetTimestamp();
        optimizer.step();
        Timings.Add(forward - start, backward - forward, Stopwatch.GetTimestamp() - backward);
        return stack([loss, logLikelihood, kl]).detach().to_type(ScalarType.Float64);
    }

    private double KlWeight() => Options.KlWarmupSteps <= 0 ? 1 : Math.Min(1.0, (double)Step / Options.KlWarmupSteps);

    private void CheckFinite(double[] terms)
    {
        string[] names = ["loss", "log-likelihood", "KL"];
        for (var i = terms.Length - 1; i >= 0; i--)                            // the parts before their sum
            if (!double.IsFinite(terms[i]))
                throw new TrainingDivergedException(Step, names[i], terms[i]);
    }

    internal void SaveState(string directory)
    {
        Model.save(Path.Combine(directory, "model.bin"));
        optimizer.save_state_dict(Path.Combine(directory, "optimizer.bin"));
        File.WriteAllBytes(Path.Combine(directory, "generator.bin"), generator.get_state().data<byte>().ToArray());
    }

    internal void LoadState(string directory, int step)
    {
        Model.load(Path.Combine(directory, "model.bin"));
        optimizer.load_state_dict(Path.Combine(directory, "optimizer.bin"));
        using var state = tensor(File.ReadAllBytes(Path.Combine(directory, "generator.bin")));
        generator.set_state(state);
        Step = step;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        generator.Dispose();
        Model.Dispose();
    }
}
