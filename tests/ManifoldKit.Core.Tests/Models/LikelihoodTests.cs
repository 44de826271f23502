using FsCheck.Xunit;
using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using ManifoldKit.Training;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary><c>architecture.likelihood</c>: the Gaussian and Bernoulli observation models, alone and in a VAE.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 30)]
public sealed class LikelihoodTests
{
    private static readonly Circle Circle = new();
    private static readonly ArchitectureOptions Bernoulli = new() { Likelihood = "bernoulli" };

    /// <summary>Binary data from the circle task: each toy dimension thresholded at 0 (the toy data are real-valued).</summary>
    private static Tensor Binary(ToyTask task, long count, Generator generator)
    {
        var (x, factors) = task.Sample(count, generator);
        factors.Dispose();
        return (x > 0).to_type(ScalarType.Float32);
    }

    /// <summary>In float64, for logits in [−12, 12] and binary or fractional x, it equals Σ x log p + (1 − x) log(1 − p), p = 1/(1 + e^−l).</summary>
    [Property]
    public void Bernoulli_EqualsTheDirectFormula(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var logits = 24 * rand([3, 5, 20], dtype: ScalarType.Float64, generator: generator) - 12;
        var binary = (rand([5, 20], dtype: ScalarType.Float64, generator: generator) < 0.5).to_type(ScalarType.Float64);
        var fractional = rand([5, 20], dtype: ScalarType.Float64, generator: generator);
        var p = 1 / (1 + (-logits).exp());
        foreach (var x in new[] { binary, fractional })
        {
            var direct = (x * p.log() + (1 - x) * (1 - p).log()).sum(-1);
            var actual = new BernoulliLikelihood().LogProb(x, logits);
            Assert.Equal(new long[] { 3, 5 }, actual.shape);
            TensorAssert.Close(actual, direct, 1e-9, "log p(x|l)");
        }
    }

    /// <summary>
    /// For binary x it is ≤ 0, grows as the logits move towards the side x is on, is 0 at logits ±1e4
    /// matching x, and stays finite in float32 at logits of ±1e30.
    /// </summary>
    [Property]
    public void Bernoulli_IsAtMostZero_AndMaximisedAtInfiniteLogitsMatchingX(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var likelihood = new BernoulliLikelihood();
        var logits = 8 * randn([4, 6, 30], dtype: ScalarType.Float64, generator: generator);
        var x = (rand([6, 30], dtype: ScalarType.Float64, generator: generator) < 0.3).to_type(ScalarType.Float64);
        var sign = 2 * x - 1;
        var at = likelihood.LogProb(x, logits);
        Assert.True((at <= 0).all().item<bool>(), "a log-likelihood is above 0");
        var towards = likelihood.LogProb(x, logits + sign * rand(logits.shape, dtype: ScalarType.Float64, generator: generator));
        Assert.True((towards > at).all().item<bool>(), "moving the logits towards x did not raise the log-likelihood");
        Assert.True((likelihood.LogProb(x, (1e4 * sign).expand_as(logits)) == 0).all().item<bool>(), "not 0 at logits ±1e4 matching x");
        var huge = likelihood.LogProb(x.to_type(ScalarType.Float32), (1e30 * (rand([4, 6, 30], generator: generator) - 0.5)).to_type(ScalarType.Float32));
        Assert.True(isfinite(huge).all().item<bool>(), "not finite at logits of ±1e30");
    }

    /// <summary>The Gaussian family gives Σ_d log N(x_d; output_d, σ_d²), up to float32 rounding.</summary>
    [Property]
    public void Gaussian_IsTheNormalLogDensity(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        var likelihood = new GaussianLikelihood(20);
        var logScale = likelihood.Parameters.Single(p => p.Name == "logScale").Parameter;
        using (no_grad()) logScale.copy_(randn([20], generator: generator));
        var x = randn([7, 20], generator: generator);
        var mean = randn([3, 7, 20], generator: generator);
        // Σ_d log N(x_d; mean_d, σ_d²), term by term in float64.
        var (x64, mean64, logScale64) = (x.to_type(ScalarType.Float64), mean.to_type(ScalarType.Float64), logScale.detach().to_type(ScalarType.Float64));
        var terms = -0.5 * ((x64 - mean64) / logScale64.exp()).square() - logScale64 - 0.5 * Math.Log(2 * Math.PI);
        var expected = terms.sum(-1);
        var actual = likelihood.LogProb(x, mean).to_type(ScalarType.Float64);
        Assert.Equal(expected.shape, actual.shape);
        // float32 rounding: each of the 20 terms and their sum within a few units of 2⁻²⁴ of the terms' magnitude.
        var tolerance = 1e-5 * terms.abs().sum(-1);
        Assert.True(((actual - expected).abs() <= tolerance).all().item<bool>(), "the Gaussian log-likelihood is off the normal log density");
    }

    /// <summary>
    /// A Gaussian model's parameters keep the names and order of the model before the family existed
    /// (checkpoints hold them so: Adam's state is by position); a Bernoulli model has no log σ.
    /// </summary>
    [Fact]
    public void Parameters_GaussianAsBefore_BernoulliWithoutLogScale()
    {
        using var gaussian = new VariationalAutoencoder(LatentSpace.Euclidean(2));
        using var bernoulli = new VariationalAutoencoder(LatentSpace.Euclidean(2), Bernoulli);
        string[] network = ["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias", "posteriorHead.weight", "posteriorHead.bias",
            "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias", "decoder.4.weight", "decoder.4.bias"];
        Assert.Equal(["logScale", .. network], gaussian.named_parameters().Select(p => p.name));
        Assert.Equal(network, bernoulli.named_parameters().Select(p => p.name));
        Assert.Equal(("gaussian", "bernoulli"), (gaussian.Likelihood.Name, bernoulli.Likelihood.Name));
    }

    /// <summary>
    /// observation_init: data for Bernoulli: every sample's log-likelihood is that of the per-dimension
    /// Bernoulli at the batch's mean, clamped to [0.001, 0.999] (a dimension never on, one always on).
    /// </summary>
    [Property(MaxTest = 5)]
    public void Bernoulli_DataInit_IsTheFitThatIgnoresZ(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var generator = seed.Generator();
        using var task = new ToyTask(Circle, dataSeed: seed.Value % 100);
        var x = Binary(task, 256, generator);
        x[.., 0].fill_(0);
        x[.., 1].fill_(1);
        using var model = new VariationalAutoencoder(LatentSpace.Euclidean(2), Bernoulli);
        Initialisation.Draw(model, generator);
        model.InitialiseObservationModel(x);
        var m = x.mean([0L]).to_type(ScalarType.Float64).clamp(BernoulliLikelihood.MeanClamp, 1 - BernoulliLikelihood.MeanClamp);
        var expected = (x * m.log() + (1 - x) * (1 - m).log()).sum(-1);
        using (no_grad())
        {
            var terms = model.Terms(x, 4, generator, densities: false);
            TensorAssert.Close(terms.LogLikelihood.to_type(ScalarType.Float64), expected.expand(4, -1), 1e-3, "log p(x|z) after observation_init: data");
        }
    }

    /// <summary>
    /// A Bernoulli VAE (Euclidean and circle latents) trains with Adam on binary data: the ELBO of a
    /// fixed batch is finite and rises within 100 steps.
    /// </summary>
    [Fact]
    public void Bernoulli_Vae_TrainsOnBinaryData()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        using var generator = new Generator(3);
        var test = Binary(task, 500, generator);
        foreach (var latent in new[] { LatentSpace.Euclidean(2), LatentSpace.Manifold("circle", Circle.ExactEmbedding) })
        {
            using var model = new VariationalAutoencoder(latent, Bernoulli);
            Initialisation.Draw(model, generator);
            var before = Evaluator.Elbo(model, test, 10, 0);
            using var optimizer = optim.Adam(model.parameters(), 1e-3);
            for (var step = 0; step < 100; step++)
            {
                using var stepScope = NewDisposeScope();
                var terms = model.Terms(Binary(task, 128, generator), 1, generator, densities: false);
                optimizer.zero_grad();
                (-terms.Elbo.mean()).backward();
                optimizer.step();
            }
            var after = Evaluator.Elbo(model, test, 10, 0);
            Assert.True(double.IsFinite(before) && double.IsFinite(after), $"{latent.Name}: ELBO {before} → {after}");
            Assert.True(after > before + 5, $"{latent.Name}: ELBO went from {before:F2} to {after:F2} in 100 steps");
        }
    }

    /// <summary>
    /// For both likelihoods (Gaussian on the toy data, Bernoulli on them thresholded), on average over
    /// test points IWAE_100 ≥ ELBO within 5 standard errors of the per-point differences; both finite.
    /// </summary>
    [Property(MaxTest = 6)]
    public void Iwae_IsAboveElbo_ForEitherLikelihood(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle, dataSeed: seed.Value % 100);
        using var generator = seed.Generator();
        var (real, _) = task.Sample(200, generator);
        foreach (var (name, x) in new[] { ("gaussian", real), ("bernoulli", Binary(task, 200, generator)) })
        {
            using var model = new VariationalAutoencoder(LatentSpace.Manifold("circle", Circle.ExactEmbedding), new ArchitectureOptions { Likelihood = name });
            Initialisation.Draw(model, generator);
            var elbo = Evaluator.PerPoint(model, x, 10, seed.Value, 100, t => t.Elbo);
            var iwae = Evaluator.PerPoint(model, x, 100, seed.Value + 1, 100, t => t.Iwae);
            Assert.True(isfinite(elbo).all().item<bool>() && isfinite(iwae).all().item<bool>(), $"{name}: a bound is not finite");
            var difference = Statistic.Of(iwae - elbo);
            Assert.True(difference.Mean >= -difference.Tolerance, $"{name}: IWAE − ELBO is {difference}");
        }
    }

    /// <summary>
    /// A Bernoulli model's checkpoint: stopping at step 20 and resuming ends with exactly the weights of an
    /// uninterrupted 40-step run, and the saved weights load into a fresh Bernoulli model. (The trainer
    /// draws from the toy tasks, so x is real-valued here: the parameters and their round trip are the point.)
    /// </summary>
    [Fact]
    public void Bernoulli_Checkpoint_RoundTrips()
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        var latent = LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry);
        var options = new TrainingOptions { Steps = 40, Seed = 5, CheckpointEvery = 20 };
        var architecture = Bernoulli with { ObservationInit = ObservationInit.Data };
        var directory = Directory.CreateTempSubdirectory("mk-bernoulli").FullName;
        try
        {
            using var straight = new Trainer(() => new VariationalAutoencoder(latent, architecture), task, options);
            straight.Run();
            using (var interrupted = new Trainer(() => new VariationalAutoencoder(latent, architecture), task, options with { Steps = 20 }))
                interrupted.Run(checkpointDirectory: directory);
            using var resumed = new Trainer(() => new VariationalAutoencoder(latent, architecture), task, options);
            Assert.Equal(20, Checkpoint.Load(directory, resumed));
            resumed.Run();

            var expected = straight.Model.parameters().ToArray();
            var actual = resumed.Model.parameters().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
                Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i} differs after resuming");

            var file = Path.Combine(directory, "model-40.bin");
            resumed.Model.save(file);
            using var fresh = new VariationalAutoencoder(latent, architecture);
            fresh.load(file);
            var x = task.TestSet(100).X;
            Assert.Equal(Evaluator.Elbo(resumed.Model, x, 10, 0), Evaluator.Elbo(fresh, x, 10, 0));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Bernoulli with a toy task (real-valued data) is refused at validation, naming the key; an unknown name too.</summary>
    [Fact]
    public void Bernoulli_WithAToyTask_IsRefused()
    {
        var spec = new ExperimentSpec { Architecture = Bernoulli };
        var error = Assert.Throws<ExperimentException>(spec.Validate);
        Assert.Equal("architecture.likelihood", error.Key);
        Assert.Equal("architecture.likelihood is bernoulli, which models data in [0, 1], but task 'circle' gives real-valued data; use architecture.likelihood: gaussian.", error.Message);

        var unknown = Assert.Throws<ExperimentException>(new ExperimentSpec { Architecture = new ArchitectureOptions { Likelihood = "poisson" } }.Validate);
        Assert.Equal(("architecture.likelihood", "architecture.likelihood is 'poisson'; expected one of: gaussian, bernoulli."), (unknown.Key, unknown.Message));
        new ExperimentSpec().Validate();
    }
}
