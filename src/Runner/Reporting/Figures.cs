using System.Globalization;
using System.Text.RegularExpressions;
using ManifoldKit.Experiments;
using ScottPlot;

namespace ManifoldKit.Runner.Reporting;

/// <summary>The file format of the figures (<c>plot_format</c>): PNG, or SVG to scale or edit.</summary>
public enum PlotFormat
{
    /// <summary>A 640 × 480 raster (the default).</summary>
    Png,

    /// <summary>Vector graphics.</summary>
    Svg,
}

/// <summary>How the points of a latent plot are coloured: by nothing, an angle, a continuous factor, or a class label.</summary>
public abstract record Colouring
{
    private Colouring() { }

    /// <summary>One colour for every point (the data has no known factor).</summary>
    public sealed record None : Colouring;

    /// <summary>An angle in radians, round a cyclic colour map so that −π and π meet.</summary>
    public sealed record Angle(string Name, double[] Values) : Colouring;

    /// <summary>A real-valued factor along a sequential colour map, with a colour bar over its range.</summary>
    public sealed record Continuous(string Name, double[] Values) : Colouring;

    /// <summary>A class label: one colour per value, named in a legend.</summary>
    public sealed record Classes(string Name, int[] Values) : Colouring;

    /// <summary>Most distinct integer values still drawn as classes (a categorical palette has 20 colours).</summary>
    public const int MaxClasses = 20;

    /// <summary>An angle's colouring if <paramref name="angle"/>, else classes for integer values with at most <see cref="MaxClasses"/> distinct, else continuous.</summary>
    public static Colouring For(string name, double[] values, bool angle)
    {
        if (angle) return new Angle(name, values);
        var integers = values.All(v => double.IsFinite(v) && v == Math.Round(v) && Math.Abs(v) < int.MaxValue);
        return integers && values.Distinct().Count() <= MaxClasses ? new Classes(name, [.. values.Select(v => (int)v)]) : new Continuous(name, values);
    }
}

/// <summary>
/// The figures of runs, sweeps and selections, each built as a ScottPlot <see cref="Plot"/> (so tests
/// can read what it holds) and written by <see cref="Save"/>.
/// </summary>
public static class Figures
{
    /// <summary>Pixel size of every figure but the sweep's.</summary>
    public const int Width = 640, Height = 480;

    /// <summary>Marker diameter of a latent point, in pixels: 1,000 points must not hide each other.</summary>
    public const float PointSize = 4;

    // Shades of a continuous colour map: points are drawn one plottable per shade, not per point.
    private const int Shades = 64;

    /// <summary>
    /// A scatter of latent points coloured by <paramref name="colouring"/>, with a colour bar naming
    /// the factor or a legend of its classes. <paramref name="equalAxes"/> locks the scale so that one
    /// unit is as long on both axes (a circle is drawn round).
    /// </summary>
    public static Plot Latent(string title, string xLabel, string yLabel, double[] xs, double[] ys, Colouring colouring, bool equalAxes)
    {
        if (xs.Length != ys.Length) throw new ArgumentException($"{xs.Length} x values for {ys.Length} y values");
        var plot = New(title, xLabel, yLabel);
        switch (colouring)
        {
            case Colouring.Angle angle:
                {
                    var map = new ScottPlot.Colormaps.Phase();
                    Shaded(plot, xs, ys, angle.Values.Select(v => ((v + Math.PI) / (2 * Math.PI) % 1 + 1) % 1).ToArray(), map);
                    var bar = plot.Add.ColorBar(new ColourScale(map, -Math.PI, Math.PI), Edge.Right);
                    Name(bar, $"{angle.Name} (rad)");
                    bar.Axis.SetTicks([-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI], ["−π", "−π/2", "0", "π/2", "π"]);
                    break;
                }
            case Colouring.Continuous continuous:
                {
                    var map = new ScottPlot.Colormaps.Viridis();
                    var finite = continuous.Values.Where(double.IsFinite).DefaultIfEmpty(0).ToList();
                    var (low, high) = (finite.Min(), finite.Max());
                    var span = high > low ? high - low : 1;
                    Shaded(plot, xs, ys, continuous.Values.Select(v => (v - low) / span).ToArray(), map);
                    Name(plot.Add.ColorBar(new ColourScale(map, low, low + span), Edge.Right), continuous.Name);
                    break;
                }
            case Colouring.Classes classes:
                {
                    var values = classes.Values.Distinct().Order().ToList();
                    IPalette palette = values.Count <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
                    for (var c = 0; c < values.Count; c++)
                    {
                        var members = Enumerable.Range(0, xs.Length).Where(i => classes.Values[i] == values[c]).ToArray();
                        var markers = plot.Add.Markers(members.Select(i => xs[i]).ToArray(), members.Select(i => ys[i]).ToArray(), MarkerShape.FilledCircle, PointSize, palette.GetColor(c));
                        markers.LegendText = $"{classes.Name} {values[c].ToString(CultureInfo.InvariantCulture)}";
                    }
                    plot.ShowLegend(Edge.Right);
                    break;
                }
            default:
                plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, PointSize, Colors.C0);
                break;
        }
        if (equalAxes) plot.Axes.SquareUnits();
        return plot;
    }

    // Sans-serif text, labels one size.
    private static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(SansFont);
        plot.Title(title, FontSize + 1);
        if (xLabel.Length > 0) plot.XLabel(xLabel, FontSize);
        plot.YLabel(yLabel, FontSize);
        return plot;
    }

    private const float FontSize = 13;

    // Skia without fontconfig takes the first family it finds (DejaVu Serif on Debian): name a sans-serif one that is there.
    private static readonly string SansFont = new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial" }
        .FirstOrDefault(name => SkiaSharp.SKTypeface.FromFamilyName(name)?.FamilyName == name) ?? Fonts.Sans;

    private static void Name(ScottPlot.Panels.ColorBar bar, string label)
    {
        bar.Label = label;
        bar.LabelStyle.FontSize = FontSize;
        bar.LabelStyle.Bold = false;
    }

    // One marker plottable per shade of the map, positions in [0, 1].
    private static void Shaded(Plot plot, double[] xs, double[] ys, double[] positions, IColormap map)
    {
        var shade = positions.Select(p => double.IsFinite(p) ? Math.Clamp((int)(p * Shades), 0, Shades - 1) : 0).ToArray();
        foreach (var group in Enumerable.Range(0, xs.Length).GroupBy(i => shade[i]).OrderBy(g => g.Key))
            plot.Add.Markers(group.Select(i => xs[i]).ToArray(), group.Select(i => ys[i]).ToArray(), MarkerShape.FilledCircle, PointSize,
                map.GetColor((group.Key + 0.5) / Shades));
    }

    /// <summary>The latent points of a figure from <see cref="Latent"/>, in no particular order.</summary>
    public static IReadOnlyList<Coordinates> Points(Plot plot) =>
        [.. plot.GetPlottables<ScottPlot.Plottables.Markers>().SelectMany(m => m.Data.GetScatterPoints())];

    /// <summary>
    /// Training curves from metrics.csv: the ELBO and the reconstruction term E[log p(x | z)] on the
    /// left axis, the KL on the right, and vertical lines where the KL warm-up ends and the learning-rate
    /// decay starts (when given).
    /// </summary>
    public static Plot Training(string title, MetricsTable metrics, int? warmupEnd, int? decayStart)
    {
        var plot = New(title, "step", "nats per point");
        var steps = metrics.Column("step");
        plot.Add.ScatterLine(steps, metrics.Column("elbo"), Colors.C0).LegendText = "ELBO";
        plot.Add.ScatterLine(steps, metrics.Column("log_likelihood"), Colors.C1).LegendText = "reconstruction E[log p(x|z)]";
        var kl = plot.Add.ScatterLine(steps, metrics.Column("kl"), Colors.C2);
        kl.LegendText = "KL (right axis)";
        kl.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "KL (nats)";
        plot.Axes.Right.Label.FontSize = FontSize;
        if (warmupEnd is { } w) Marker(plot.Add.VerticalLine(w, 1.5f, Colors.Gray, LinePattern.Dashed), "KL warm-up ends");
        if (decayStart is { } d) Marker(plot.Add.VerticalLine(d, 1.5f, Colors.Black, LinePattern.Dotted), "learning-rate decay starts");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;

        static void Marker(ScottPlot.Plottables.VerticalLine line, string text) => line.LegendText = text;
    }

    /// <summary>
    /// A sweep: per config, every seed's test ELBO as a point, their mean ± sample standard deviation,
    /// and the reference figure as a short line when the config names one.
    /// </summary>
    public static Plot Sweep(string title, IReadOnlyList<SweepSummary.Row> rows) =>
        PerSeed(title, "test ELBO (nats)", rows.Select(r => (r.Name, r.Results.Select(x => x.Elbo).ToArray(), ReferenceValue(r.Reference), false)).ToList());

    /// <summary>A selection: per candidate in rank order, every seed's test IWAE, their mean ± sample standard deviation; the task's own latent in its own colour.</summary>
    public static Plot Selection(string title, IReadOnlyList<Selection.Candidate> ranked) =>
        PerSeed(title, $"test IWAE (nats){IwaeK(ranked.SelectMany(c => c.Results))}",
            ranked.Select(c => (c.Latent, c.Results.Select(x => x.Iwae).ToArray(), (double?)null, c.MatchesTask)).ToList());

    private static string IwaeK(IEnumerable<ExperimentResult> results) =>
        results.Select(r => r.IwaeSamples).Distinct().ToList() is [var k] ? $", k = {k}" : "";

    /// <summary>The first number in a reference text such as <c>paper ELBO 183.98 ± 11.66</c>, or null.</summary>
    public static double? ReferenceValue(string? reference) =>
        reference is not null && Regex.Match(reference, @"[-−]?\d+(\.\d+)?") is { Success: true } m
            ? double.Parse(m.Value.Replace('−', '-'), CultureInfo.InvariantCulture) : null;

    private static Plot PerSeed(string title, string yLabel, IReadOnlyList<(string Name, double[] Values, double? Reference, bool Own)> groups)
    {
        var plot = New(title, "", yLabel);
        bool seedsNamed = false, meanNamed = false, referenceNamed = false, ownNamed = false;
        for (var i = 0; i < groups.Count; i++)
        {
            var (_, values, reference, own) = groups[i];
            // Seeds spread a little sideways so that equal values stay visible.
            var xs = values.Select((_, s) => i + (values.Length > 1 ? 0.25 * (s / (values.Length - 1.0) - 0.5) : 0)).ToArray();
            var seeds = plot.Add.Markers(xs, values, MarkerShape.OpenCircle, 7, own ? Colors.C3 : Colors.C0);
            if (own && !ownNamed) { seeds.LegendText = "seeds (the task's own latent)"; ownNamed = true; }
            else if (!own && !seedsNamed) { seeds.LegendText = "seeds"; seedsNamed = true; }
            if (values.Length == 0) continue;
            var mean = values.Average();
            var std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
            var bar = plot.Add.ErrorBar([i + 0.3], [mean], [std]);
            bar.Color = Colors.Black;
            bar.LineWidth = 1.5f;
            var centre = plot.Add.Marker(i + 0.3, mean, MarkerShape.FilledSquare, 7, Colors.Black);
            if (!meanNamed) { centre.LegendText = "mean ± std"; meanNamed = true; }
            if (reference is { } r)
            {
                var line = plot.Add.Line(i - 0.4, r, i + 0.4, r);
                line.Color = Colors.C1;
                line.LineWidth = 2;
                line.LinePattern = LinePattern.Dashed;
                line.MarkerSize = 0;
                if (!referenceNamed) { line.LegendText = "reference"; referenceNamed = true; }
            }
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, groups.Count).Select(i => (double)i)], [.. groups.Select(g => g.Name)]);
        plot.Axes.SetLimitsX(-0.6, groups.Count - 0.4);
        // Outside the data, which can lie anywhere.
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Pixel width of a sweep or selection figure with <paramref name="groups"/> columns.</summary>
    public static int PerSeedWidth(int groups) => Math.Max(Width, 240 + 150 * groups);

    /// <summary>Writes <paramref name="plot"/> to <paramref name="stem"/> plus the format's extension, atomically; returns the path.</summary>
    public static string Save(Plot plot, string stem, PlotFormat format, int width = Width, int height = Height)
    {
        var path = stem + (format == PlotFormat.Svg ? ".svg" : ".png");
        AtomicFile.Write(path, temporary =>
        {
            if (format == PlotFormat.Svg) File.WriteAllText(temporary, plot.GetSvgXml(width, height));
            else File.WriteAllBytes(temporary, plot.GetImageBytes(width, height, ImageFormat.Png));
        });
        return path;
    }

    // What a colour bar needs: a colour map over a range of values.
    private sealed class ColourScale(IColormap colormap, double min, double max) : IHasColorAxis
    {
        public IColormap Colormap { get; set; } = colormap;

        public ScottPlot.Range GetRange() => new(min, max);
    }
}

/// <summary>The columns of a metrics.csv, found by their header names.</summary>
public sealed class MetricsTable
{
    private readonly Dictionary<string, double[]> columns;

    private MetricsTable(Dictionary<string, double[]> columns) => this.columns = columns;

    /// <summary>Rows after the header.</summary>
    public int Rows => columns.Values.FirstOrDefault()?.Length ?? 0;

    /// <summary>The named column; an error names the file's columns when it lacks it.</summary>
    public double[] Column(string name) => columns.TryGetValue(name, out var values)
        ? values : throw new InvalidDataException($"metrics.csv has no column '{name}' (it has {string.Join(", ", columns.Keys)})");

    /// <summary>Reads <paramref name="path"/>: a header line of names, then rows of numbers.</summary>
    public static MetricsTable Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) return new([]);
        var names = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        return new(names.Select((name, c) => (name, c)).ToDictionary(
            p => p.name,
            p => rows.Select(f => double.Parse(f[p.c], CultureInfo.InvariantCulture)).ToArray()));
    }
}
