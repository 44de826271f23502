using System.Globalization;
using ManifoldKit.Data;
using ManifoldKit.Models;
using static TorchSharp.torch;

namespace ManifoldKit.Runner.Reporting;

/// <summary>The plots of a run: its training curve, the latent codes of test points coloured by a known factor, and for images reconstructions and samples.</summary>
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
    /// moved by a(x) when there is an action), coloured by the data's first known factor: the angle of
    /// the generating point for a toy task (a 1-D latent is drawn against that angle instead), the
    /// <c>angle</c> factor of rotated images, a class label or another factor for other data. For data
    /// other than a toy task, also plots/latent-I-MANIFOLD-FACTOR.png for each manifold factor I of the
    /// latent (1-based) and each known factor (<see cref="FactorPlots"/>).
    /// </summary>
    public static void Latent(string runDirectory, string name, VariationalAutoencoder model, IDataSource data)
    {
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        var (x, factors) = data.TestSet(1000);
        var input = model.DecoderInput(x, model.Encode(x).Mean.unsqueeze(0)).squeeze(0).to_type(ScalarType.Float64);
        var toy = data is ToyTask;
        // Rotated images are coloured by their angle (what a circular latent should recover), else by the first factor.
        var angle = data.FactorNames.ToList().IndexOf(DataSources.RotationFactor);
        var (factor, label) = toy ? (atan2(factors.select(-1, 1), factors.select(-1, 0)), "true angle (rad)")
            : angle >= 0 ? (factors.select(-1, angle), "angle (rad)")
            : factors.shape[1] > 0 ? (factors.select(-1, 0), data.FactorNames[0]) : (zeros(x.shape[0]), "");
        var colours = Colours(factor, circular: toy || angle >= 0);
        var path = Path.Combine(runDirectory, "plots", "latent.png");
        if (input.shape[1] == 1 && toy)
        {
            var codes = input.select(-1, 0).data<double>().ToArray();
            var values = factor.to_type(ScalarType.Float64).data<double>().ToArray();
            Plots.Scatter(path, $"{name}: code vs true angle", label, "posterior mean z", codes.Select((z, i) => (values[i], z, colours[i])).ToList());
            return;
        }
        var first = input.select(-1, 0).data<double>().ToArray();
        var second = input.shape[1] > 1 ? input.select(-1, 1).data<double>().ToArray() : new double[first.Length];
        Plots.Scatter(path, $"{name}: decoder input{(label.Length > 0 ? $", coloured by {label}" : "")}", "coordinate 1", "coordinate 2",
            first.Select((u, i) => (u, second[i], colours[i])).ToList());
        if (!toy) FactorPlots(runDirectory, name, model.Latent, input, factors, data.FactorNames);
    }

    /// <summary>
    /// One plot per manifold factor of the latent and known factor of the data: the factor's slice of
    /// the decoder input, a circle (2 coordinates) as it is, a 2-manifold in R³ such as S² in Lambert's
    /// equal-area projection (longitude against height, so equal areas of the sphere stay equal), any
    /// other by its first two coordinates; coloured round the hue circle for an angle, along it otherwise.
    /// </summary>
    private static void FactorPlots(string runDirectory, string name, LatentSpace latent, Tensor input, Tensor factors, IReadOnlyList<string> factorNames)
    {
        var offset = 0;
        for (var i = 0; i < latent.Factors.Count; i++)
        {
            var part = latent.Factors[i];
            var slice = input.narrow(-1, offset, part.DecoderInputDim);
            offset += part.DecoderInputDim;
            if (part.Embedding is null || part.DecoderInputDim < 2) continue;
            var manifold = part.Name.Replace("+action", "");
            var (u, v, axes) = part.DecoderInputDim == 3 && part.HiddenDim == 2
                ? (atan2(slice.select(-1, 1), slice.select(-1, 0)), slice.select(-1, 2) / slice.norm(-1, keepdim: false).clamp_min(1e-12), ("longitude (rad)", "height"))
                : (slice.select(-1, 0), slice.select(-1, 1), ("coordinate 1", "coordinate 2"));
            var (us, vs) = (u.data<double>().ToArray(), v.data<double>().ToArray());
            for (var j = 0; j < factorNames.Count; j++)
            {
                var known = factorNames[j];
                var colours = Colours(factors.select(-1, j), circular: known == DataSources.RotationFactor);
                var file = Path.Combine(runDirectory, "plots", $"latent-{i + 1}-{Safe(manifold)}-{Safe(known)}.png");
                Plots.Scatter(file, $"{name}: factor {i + 1} ({manifold}), coloured by {known}", axes.Item1, axes.Item2,
                    us.Select((a, k) => (a, vs[k], colours[k])).ToList());
            }
        }
    }

    // Hues once round the circle for an angle in (−π, π]; for another factor, along the hue circle over its range.
    private static (byte, byte, byte)[] Colours(Tensor factor, bool circular)
    {
        var values = factor.to_type(ScalarType.Float64).data<double>().ToArray();
        if (circular) return [.. values.Select(Plots.Hue)];
        var (low, high) = (values.Min(), Math.Max(values.Max(), values.Min() + 1e-9));
        return [.. values.Select(v => Plots.Hue(-Math.PI + 2 * Math.PI * (v - low) / (high - low) * 0.999))];
    }

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
        ImageGrid.Save(Path.Combine(runDirectory, "plots", "reconstructions.png"), cat([x, model.Reconstruct(x)], 0), side, (int)x.shape[0]);
        using var generator = new Generator(0);
        ImageGrid.Save(Path.Combine(runDirectory, "plots", "samples.png"), model.DecodePrior(ImagesPerRow * ImagesPerRow, generator), side, ImagesPerRow);
    }
}
