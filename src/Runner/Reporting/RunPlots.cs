using ManifoldKit.Data;
using ManifoldKit.Models;
using ManifoldKit.Training;
using ScottPlot;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Reporting;

/// <summary>The figures of a run: its training curves, the latent codes of test points coloured by a known factor, and for images reconstructions and samples.</summary>
public static class RunPlots
{
    /// <summary>
    /// plots/training.png from metrics.csv (columns found by name): ELBO, reconstruction term and KL per
    /// report, with the end of the KL warm-up and the start of the learning-rate decay of
    /// <paramref name="training"/> marked.
    /// </summary>
    public static void Training(string runDirectory, string name, TrainingOptions training, PlotFormat format = PlotFormat.Png)
    {
        var metrics = MetricsTable.Read(Path.Combine(runDirectory, "metrics.csv"));
        if (metrics.Rows < 2) return;
        int? warmupEnd = training.KlWarmupSteps > 0 ? training.KlWarmupSteps : null;
        // A decay over the whole run starts at step 0: nothing to mark.
        int? decayStart = training.FinalLearningRate is not null && training.DecaySteps is { } d && d < training.Steps ? training.Steps - d : null;
        using var plot = Figures.Training($"{name}: training", metrics, warmupEnd, decayStart);
        Figures.Save(plot, Path.Combine(runDirectory, "plots", "training"), format);
    }

    /// <summary>
    /// plots/latent.png: for 1,000 test points, what the decoder sees at the posterior mean (f(E[z]),
    /// moved by a(x) when there is an action), coloured by the data's first known factor: the angle of
    /// the generating point for a toy task (a 1-D latent is drawn against that angle instead), the
    /// <c>angle</c> factor of rotated images, a class label or another factor for other data. For data
    /// other than a toy task, also plots/latent-I-MANIFOLD-FACTOR.png for each manifold factor I of the
    /// latent (1-based) and each known factor (<see cref="FactorPlots"/>). Axes of coordinates are
    /// drawn to equal scale.
    /// </summary>
    public static void Latent(string runDirectory, string name, VariationalAutoencoder model, IDataSource data, PlotFormat format = PlotFormat.Png)
    {
        foreach (var (stem, plot) in LatentFigures(name, model, data))
            using (plot)
                Figures.Save(plot, Path.Combine(runDirectory, "plots", stem), format);
    }

    /// <summary>The figures <see cref="Latent"/> writes, by file name without extension.</summary>
    public static IReadOnlyList<(string Stem, Plot Plot)> LatentFigures(string name, VariationalAutoencoder model, IDataSource data)
    {
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        var (testX, factors) = data.TestSet(1000);
        var x = ComputeDevice.Move(testX, model.Device);
        // Drawn on the CPU, beside the factors.
        var input = ComputeDevice.Move(model.DecoderInput(x, model.Encode(x).Mean.unsqueeze(0)).squeeze(0).to_type(ScalarType.Float64), CPU);
        var toy = data is ToyTask;
        // Rotated images are coloured by their angle (what a circular latent should recover), else by the first factor.
        var angle = data.FactorNames.ToList().IndexOf(DataSources.RotationFactor);
        var colouring = toy ? Colouring.For("true angle", Values(atan2(factors.select(-1, 1), factors.select(-1, 0))), angle: true)
            : angle >= 0 ? Colouring.For("angle", Values(factors.select(-1, angle)), angle: true)
            : factors.shape[1] > 0 ? Colouring.For(data.FactorNames[0], Values(factors.select(-1, 0)), angle: false)
            : new Colouring.None();
        var figures = new List<(string, Plot)>();
        if (input.shape[1] == 1 && toy)
        {
            var truth = ((Colouring.Angle)colouring).Values;
            figures.Add(("latent", Figures.Latent($"{name}: code vs true angle", "true angle (rad)", "posterior mean z", truth, Values(input.select(-1, 0)), colouring, equalAxes: false)));
            return figures;
        }
        var first = Values(input.select(-1, 0));
        var second = input.shape[1] > 1 ? Values(input.select(-1, 1)) : new double[first.Length];
        figures.Add(("latent", Figures.Latent($"{name}: decoder input", "coordinate 1", "coordinate 2", first, second, colouring, equalAxes: true)));
        if (!toy) figures.AddRange(FactorPlots(name, model.Latent, input, factors, data.FactorNames));
        return figures;
    }

    /// <summary>
    /// One plot per manifold factor of the latent and known factor of the data: the factor's slice of
    /// the decoder input, a circle (2 coordinates) as it is, a 2-manifold in R³ such as S² in Lambert's
    /// equal-area projection (longitude against height, equal scale so equal areas of the sphere stay
    /// equal), any other by its first two coordinates; coloured round a cyclic map for an angle, by class
    /// for a label, along a sequential map otherwise.
    /// </summary>
    private static IEnumerable<(string, Plot)> FactorPlots(string name, LatentSpace latent, Tensor input, Tensor factors, IReadOnlyList<string> factorNames)
    {
        var offset = 0;
        for (var i = 0; i < latent.Factors.Count; i++)
        {
            var part = latent.Factors[i];
            var slice = input.narrow(-1, offset, part.DecoderInputDim);
            offset += part.DecoderInputDim;
            if (part.ManifoldDim is null || part.DecoderInputDim < 2) continue;
            var manifold = part.Name.Replace("+action", "");
            var (u, v, axes) = part.DecoderInputDim == 3 && part.ManifoldDim == 2
                ? (atan2(slice.select(-1, 1), slice.select(-1, 0)), slice.select(-1, 2) / slice.norm(-1, keepdim: false).clamp_min(1e-12), ("longitude (rad)", "height"))
                : (slice.select(-1, 0), slice.select(-1, 1), ("coordinate 1", "coordinate 2"));
            var (us, vs) = (Values(u), Values(v));
            for (var j = 0; j < factorNames.Count; j++)
            {
                var known = factorNames[j];
                var colouring = Colouring.For(known, Values(factors.select(-1, j)), angle: known == DataSources.RotationFactor);
                yield return ($"latent-{i + 1}-{Safe(manifold)}-{Safe(known)}",
                    Figures.Latent($"{name}: factor {i + 1} ({manifold})", axes.Item1, axes.Item2, us, vs, colouring, equalAxes: true));
            }
        }
    }

    private static double[] Values(Tensor values) => values.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    private static string Safe(string text) => string.Concat(text.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));

    /// <summary>Test images in the reconstruction grid, and prior samples a side in the sample grid.</summary>
    public const int ImagesPerRow = 8;

    /// <summary>
    /// For square images (D = s², not a toy task): plots/reconstructions.png, 8 test images over what the
    /// model makes of them (the likelihood's mean at the posterior mean), and plots/samples.png, 8 × 8
    /// decodes of prior draws (seeded, so a redraw matches). Nothing for other data.
    /// </summary>
    public static void Images(string runDirectory, VariationalAutoencoder model, IDataSource data)
    {
        if (data is ToyTask || ImageRotation.Side(data.ObservationDim) is not { } side) return;
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        var x = data.TestSet(ImagesPerRow).X;
        var device = model.Device;
        var reconstructions = ComputeDevice.Move(model.Reconstruct(ComputeDevice.Move(x, device)), CPU);
        ImageGrid.Save(Path.Combine(runDirectory, "plots", "reconstructions.png"), cat([x, reconstructions], 0), side, (int)x.shape[0]);
        using var generator = ComputeDevice.NewGenerator(0, device);
        ImageGrid.Save(Path.Combine(runDirectory, "plots", "samples.png"), ComputeDevice.Move(model.DecodePrior(ImagesPerRow * ImagesPerRow, generator), CPU), side, ImagesPerRow);
    }
}
