using System.Globalization;
using ManifoldKit.Data;
using ManifoldKit.Models;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Reporting;

/// <summary>The plots of a run: its training curve, and the latent codes of test points coloured by their true angle.</summary>
public static class RunPlots
{
    /// <summary>plots/training.png from metrics.csv: the training ELBO per report.</summary>
    public static void Training(string runDirectory, string name)
    {
        var rows = File.ReadAllLines(Path.Combine(runDirectory, "metrics.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select(f => (X: double.Parse(f[0], CultureInfo.InvariantCulture), Y: double.Parse(f[5], CultureInfo.InvariantCulture)))
            .ToList();
        if (rows.Count > 1) Plots.Line(Path.Combine(runDirectory, "plots", "training.png"), $"{name}: training ELBO", "step", "ELBO (nats)", rows);
    }

    /// <summary>
    /// plots/latent.png: for 1,000 test points, what the decoder sees at the posterior mean (f(E[z]),
    /// moved by a(x) when there is an action), coloured by the angle of the generating point; a 1-D
    /// latent is drawn against that angle instead.
    /// </summary>
    public static void Latent(string runDirectory, string name, VariationalAutoencoder model, ToyTask task)
    {
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        var (x, factors) = task.TestSet(1000);
        var input = model.DecoderInput(x, model.Encode(x).Mean.unsqueeze(0)).squeeze(0).to_type(ScalarType.Float64);
        var angles = atan2(factors.select(-1, 1), factors.select(-1, 0)).to_type(ScalarType.Float64).data<double>().ToArray();
        var path = Path.Combine(runDirectory, "plots", "latent.png");
        if (input.shape[1] == 1)
        {
            var codes = input.select(-1, 0).data<double>().ToArray();
            Plots.Scatter(path, $"{name}: code vs true angle", "true angle (rad)", "posterior mean z",
                codes.Select((z, i) => (angles[i], z, Plots.Hue(angles[i]))).ToList());
            return;
        }
        var first = input.select(-1, 0).data<double>().ToArray();
        var second = input.select(-1, 1).data<double>().ToArray();
        Plots.Scatter(path, $"{name}: decoder input, coloured by true angle", "coordinate 1", "coordinate 2",
            first.Select((u, i) => (u, second[i], Plots.Hue(angles[i]))).ToList());
    }
}
