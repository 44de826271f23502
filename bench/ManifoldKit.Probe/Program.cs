// What limits the SO(3) latent on the so3 task (docs/results.md, point 7): the same architecture,
// optimiser, KL warm-up and learning-rate decay as configs/select.yaml, one start, with the
// group element a(x) either learned (as in ManifoldKit), learned after fitting it to the data's
// true rotations (supervised), or replaced by the true rotation itself (an oracle); or a Euclidean-3
// latent for comparison. Diagnostic only: the oracle and the supervised fit read the true factors.
// Usage: manifoldkit-probe --action learned|oracle|euclidean [--supervised-steps N] [--initial-std S]
//        [--posterior beta_log|beta_centred] [--steps N] [--seed N]
using System.Globalization;
using ManifoldKit;
using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

var (action, supervisedSteps, initialStd, posterior, steps, seed) = ("learned", 0, (double?)null, "beta_log", 10_000, 0L);
if (args.Length % 2 == 1)
{
    Console.Error.WriteLine($"manifoldkit-probe: '{args[^1]}' has no value (see the usage at the top of Program.cs)");
    return 2;
}
for (var i = 0; i < args.Length; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--action" when value is "learned" or "oracle" or "euclidean": action = value; break;
        case "--supervised-steps": supervisedSteps = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--initial-std": initialStd = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--posterior" when value is "beta_log" or "beta_centred": posterior = value; break;
        case "--steps": steps = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": seed = long.Parse(value, CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"manifoldkit-probe: bad argument '{args[i]} {value}' (see the usage at the top of Program.cs)"); return 2;
    }
}
LibTorchThreads.ApplyEnvironment();

var so3 = new SpecialOrthogonal3();
using var task = new ToyTask(so3, dataSeed: 0, noiseStd: 0.01);
IPosteriorFamily family = action == "euclidean" ? new GaussianFamily() : posterior == "beta_centred" ? new CentredBetaFamily() : new BetaFamily(logScale: true);
using var model = new ProbeModel(so3, family, action);
using (var weights = new Generator((ulong)seed)) Initialisation.Draw(model, weights);
if (initialStd is { } std) model.SetInitialPosteriorStd(std);
using var optimizer = optim.Adam(model.parameters(), 1e-3);
using var generator = new Generator((ulong)seed + 1);
var clock = System.Diagnostics.Stopwatch.StartNew();

for (var step = 1; step <= supervisedSteps; step++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var (x, rotation) = task.Sample(128, generator);
    var loss = (model.Element(x) - rotation.reshape(-1, 3, 3)).square().sum([1L, 2L]).mean();
    loss.backward();
    optimizer.step();
    if (step % 500 == 0) Console.WriteLine($"supervised step {step}: mean |a(x) - R|^2 {loss.item<float>():F5}");
}

for (var step = 1; step <= steps; step++)
{
    using var scope = NewDisposeScope();
    var rate = 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.Cos(Math.PI * (step - 1) / (steps - 1)));   // select.yaml's cosine decay
    foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    optimizer.zero_grad();
    var (x, rotation) = task.Sample(128, generator);
    var (logLikelihood, kl, _) = model.Terms(x, rotation, 1, generator);
    var loss = Math.Min(1.0, step / 2000.0) * kl.mean() - logLikelihood.mean();               // select.yaml's KL warm-up
    loss.backward();
    optimizer.step();
    if (step % 1000 == 0)
        Console.WriteLine($"step {step}: elbo {(logLikelihood.mean() - kl.mean()).item<float>():F2}  kl {kl.mean().item<float>():F2}  {clock.Elapsed.TotalSeconds:F0}s");
}

model.eval();
using (no_grad())
{
    var (x, rotation) = task.TestSet(2000);
    using var evaluation = new Generator(0);
    var (iwae, elbo) = (0.0, 0.0);
    for (var i = 0; i < 2000; i += 250)
    {
        using var scope = NewDisposeScope();
        const int k = 100;
        var (logLikelihood, kl, logWeight) = model.Terms(x[i..(i + 250)], rotation[i..(i + 250)], k, evaluation);
        iwae += (logWeight!.logsumexp(0) - Math.Log(k)).to_type(ScalarType.Float64).sum().item<double>() / 2000;
        elbo += (logLikelihood.mean([0L]) - kl).to_type(ScalarType.Float64).sum().item<double>() / 2000;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"action {action}, supervised steps {supervisedSteps}, initial std {initialStd?.ToString() ?? "as drawn"}, posterior {family.Name}, seed {seed}: " +
        $"test IWAE (k=100) {iwae:F2}, ELBO {elbo:F2}, {clock.Elapsed.TotalSeconds:F0} s"));
}
return 0;

/// <summary>ManifoldKit's VAE on SO(3), with the group element learned, or the data's true rotation; or a Euclidean-3 VAE.</summary>
sealed class ProbeModel : nn.Module
{
    private readonly LatentSpace latent;
    private readonly IGroupAction so3;
    private readonly bool oracle;
    private readonly Sequential encoder, decoder;
    private readonly Linear posteriorHead, actionHead;
    private readonly Parameter logScale;

    public ProbeModel(SpecialOrthogonal3 manifold, IPosteriorFamily family, string action) : base(nameof(ProbeModel))
    {
        latent = action == "euclidean" ? LatentSpace.Euclidean(3, family) : LatentSpace.Manifold("so3", manifold.ExactEmbedding, manifold.Symmetry, family);
        (so3, oracle) = (manifold.Symmetry, action == "oracle");
        encoder = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU());
        posteriorHead = nn.Linear(128, latent.PosteriorParameters);
        actionHead = nn.Linear(128, so3.ParameterDim);
        decoder = nn.Sequential(nn.Linear(latent.DecoderInputDim, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 100));
        logScale = nn.Parameter(zeros(100));
        RegisterComponents();
    }

    public void SetInitialPosteriorStd(double std) => Initialisation.SetPosteriorStd(posteriorHead, latent.Posterior, latent.HiddenDim, std);

    /// <summary>The learned group element a(x), [B, 3, 3].</summary>
    public Tensor Element(Tensor x) => so3.ElementFromParameters(actionHead.forward(encoder.forward(x)));

    /// <summary>log p(x|z) [S, B], KL [B], and the importance log-weights [S, B] when S > 1.</summary>
    public (Tensor LogLikelihood, Tensor Kl, Tensor? LogWeight) Terms(Tensor x, Tensor rotation, long samples, Generator generator)
    {
        var features = encoder.forward(x);
        var q = latent.Posterior.Create(posteriorHead.forward(features));
        var sample = q.RSampleWithDensities(samples, generator);
        var input = latent.ToDecoderInput(sample.Value);
        if (latent.Action is { } group)
            input = group.Act(oracle ? rotation.reshape(-1, 3, 3) : group.ElementFromParameters(actionHead.forward(features)), input);
        var mean = decoder.forward(input);
        var logLikelihood = (-0.5 * ((x - mean) * (-logScale).exp()).square() - logScale - 0.5 * Math.Log(2 * Math.PI)).sum(-1);
        return (logLikelihood, q.KlToPrior(), samples > 1 ? logLikelihood + sample.LogPrior - sample.LogQ : null);
    }
}
