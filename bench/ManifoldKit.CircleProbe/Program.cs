// Why an action row of Table 1 tears or scores low (docs/table1.md): trains the improved
// er-learned-action model on the circle task and prints, at every report, the degree of x ↦ a(x)
// and of x ↦ a(x)·f(mean z) as the data's angle goes once round (720 points in order), the largest
// jump between neighbouring codes (a tear), and, over the last --test-last steps, the test ELBO of
// the current weights; at the end, the spread of the per-point test ELBO and where its worst points
// sit. Diagnostic only: it reads the data's true angles.
// Usage: manifoldkit-circle-probe --embedding exact|FILE [--init drawn|centred|principal] [--seed N]
//        [--steps N] [--warmup N] [--samples N] [--final-lr X --decay-steps N] [--every N] [--test-last N]
using System.Globalization;
using ManifoldKit;
using ManifoldKit.Data;
using ManifoldKit.Distributions;
using ManifoldKit.Embeddings;
using ManifoldKit.Evaluation;
using ManifoldKit.Experiments;
using ManifoldKit.Manifolds;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

var o = new Dictionary<string, string>
{
    ["embedding"] = "", ["init"] = "centred", ["seed"] = "0", ["steps"] = "10000", ["warmup"] = "5000", ["samples"] = "4",
    ["final-lr"] = "", ["decay-steps"] = "", ["every"] = "1000", ["test-last"] = "0",
};
for (var i = 0; i < args.Length; i += 2)
{
    var key = args[i].StartsWith("--") ? args[i][2..] : "";
    if (!o.ContainsKey(key) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"manifoldkit-circle-probe: bad argument '{args[i]}' (see the usage at the top of Program.cs)");
        return 2;
    }
    o[key] = args[i + 1];
}
if (o["embedding"] == "")
{
    Console.Error.WriteLine("manifoldkit-circle-probe: give --embedding exact, or a saved f (e.g. runs/embeddings/circle-wae5000x256-lambda10-seed0.bin)");
    return 2;
}
LibTorchThreads.ApplyEnvironment();

int Int(string key) => int.Parse(o[key], CultureInfo.InvariantCulture);
var seed = long.Parse(o["seed"], CultureInfo.InvariantCulture);
var circle = new Circle();
IEmbedding embedding = o["embedding"] == "exact" ? circle.ExactEmbedding : LearnedEmbedding.LoadFor(o["embedding"], circle);
var latent = LatentSpace.Manifold("circle", embedding, circle.Symmetry, new BetaFamily(logScale: true));
using var task = new ToyTask(circle, dataSeed: 0);
var architecture = new ArchitectureOptions { ActionHeadInit = Enum.Parse<ActionHeadInit>(o["init"], ignoreCase: true) };
var options = new TrainingOptions
{
    Steps = Int("steps"), KlWarmupSteps = Int("warmup"), Samples = Int("samples"), Seed = seed, ReportEvery = Int("every"),
    FinalLearningRate = o["final-lr"] == "" ? null : double.Parse(o["final-lr"], CultureInfo.InvariantCulture),
    DecaySteps = o["decay-steps"] == "" ? null : Int("decay-steps"),
};
using var trainer = new Trainer(() => new VariationalAutoencoder(latent, architecture), task, options);
var theta = arange(720, dtype: ScalarType.Float32) * (2 * Math.PI / 720);
using var ordered = task.Generate(stack([cos(theta), sin(theta)], dim: -1));

string Describe()
{
    using var scope = NewDisposeScope();
    using var gradients = no_grad();
    var action = LatentGeometry.Winding(trainer.Model.DecoderInput(ordered, full([1, 720, 1], 0.5f)).squeeze(0));
    var code = LatentGeometry.Winding(trainer.Model.DecoderInput(ordered, trainer.Model.Encode(ordered).Mean.unsqueeze(0)).squeeze(0));
    return $"degree of a(x) {action.Turns}, of the code {code.Turns}, largest jump {code.LargestStep:F2} rad";
}

Console.WriteLine($"start: {Describe()}");
trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
{
    var test = p.Step > options.Steps - Int("test-last") ? $", test ELBO {TrainingRun.Evaluate(trainer.Model, task, new EvaluationOptions(), seed).Elbo:F2}" : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {p.Step}: train ELBO {p.Elbo:F2}, KL {p.Kl:F2}; {Describe()}{test}"));
}));

using (no_grad())
{
    var (x, factors) = task.TestSet(2000);
    var elbo = Evaluator.PerPoint(trainer.Model, x, 10, seed, 500, t => t.Elbo, densities: false);
    var sorted = elbo.sort().Values;
    double At(int i) => sorted[i].item<double>();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"per-point test ELBO: min {At(0):F1}, 1% {At(20):F1}, 10% {At(200):F1}, median {At(1000):F1}, max {At(1999):F1}; mean {elbo.mean().item<double>():F2}"));
    var angle = atan2(factors.select(-1, 1), factors.select(-1, 0));
    var q = trainer.Model.Encode(x);
    foreach (var i in elbo.argsort()[..3].data<long>().ToArray())
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  worst: θ {angle[i].item<float>():F3}, ELBO {elbo[i].item<double>():F1}, z mean {q.Mean[i, 0].item<float>():F4}, std {q.Stddev[i, 0].item<float>():F5}"));
    var (elboMean, iwae, kl) = TrainingRun.Evaluate(trainer.Model, task, new EvaluationOptions(), seed);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{string.Join(' ', args)}: test ELBO {elboMean:F2}, IWAE {iwae:F2}, KL {kl:F2}"));
}
return 0;
