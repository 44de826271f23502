using FsCheck.Xunit;
using ManifoldKit.Distributions;
using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Data;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ManifoldKit.Core.Tests.Models;

/// <summary>Product latents: the KL, the metric, the decoder input and the actions factor by factor, and a one-factor product is its factor.</summary>
[Properties(Arbitrary = [typeof(ManifoldArbitraries)], MaxTest = 6, Replay = "(8765432,1234577)")]
public sealed class ProductLatentTests
{
    private static readonly Circle Circle = new();
    private static readonly Sphere Sphere = new();
    private static readonly SpecialOrthogonal3 So3 = new();

    // Families of every layout: two parameters per coordinate (beta, gaussian, beta_log) and one (beta_centred).
    private static LatentSpace Mixed() => LatentSpace.Product(
    [
        LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry),
        LatentSpace.Euclidean(3),
        LatentSpace.Manifold("sphere", Sphere.ExactEmbedding!, posterior: new BetaFamily(logScale: true)),
        LatentSpace.Manifold("so3", So3.ExactEmbedding!, So3.Symmetry!, new CentredBetaFamily()),
    ]);

    /// <summary>
    /// The closed-form KL of a product is the sum of its factors' closed-form KLs, and agrees with an
    /// independent route: the Monte Carlo mean of log q − log p over the product's own samples (float64),
    /// per point within 5 standard errors of that mean.
    /// </summary>
    [Property]
    public void Kl_IsTheSumOfTheFactors_AndTheMonteCarloMean(Seed seed)
    {
        using var scope = NewDisposeScope();
        var latent = Mixed();
        using var generator = seed.Generator();
        // Moderate raw outputs: concentrations from about 0.3 to 20, spreads from sharp to wide.
        var raw = (4 * rand([5, latent.PosteriorParameters], ScalarType.Float64, generator: generator) - 1);
        var posterior = latent.Posterior.Create(raw);
        var kl = posterior.KlToPrior();

        var offset = 0L;
        var sum = zeros(5, ScalarType.Float64);
        foreach (var factor in latent.Factors)
        {
            sum += factor.Posterior.Create(raw.narrow(-1, offset, factor.PosteriorParameters)).KlToPrior();
            offset += factor.PosteriorParameters;
        }
        Assert.True(allclose(kl, sum, rtol: 1e-12, atol: 1e-12), $"KL [{string.Join(", ", kl.data<double>())}] vs the factors' sum [{string.Join(", ", sum.data<double>())}]");

        var sample = posterior.RSampleWithDensities(20_000, generator);
        Assert.Equal(ScalarType.Float64, sample.LogQ.dtype);
        var ratio = sample.LogQ - sample.LogPrior;                       // [S, B]
        for (var b = 0; b < 5; b++)
        {
            var estimate = Statistic.Of(ratio[.., b]);
            var exact = kl[b].item<double>();
            Assert.True(Math.Abs(estimate.Mean - exact) <= estimate.Tolerance, $"point {b}: KL {exact:G6}, Monte Carlo {estimate}");
        }
    }

    /// <summary>
    /// The pull-back metric of a product of exact f (by autograd through the product's Jacobian) is
    /// block-diagonal: each diagonal block is its factor's metric, every other block is zero.
    /// </summary>
    [Property]
    public void Metric_IsBlockDiagonal_WithTheFactorsMetrics(Seed seed)
    {
        using var scope = NewDisposeScope();
        IEmbedding[] factors = [Circle.ExactEmbedding, Sphere.ExactEmbedding!, So3.ExactEmbedding!];
        var product = LatentSpace.Product([.. factors.Select((f, i) => LatentSpace.Manifold($"m{i}", f))]).Embedding!;
        Assert.IsType<ProductEmbedding>(product);
        using var generator = seed.Generator();
        var hidden = 0.05 + 0.9 * rand([7, product.HiddenDim], ScalarType.Float64, generator: generator);
        var metric = product.MetricTensor(hidden);                      // [B, n, n]
        Assert.Equal(new long[] { 7, 6, 6 }, metric.shape);

        var start = 0L;
        foreach (var f in factors)
        {
            var block = metric[.., TensorIndex.Slice(start, start + f.HiddenDim), TensorIndex.Slice(start, start + f.HiddenDim)];
            var own = PullbackMetric.ByAutograd(f.Embed, hidden[.., TensorIndex.Slice(start, start + f.HiddenDim)].contiguous());
            Assert.True(allclose(block, own, rtol: 1e-10, atol: 1e-10), $"{f.GetType().Name}: block differs from the factor's metric");
            var rows = metric[.., TensorIndex.Slice(start, start + f.HiddenDim), ..].clone();
            rows[.., .., TensorIndex.Slice(start, start + f.HiddenDim)] = 0;
            Assert.Equal(0.0, rows.abs().max().item<double>());
            start += f.HiddenDim;
        }
    }

    /// <summary>
    /// A one-factor product gives exactly the ELBO and IWAE of its factor alone, for the same weights
    /// and seed: same parameters by name and shape, the same draws, the same sums.
    /// </summary>
    [Property(MaxTest = 3)]
    public void OneFactorProduct_GivesTheSameBounds_AsItsFactor(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var x = randn([40, 100], generator: seed.Generator());
        LatentSpace[] singles =
        [
            LatentSpace.Euclidean(2),
            LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry),
            LatentSpace.Manifold("so3", So3.ExactEmbedding!, So3.Symmetry!, new CentredBetaFamily()),
        ];
        foreach (var single in singles)
        {
            using var alone = new VariationalAutoencoder(single);
            using var product = new VariationalAutoencoder(LatentSpace.Product([single]));
            using (var weights = seed.Generator()) Initialisation.Draw(alone, weights);
            using (var weights = seed.Generator()) Initialisation.Draw(product, weights);
            Assert.Equal(alone.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))),
                product.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))));
            Assert.Equal(Evaluator.Iwae(alone, x, 20, seed.Value), Evaluator.Iwae(product, x, 20, seed.Value));
            Assert.Equal(Evaluator.Elbo(alone, x, 5, seed.Value), Evaluator.Elbo(product, x, 5, seed.Value));
        }
    }

    /// <summary>
    /// The per-factor KLs that <c>eval</c> prints add up to the mean test KL of the run's evaluation,
    /// over a test set that takes several 500-point batches, and a single latent has one factor.
    /// </summary>
    [Property(MaxTest = 3)]
    public void FactorKl_AddsUpToTheEvaluatedKl(Seed seed)
    {
        using var scope = NewDisposeScope();
        using var task = new ToyTask(Circle);
        var evaluation = new EvaluationOptions { TestSize = 1200 };
        using var model = new VariationalAutoencoder(Mixed());
        using (var weights = seed.Generator()) Initialisation.Draw(model, weights);
        var factors = TrainingRun.FactorKl(model, task, evaluation);
        Assert.Equal(4, factors.Length);
        Assert.All(factors, kl => Assert.True(kl > 0, $"a factor's KL {kl}"));
        var (_, _, total) = TrainingRun.Evaluate(model, task, evaluation with { IwaeSamples = 1, ElboSamples = 1 }, seed.Value);
        Assert.Equal(total, factors.Sum(), 1e-4 * Math.Abs(total));

        using var single = new VariationalAutoencoder(LatentSpace.Euclidean(2));
        Assert.Single(TrainingRun.FactorKl(single, task, evaluation));
    }

    /// <summary>
    /// A product model's decoder input is its factors' inputs side by side: the circle's a(x)·f(z),
    /// the Euclidean z itself, the sphere's f(z).
    /// </summary>
    [Property]
    public void DecoderInput_IsTheConcatenationOfTheFactors(Seed seed)
    {
        using var scope = NewDisposeScope();
        var latent = LatentSpace.Product(
        [
            LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry),
            LatentSpace.Euclidean(2),
            LatentSpace.Manifold("sphere", Sphere.ExactEmbedding!),
        ]);
        using var model = new VariationalAutoencoder(latent);
        using var generator = seed.Generator();
        Initialisation.Draw(model, generator);
        var x = randn([8, 100], generator: generator);
        var hidden = 0.01 + 0.98 * rand([3, 8, 5], generator: generator);
        var input = model.DecoderInput(x, hidden);
        Assert.Equal(new long[] { 3, 8, 2 + 2 + 3 }, input.shape);

        var element = Circle.Symmetry.ElementFromParameters(model.ActionParameters(x));
        var circle = Circle.Symmetry.Act(element, Circle.ExactEmbedding.Embed(hidden[.., .., 0..1]));
        var expected = cat([circle, hidden[.., .., 1..3], Sphere.ExactEmbedding!.Embed(hidden[.., .., 3..5])], -1);
        Assert.True(allclose(input, expected, rtol: 1e-6, atol: 1e-6), "the decoder input is not the factors' side by side");
    }

    /// <summary>
    /// Moving one factor by a group element changes that factor's slice of the decoder input and leaves
    /// every other factor's coordinates exactly as they were.
    /// </summary>
    [Property]
    public void GroupAction_OfOneFactor_LeavesTheOthersUnchanged(Seed seed)
    {
        using var scope = NewDisposeScope();
        var latent = LatentSpace.Product(
        [
            LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry),
            LatentSpace.Euclidean(2),
            LatentSpace.Manifold("sphere", Sphere.ExactEmbedding!, Sphere.Symmetry),
        ]);
        using var generator = seed.Generator();
        var hidden = rand([3, 6, 5], generator: generator);
        var (g1, g3) = (Circle.Symmetry.SampleHaar(6, generator), Sphere.Symmetry!.SampleHaar(6, generator));
        var (e1, e3) = (Circle.Symmetry.Identity([6]), Sphere.Symmetry.Identity([6]));
        var both = latent.ToDecoderInput(hidden, [g1, null, g3]);
        var circleOnly = latent.ToDecoderInput(hidden, [g1, null, e3]);
        var sphereOnly = latent.ToDecoderInput(hidden, [e1, null, g3]);

        Assert.True(Same(both[.., .., 0..4], circleOnly[.., .., 0..4]), "moving the sphere changed the circle or the Euclidean factor");
        Assert.True(Same(both[.., .., 2..], sphereOnly[.., .., 2..]), "moving the circle changed the Euclidean factor or the sphere");
        Assert.False(allclose(both[.., .., 0..2], sphereOnly[.., .., 0..2]), "the circle's own action did not move it");
        Assert.False(allclose(both[.., .., 4..], circleOnly[.., .., 4..]), "the sphere's own action did not move it");
    }

    /// <summary>
    /// In a model with two acting factors each has its own head (the first keeps the name
    /// <c>actionHead</c>); changing the second head moves the second factor's slice of the decoder input only.
    /// </summary>
    [Property(MaxTest = 3)]
    public void TwoActingFactors_EachHaveTheirOwnHead_ActingOnTheirOwnSlice(Seed seed)
    {
        using var scope = NewDisposeScope();
        var latent = LatentSpace.Product(
        [
            LatentSpace.Manifold("circle", Circle.ExactEmbedding, Circle.Symmetry),
            LatentSpace.Euclidean(2),
            LatentSpace.Manifold("sphere", Sphere.ExactEmbedding!, Sphere.Symmetry),
        ]);
        using var model = new VariationalAutoencoder(latent);
        using var generator = seed.Generator();
        Initialisation.Draw(model, generator);
        var heads = model.named_parameters().Where(p => p.name.StartsWith("actionHead", StringComparison.Ordinal) && p.name.EndsWith("weight", StringComparison.Ordinal))
            .ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal([2L, 128L], heads["actionHead.weight"].shape);
        Assert.Equal([6L, 128L], heads["actionHead2.weight"].shape);

        var x = randn([8, 100], generator: generator);
        var hidden = rand([2, 8, 5], generator: generator);
        var before = model.DecoderInput(x, hidden).detach().clone();
        using (no_grad()) heads["actionHead2.weight"].add_(randn(heads["actionHead2.weight"].shape, generator: generator));
        var after = model.DecoderInput(x, hidden).detach();
        Assert.True(Same(before[.., .., 0..4], after[.., .., 0..4]), "the sphere's head moved the circle or the Euclidean factor");
        Assert.False(allclose(before[.., .., 4..], after[.., .., 4..]), "the sphere's head did not move the sphere");
    }

    // Bit for bit: an action elsewhere must not touch these coordinates at all.
    private static bool Same(Tensor a, Tensor b) => (a - b).abs().max().item<float>() == 0;
}
