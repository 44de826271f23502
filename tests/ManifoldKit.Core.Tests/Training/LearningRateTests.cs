using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using ManifoldKit.Training;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Training;

[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 50)]
public sealed class LearningRateTests
{
    /// <summary>
    /// The cosine schedule starts at the learning rate, ends at the final one, never increases and
    /// never leaves the interval between them; without a final rate it is constant.
    /// </summary>
    [Property]
    public void CosineSchedule_RunsFromTheRateToTheFinalRate(Seed seed)
    {
        var random = new Random(seed.Value);
        var (rate, final, steps) = (Math.Pow(10, -4 * random.NextDouble()), 0.0, random.Next(2, 20_000));
        final = rate * random.NextDouble();
        var options = new TrainingOptions { LearningRate = rate, FinalLearningRate = final, Steps = steps };
        Assert.Equal(rate, options.LearningRateAt(1), 12);
        Assert.Equal(final, options.LearningRateAt(steps), 12);
        var previous = double.PositiveInfinity;
        foreach (var step in Enumerable.Range(1, 200).Select(i => 1 + (long)(steps - 1) * i / 200).Prepend(1))
        {
            var value = options.LearningRateAt((int)step);
            Assert.InRange(value, final - 1e-15, rate + 1e-15);
            Assert.True(value <= previous + 1e-15, $"the rate rose at step {step}");
            previous = value;
        }
        Assert.Equal(rate, new TrainingOptions { LearningRate = rate, Steps = steps }.LearningRateAt(random.Next(1, steps)));
    }

    /// <summary>
    /// With decay steps d, the rate is constant until the last d steps and then follows the same cosine
    /// as a whole-run decay of d steps would, shifted to the end.
    /// </summary>
    [Property]
    public void DecaySteps_ConfineTheCosineToTheLastSteps(Seed seed)
    {
        var random = new Random(seed.Value);
        var (rate, steps) = (Math.Pow(10, -4 * random.NextDouble()), random.Next(2, 20_000));
        var (final, decay) = (rate * random.NextDouble(), random.Next(1, steps + 1));
        var options = new TrainingOptions { LearningRate = rate, FinalLearningRate = final, Steps = steps, DecaySteps = decay };
        var alone = options with { Steps = decay, DecaySteps = null };
        for (var i = 0; i < 50; i++)
        {
            var step = random.Next(1, steps + 1);
            var expected = step <= steps - decay ? rate : decay == 1 ? final : alone.LearningRateAt(step - (steps - decay));
            Assert.Equal(expected, options.LearningRateAt(step), 12);
        }
        Assert.Equal(final, options.LearningRateAt(steps), 12);
        Assert.Equal(decay == 1 ? final : rate, options.LearningRateAt(steps - decay + 1), 12);
        var anyStep = random.Next(1, steps + 1);                               // longer than the run: the whole run
        Assert.Equal((options with { DecaySteps = null }).LearningRateAt(anyStep), (options with { DecaySteps = steps + 5 }).LearningRateAt(anyStep), 12);
    }

    /// <summary>
    /// The trainer hands the schedule to Adam: with a final rate of 0, the last step leaves every
    /// weight as it was (and the steps before it do not).
    /// </summary>
    [Fact]
    public void Trainer_AppliesTheScheduleToTheOptimiser()
    {
        using var scope = NewDisposeScope();
        var circle = new Circle();
        using var task = new ToyTask(circle);
        double[] Weights(Trainer t) => t.Model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray().Select(v => (double)v)).ToArray();
        using var trainer = new Trainer(() => new VariationalAutoencoder(LatentSpace.Euclidean(1)), task,
            new TrainingOptions { Steps = 3, FinalLearningRate = 0, ReportEvery = 1 });
        var start = Weights(trainer);
        using var stop = new CancellationTokenSource();
        trainer.Run(new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 2) stop.Cancel(); }), cancellation: stop.Token);
        Assert.Equal(2, trainer.Step);
        var afterTwo = Weights(trainer);
        Assert.NotEqual(start, afterTwo);
        trainer.Run();
        Assert.Equal(3, trainer.Step);
        Assert.Equal(afterTwo, Weights(trainer));
    }
}
