using System.Diagnostics;
using System.Globalization;
using ManifoldKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Training;

/// <summary>
/// Trains the seeds of one config together, as one <see cref="StackedAutoencoder"/> with one Adam step
/// for all, and the attempts of their restart phases likewise. Each seed keeps what its
/// <see cref="Trainer"/> keeps alone: initialisation and data from its own seed, its NaN guard (a seed
/// that diverges leaves the group and the others go on), its restart choice, KL warm-up and learning
/// rate, checkpoints, reports and result. A group of one seed without restarts is that seed's
/// <see cref="Trainer.Run"/> to the bit; in a larger group the posterior noise comes from the group's
/// generator, so a seed's numbers depend on its group only as another noise stream would change them.
/// </summary>
public sealed class SeedGroup
{
    /// <summary>Added to the first member's seed for the group's noise generator (the seed's own use + 0 … + 4).</summary>
    public const long NoiseSeedOffset = 5;

    /// <summary>A seed of the group: its trainer (built and, when resuming, loaded), where its reports go, and its run directory for checkpoints.</summary>
    /// <param name="Trainer">The seed's trainer; its state is the group's at the end.</param>
    /// <param name="Progress">Its reports, as <see cref="Trainer.Run"/> makes them.</param>
    /// <param name="CheckpointDirectory">Where its checkpoints go, or null for none.</param>
    public sealed record Member(Trainer Trainer, IProgress<TrainingProgress>? Progress = null, string? CheckpointDirectory = null);

    /// <summary>Wall time spent in each phase of the group's steps.</summary>
    public StepTimings Timings { get; } = new();

    /// <summary>Optimiser steps of the group model run so far (each advances every member).</summary>
    public int StepsRun { get; private set; }

    /// <summary>Member-steps run so far: each step counts once per member trained in it.</summary>
    public long MemberStepsRun { get; private set; }

    /// <summary>
    /// Trains every member to its <see cref="TrainingOptions.Steps"/> (or until cancelled, each member then
    /// at the same step, ready for a checkpoint). Members whose trainers stand at different steps (a group
    /// stopped between two members' checkpoints) train as separate groups, one after the other.
    /// </summary>
    /// <returns>Each member's divergence, or null where it trained to the end (or was cancelled).</returns>
    /// <exception cref="ArgumentException">The members' settings differ in more than their seed.</exception>
    public IReadOnlyList<TrainingDivergedException?> Run(IReadOnlyList<Member> members, CancellationToken cancellation = default, Action<string>? log = null)
    {
        var options = members[0].Trainer.Options with { Seed = 0 };
        if (members.Any(m => m.Trainer.Options with { Seed = 0 } != options))
            throw new ArgumentException("the members of a seed group must share every training setting but the seed", nameof(members));
        var failures = new TrainingDivergedException?[members.Count];
        foreach (var part in members.Select((member, index) => new Slot(member, index, member.Trainer.Current)).GroupBy(s => s.Member.Trainer.Step).OrderBy(g => g.Key))
        {
            var slots = part.ToList();
            if (part.Key == 0 && options.Restarts > 1) slots = RestartPhase(slots, failures, cancellation, log);
            if (slots.Count == 0 || cancellation.IsCancellationRequested) continue;
            Train(slots, options.Steps, checkpoints: true, cancellation);
            foreach (var slot in slots) failures[slot.Index] = slot.Failure;
        }
        return failures;
    }

    /// <summary>One model of the group: whose, and the start it trains.</summary>
    private sealed class Slot(Member member, int index, Trainer.Start start)
    {
        public Member Member { get; } = member;

        public int Index { get; } = index;

        public Trainer.Start Start { get; } = start;

        public Trainer Trainer => Member.Trainer;

        public long Seed { get; init; } = member.Trainer.Options.Seed;

        public List<TrainingProgress>? Buffer { get; init; }

        public TrainingDivergedException? Failure { get; set; }

        public int Attempt { get; init; }

        public void Report(TrainingProgress p)
        {
            if (Buffer is not null) Buffer.Add(p);
            else Member.Progress?.Report(p);
        }
    }

    /// <summary>
    /// Every member's attempts trained as one group for the restart phase, then each member goes on with its
    /// best (by ELBO on its shared batch of fresh task data), as <see cref="Trainer"/> chooses alone.
    /// </summary>
    private List<Slot> RestartPhase(List<Slot> members, TrainingDivergedException?[] failures, CancellationToken cancellation, Action<string>? log)
    {
        var options = members[0].Trainer.Options;
        var length = Math.Min(options.RestartSteps, options.Steps);
        var attempts = members.SelectMany(m => Enumerable.Range(0, options.Restarts).Select(r => new Slot(m.Member, m.Index,
            m.Trainer.Initialise(m.Seed + r * Trainer.RestartSeedStride)) { Buffer = [], Attempt = r })).ToList();
        log?.Invoke($"restart phase: {attempts.Count} attempts ({members.Count} seeds × {options.Restarts}) trained together for {length} steps");
        var clock = Stopwatch.StartNew();
        Train(attempts, length, checkpoints: false, cancellation);
        var chosen = new List<Slot>();
        foreach (var member in members)
        {
            var own = attempts.Where(a => a.Index == member.Index).ToList();
            if (cancellation.IsCancellationRequested)
            {
                foreach (var attempt in own) attempt.Start.Dispose();
                continue;
            }
            using var scoreData = member.Trainer.RestartScoreData();
            var scores = own.Select(a => a.Failure is null ? member.Trainer.RestartScore(a.Start.Model, scoreData) : double.NaN).ToArray();
            var best = -1;
            for (var r = 0; r < scores.Length; r++)
            {
                var label = $"seed {member.Seed} restart {r + 1}/{options.Restarts}";
                log?.Invoke(own[r].Failure is { } failure
                    ? $"{label}: diverged at step {failure.Step} ({failure.Term} not finite); discarded"
                    : string.Create(CultureInfo.InvariantCulture, $"{label}: ELBO {scores[r]:F2} on {Trainer.RestartScoreBatch} fresh points after {length} steps"));
                if (own[r].Failure is null && (best < 0 || scores[r] > scores[best])) best = r;
            }
            for (var r = 0; r < own.Count; r++)
                if (r != best) own[r].Start.Dispose();
            if (best < 0)
            {
                failures[member.Index] = own[^1].Failure;                      // every start diverged
                continue;
            }
            member.Trainer.Adopt(own[best].Start, length, new RestartOutcome(best, scores, length));
            member.Trainer.Credit(own.Count * length, clock.Elapsed);
            log?.Invoke($"seed {member.Seed} restart: going on with attempt {best + 1} (seed {member.Seed + best * Trainer.RestartSeedStride})");
            foreach (var report in own[best].Buffer!) member.Member.Progress?.Report(report);
            chosen.Add(new Slot(member.Member, member.Index, own[best].Start));
        }
        return chosen;
    }

    /// <summary>
    /// Trains the slots together up to <paramref name="length"/> steps, dropping any that diverges; at the end
    /// (and at each checkpoint) the stacked state is written back into each slot's start.
    /// </summary>
    private void Train(List<Slot> slots, int length, bool checkpoints, CancellationToken cancellation)
    {
        var options = slots[0].Trainer.Options;
        var step = slots[0].Trainer.Step;
        var firstStep = step;
        var clock = Stopwatch.StartNew();
        var before = slots.ToDictionary(s => s, s => s.Trainer.TrainingTime);
        var sums = slots.ToDictionary(s => s, _ => new double[3]);
        var counted = 0;
        var credited = (Step: step, Time: TimeSpan.Zero);
        // One seed draws its noise from its own generator, as alone; a group shares one, kept in each checkpoint.
        using var shared = slots.Count > 1 ? SharedNoise(slots) : null;
        var device = slots[0].Trainer.Device;
        var (model, optimizer) = Stack(slots, options);
        try
        {
            while (step < length && !cancellation.IsCancellationRequested)
            {
                double[] values;
                using (NewDisposeScope())
                {
                    step++;
                    StepsRun++;
                    MemberStepsRun += slots.Count;
                    var start = Stopwatch.GetTimestamp();
                    optimizer.zero_grad();
                    if (options.FinalLearningRate is not null)
                        foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRateAt(step);
                    var x = ComputeDevice.Move(stack(slots.Select(s => s.Trainer.Task.TrainingBatch(step, options.BatchSize, s.Start.Generator).X), 0), device);
                    var (logLikelihood, kl, correction) = model.Terms(x, options.Samples, shared ?? slots[0].Start.NoiseGenerator);
                    var loss = slots[0].Trainer.KlWeightAt(step) * kl - logLikelihood;
                    var objective = correction is null ? loss : loss - correction;         // zero in value: the reported loss is unchanged
                    var forward = Stopwatch.GetTimestamp();
                    objective.sum().backward();
                    var backward = Stopwatch.GetTimestamp();
                    optimizer.step();
                    Timings.Add(forward - start, backward - forward, Stopwatch.GetTimestamp() - backward);
                    values = stack([loss, logLikelihood, kl], 1).detach().to_type(ScalarType.Float64).data<double>().ToArray();
                }
                counted++;
                var dropped = false;
                for (var m = 0; m < slots.Count; m++)
                {
                    var terms = values.AsSpan(3 * m, 3);
                    if (Trainer.Divergence(step, terms) is { } divergence)
                    {
                        slots[m].Failure = divergence;
                        dropped = true;
                    }
                    for (var i = 0; i < 3; i++) sums[slots[m]][i] += terms[i];
                }
                if (step % options.ReportEvery == 0 || step == options.Steps)
                {
                    foreach (var slot in slots.Where(s => s.Failure is null))
                    {
                        var sum = sums[slot];
                        slot.Report(new TrainingProgress(step, options.Steps, sum[0] / counted, sum[1] / counted, sum[2] / counted, clock.Elapsed, step - firstStep)
                            { TrainingTime = before[slot] + clock.Elapsed });
                        Array.Clear(sum);
                    }
                    counted = 0;
                }
                if (dropped)
                {
                    // The others' state goes on unchanged: write it back, and stack the group again without the diverged.
                    CopyBack(model, optimizer, slots, shared, step, ref credited, clock.Elapsed);
                    model.Dispose();
                    optimizer.Dispose();
                    slots = [.. slots.Where(s => s.Failure is null)];
                    if (slots.Count == 0) return;
                    (model, optimizer) = Stack(slots, options);
                }
                if (checkpoints && options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
                {
                    CopyBack(model, optimizer, slots, shared, step, ref credited, clock.Elapsed);
                    foreach (var slot in slots)
                        if (slot.Member.CheckpointDirectory is { } directory) Checkpoint.Save(directory, slot.Trainer);
                }
            }
            CopyBack(model, optimizer, slots, shared, step, ref credited, clock.Elapsed);
        }
        finally
        {
            model.Dispose();
            optimizer.Dispose();
        }
    }

    /// <summary>The group's noise generator: the state its first seed's checkpoint kept, or a new one from that seed.</summary>
    private static Generator SharedNoise(List<Slot> slots)
    {
        var (first, device) = (slots[0].Start, slots[0].Trainer.Device);
        if (!first.SeparateNoise) return ComputeDevice.NewGenerator((ulong)(slots[0].Seed + slots[0].Attempt * Trainer.RestartSeedStride + NoiseSeedOffset), device);
        var generator = ComputeDevice.NewGenerator(0, device);
        using var state = first.NoiseGenerator.get_state();
        generator.set_state(state);
        return generator;
    }

    /// <summary>The slots' models stacked, and an Adam over the stack holding their optimisers' state.</summary>
    private static (StackedAutoencoder, Adam) Stack(List<Slot> slots, TrainingOptions options)
    {
        var model = new StackedAutoencoder([.. slots.Select(s => s.Start.Model)]);
        var optimizer = optim.Adam(model.Parameters, options.LearningRate);
        var target = optimizer.state_dict().State.Cast<Adam.State>().ToList();
        var sources = slots.Select(s => s.Start.Optimizer.state_dict().State.Cast<Adam.State>().ToList()).ToList();
        using var noGrad = no_grad();
        for (var i = 0; i < target.Count; i++)
        {
            target[i].step = sources[0][i].step;
            target[i].exp_avg.copy_(stack(sources.Select(s => s[i].exp_avg), 0));
            target[i].exp_avg_sq.copy_(stack(sources.Select(s => s[i].exp_avg_sq), 0));
        }
        return (model, optimizer);
    }

    /// <summary>Writes the stacked weights, Adam state and noise state back into each slot and brings its trainer to <paramref name="step"/>.</summary>
    private static void CopyBack(StackedAutoencoder model, Adam optimizer, List<Slot> slots, Generator? shared, int step,
        ref (int Step, TimeSpan Time) credited, TimeSpan elapsed)
    {
        model.CopyTo([.. slots.Select(s => s.Start.Model)]);
        var source = optimizer.state_dict().State.Cast<Adam.State>().ToList();
        using (no_grad())
            for (var m = 0; m < slots.Count; m++)
            {
                var target = slots[m].Start.Optimizer.state_dict().State.Cast<Adam.State>().ToList();
                for (var i = 0; i < target.Count; i++)
                {
                    target[i].step = source[i].step;
                    target[i].exp_avg.copy_(source[i].exp_avg[m]);
                    target[i].exp_avg_sq.copy_(source[i].exp_avg_sq[m]);
                }
            }
        if (shared is not null)
        {
            using var state = shared.get_state();
            foreach (var slot in slots)
            {
                if (!slot.Start.SeparateNoise) slot.Start.NoiseGenerator = ComputeDevice.NewGenerator(0, slots[0].Trainer.Device);
                slot.Start.NoiseGenerator.set_state(state);
            }
        }
        foreach (var slot in slots)
        {
            if (slot.Buffer is not null) continue;                             // an attempt: its trainer adopts it once chosen
            slot.Trainer.Adopt(slot.Start, step);
            slot.Trainer.Credit(step - credited.Step, elapsed - credited.Time);
        }
        credited = (step, elapsed);
    }
}
