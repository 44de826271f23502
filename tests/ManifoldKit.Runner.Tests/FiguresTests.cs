using System.Globalization;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Runner.Reporting;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>The figures, read through ScottPlot's own model of them (axes, panels, plottables) after a render, not from pixels.</summary>
public sealed class FiguresTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mk-figures").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Points on an ellipse twice as wide as tall, so that an unlocked autoscale would stretch it.
    private static (double[] X, double[] Y, double[] Angle) Ellipse(int n)
    {
        var angle = Enumerable.Range(0, n).Select(i => -Math.PI + 2 * Math.PI * (i + 0.5) / n).ToArray();
        return ([.. angle.Select(a => 2 * Math.Cos(a))], [.. angle.Select(a => Math.Sin(a))], angle);
    }

    private static Plot Rendered(Plot plot, int width = Figures.Width, int height = Figures.Height)
    {
        plot.GetImageBytes(width, height, ImageFormat.Png);
        return plot;
    }

    private static string[] MajorLabels(IAxis axis) => [.. axis.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label)];

    [Theory]
    [InlineData(Figures.Width, Figures.Height)]
    [InlineData(400, 700)]
    public void Latent_WithEqualAxes_DrawsOneUnitAsLongOnBothAxes(int width, int height)
    {
        var (x, y, angle) = Ellipse(200);
        using var plot = Rendered(Figures.Latent("t", "coordinate 1", "coordinate 2", x, y, Colouring.For("true angle", angle, angle: true), equalAxes: true), width, height);
        Assert.Equal(plot.LastRender.UnitsPerPxX, plot.LastRender.UnitsPerPxY, 1e-9);
        // Every point is still inside the drawn limits.
        var limits = plot.Axes.GetLimits();
        Assert.All(Figures.Points(plot), p => Assert.True(limits.Contains(p), $"{p} outside {limits}"));
    }

    [Fact]
    public void Latent_WithoutEqualAxes_StretchesTheEllipse()
    {
        // The control for the test above: a free autoscale gives the axes different scales.
        var (x, y, angle) = Ellipse(200);
        using var plot = Rendered(Figures.Latent("t", "a", "b", x, y, Colouring.For("true angle", angle, angle: true), equalAxes: false));
        Assert.True(Math.Abs(plot.LastRender.UnitsPerPxX / plot.LastRender.UnitsPerPxY - 1) > 0.1);
    }

    [Fact]
    public void Latent_PlotsEveryPointOnce_AtItsCoordinates()
    {
        var (x, y, angle) = Ellipse(1000);
        using var plot = Figures.Latent("t", "a", "b", x, y, Colouring.For("true angle", angle, angle: true), equalAxes: true);
        var points = Figures.Points(plot);
        Assert.Equal(1000, points.Count);
        Assert.Equal(x.Zip(y).Select(p => (p.First, p.Second)).Order(), points.Select(p => (p.X, p.Y)).Order());
    }

    [Fact]
    public void Latent_ColouredByAnAngle_HasAColourBarNamingItInRadians_OverMinusPiToPi()
    {
        var (x, y, angle) = Ellipse(100);
        using var plot = Rendered(Figures.Latent("t", "a", "b", x, y, Colouring.For("true angle", angle, angle: true), equalAxes: true));
        var bar = Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        Assert.Equal("true angle (rad)", bar.Label);
        Assert.Equal((-Math.PI, Math.PI), (bar.Source.GetRange().Min, bar.Source.GetRange().Max));
        Assert.Equal(["−π", "−π/2", "0", "π/2", "π"], MajorLabels(bar.Axis));
        // The two ends of a cyclic map meet: −π and π get (nearly) the same colour.
        var (first, last) = (bar.Source.Colormap.GetColor(0), bar.Source.Colormap.GetColor(1));
        Assert.True(Math.Abs(first.R - last.R) + Math.Abs(first.G - last.G) + Math.Abs(first.B - last.B) < 30, $"{first} vs {last}");
        Assert.False(plot.Legend.IsVisible && plot.Legend.GetItems().Length > 0, "an angle has a colour bar, not a legend");
    }

    [Fact]
    public void Latent_ColouredByAContinuousFactor_HasAColourBarOverItsRange()
    {
        var (x, y, _) = Ellipse(50);
        var scale = Enumerable.Range(0, 50).Select(i => 0.5 + i * 0.01).ToArray();
        using var plot = Rendered(Figures.Latent("t", "a", "b", x, y, Colouring.For("scale", scale, angle: false), equalAxes: true));
        var bar = Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        Assert.Equal("scale", bar.Label);
        Assert.Equal(0.5, bar.Source.GetRange().Min, 12);
        Assert.Equal(0.99, bar.Source.GetRange().Max, 12);
    }

    [Fact]
    public void Latent_ColouredByAClassLabel_HasALegendOfItsClasses_AndNoColourBar()
    {
        var (x, y, _) = Ellipse(100);
        var label = Enumerable.Range(0, 100).Select(i => (double)(i % 10)).ToArray();
        using var plot = Rendered(Figures.Latent("t", "a", "b", x, y, Colouring.For("label", label, angle: false), equalAxes: true));
        Assert.Empty(plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        var legend = plot.GetPlottables<ScottPlot.Plottables.Markers>().Select(m => m.LegendText).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(c => $"label {c}"), legend);
        Assert.Equal(10, plot.GetPlottables<ScottPlot.Plottables.Markers>().Select(m => m.MarkerFillColor).Distinct().Count());
        Assert.All(plot.GetPlottables<ScottPlot.Plottables.Markers>(), m => Assert.Equal(10, m.Data.GetScatterPoints().Count));
    }

    [Fact]
    public void Colouring_ClassesAreAtMostTwentyIntegers()
    {
        Assert.IsType<Colouring.Classes>(Colouring.For("c", [.. Enumerable.Range(0, 20).Select(i => (double)i)], angle: false));
        Assert.IsType<Colouring.Continuous>(Colouring.For("c", [.. Enumerable.Range(0, 21).Select(i => (double)i)], angle: false));
        Assert.IsType<Colouring.Continuous>(Colouring.For("c", [0, 0.5, 1], angle: false));
        Assert.IsType<Colouring.Angle>(Colouring.For("c", [0, 1, 2], angle: true));
    }

    [Fact]
    public void Latent_TickLabels_AreRoundNumbers_WithZeroWrittenAsZero()
    {
        // A range across 0 that does not start on a round number, like the old '2.39E-4' axes.
        double[] x = [-0.0123, 0.000239, 0.0187], y = [-1.0031, 0.000239, 0.9987];
        using var plot = Rendered(Figures.Latent("t", "a", "b", x, y, new Colouring.None(), equalAxes: true));
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            var labels = MajorLabels(axis);
            Assert.Contains("0", labels);
            Assert.All(labels, l => Assert.DoesNotContain("E", l, StringComparison.OrdinalIgnoreCase));
            Assert.All(labels, l => Assert.True(double.TryParse(l.Replace('−', '-'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                && Math.Abs(v - Math.Round(v, 3)) < 1e-12, $"'{l}' is not a round number"));
        }
    }

    private string Metrics(string text)
    {
        var path = Path.Combine(folder, "metrics.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Training_FindsColumnsByName_AndMarksWarmupAndDecay()
    {
        // Columns in another order than MetricsFile writes them: found by the header, not by index.
        var metrics = MetricsTable.Read(Metrics("kl,elbo,step,log_likelihood\n5,-100,50,-95\n4,-90,100,-86\n3,-80,150,-77\n"));
        using var plot = Rendered(Figures.Training("t", metrics, warmupEnd: 100, decayStart: 120));
        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToDictionary(s => s.LegendText, s => s.Data.GetScatterPoints());
        Assert.Equal([(50.0, -100.0), (100, -90), (150, -80)], lines["ELBO"].Select(p => (p.X, p.Y)));
        Assert.Equal([-95.0, -86, -77], lines["reconstruction E[log p(x|z)]"].Select(p => p.Y));
        Assert.Equal([5.0, 4, 3], lines["KL (right axis)"].Select(p => p.Y));
        Assert.Same(plot.Axes.Right, plot.GetPlottables<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith("KL")).Axes.YAxis);
        var marks = plot.GetPlottables<ScottPlot.Plottables.VerticalLine>().ToDictionary(v => v.LegendText, v => v.X);
        Assert.Equal(new Dictionary<string, double> { ["KL warm-up ends"] = 100, ["learning-rate decay starts"] = 120 }, marks);
        Assert.True(plot.Legend.IsVisible);
        Assert.Equal(5, plot.Legend.GetItems().Length);
    }

    [Fact]
    public void Training_WithoutWarmupOrDecay_HasNoMarks()
    {
        using var plot = Figures.Training("t", MetricsTable.Read(Metrics("step,seconds,loss,log_likelihood,kl,elbo\n50,1,2,3,4,5\n100,1,2,3,4,5\n")), null, null);
        Assert.Empty(plot.GetPlottables<ScottPlot.Plottables.VerticalLine>());
    }

    [Fact]
    public void MetricsTable_NamesTheColumnsItHas_WhenOneIsMissing()
    {
        var metrics = MetricsTable.Read(Metrics("step,elbo\n1,2\n"));
        var error = Assert.Throws<InvalidDataException>(() => metrics.Column("kl"));
        Assert.Equal("metrics.csv has no column 'kl' (it has step, elbo)", error.Message);
    }

    private static ExperimentResult Result(int seed, double elbo, double iwae) => new()
    {
        Name = "r", Seed = seed, Elbo = elbo, Iwae = iwae, IwaeSamples = 5, Kl = 1, Collapsed = false, Steps = 10, TrainSeconds = 1, StepsPerSecond = 10,
    };

    [Fact]
    public void Sweep_PlotsEverySeed_MeanAndStd_AndTheReferenceOfRowsThatHaveOne()
    {
        SweepSummary.Row[] rows =
        [
            new("vae-1d", [Result(0, 180, 181), Result(1, 184, 185), Result(2, 188, 189)], "paper ELBO 183.98 ± 11.66"),
            new("vae-2d", [Result(0, 350, 351), Result(1, 360, 361)], null),
        ];
        using var plot = Rendered(Figures.Sweep("t", rows), Figures.PerSeedWidth(2));
        var seeds = plot.GetPlottables<ScottPlot.Plottables.Markers>().ToList();
        Assert.Equal([180.0, 184, 188, 350, 360], seeds.SelectMany(m => m.Data.GetScatterPoints()).Select(p => p.Y));
        var bars = plot.GetPlottables<ScottPlot.Plottables.ErrorBar>().ToList();
        Assert.Equal([184.0, 355], bars.Select(b => b.Ys[0]));
        Assert.Equal(4, bars[0].YErrorPositive![0], 12);                      // sample std of 180, 184, 188
        Assert.Equal(Math.Sqrt(50), bars[1].YErrorPositive![0], 12);
        var reference = Assert.Single(plot.GetPlottables<ScottPlot.Plottables.LinePlot>());
        Assert.Equal((183.98, 183.98), (reference.Start.Y, reference.End.Y));
        Assert.True(reference.Start.X < 0 && reference.End.X > 0, "the reference line sits on its row");
        Assert.Equal(["vae-1d", "vae-2d"], MajorLabels(plot.Axes.Bottom));
    }

    [Fact]
    public void Selection_PlotsEveryCandidatesIwaePerSeed_InRankOrder()
    {
        var ranked = Reporting.Selection.Rank([
            new("euclidean-1", false, [Result(0, 0, -12), Result(1, 0, -14)]),
            new("sphere", true, [Result(0, 0, -10), Result(1, 0, -11)])]);
        using var plot = Rendered(Figures.Selection("t", ranked), Figures.PerSeedWidth(2));
        Assert.Equal(["sphere", "euclidean-1"], MajorLabels(plot.Axes.Bottom));
        Assert.Equal([-10.0, -11, -12, -14], plot.GetPlottables<ScottPlot.Plottables.Markers>().SelectMany(m => m.Data.GetScatterPoints()).Select(p => p.Y));
        Assert.Equal("test IWAE (nats), k = 5", plot.Axes.Left.Label.Text);
        Assert.Empty(plot.GetPlottables<ScottPlot.Plottables.LinePlot>());
    }

    [Theory]
    [InlineData("paper ELBO 183.98 ± 11.66", 183.98)]
    [InlineData("paper 1", 1.0)]
    [InlineData("−3.5 nats", -3.5)]
    [InlineData("none given", null)]
    public void ReferenceValue_IsTheFirstNumber(string text, double? expected) => Assert.Equal(expected, Figures.ReferenceValue(text));

    [Fact]
    public void Save_WritesAPngThatDecodes_OrAnSvg()
    {
        var (x, y, angle) = Ellipse(30);
        using var plot = Figures.Latent("t", "a", "b", x, y, Colouring.For("true angle", angle, angle: true), equalAxes: true);
        var png = Figures.Save(plot, Path.Combine(folder, "plots", "latent"), PlotFormat.Png);
        Assert.Equal(Path.Combine(folder, "plots", "latent.png"), png);
        using (var bitmap = SKBitmap.Decode(png)) Assert.Equal((Figures.Width, Figures.Height), (bitmap.Width, bitmap.Height));
        var svg = Figures.Save(plot, Path.Combine(folder, "plots", "latent"), PlotFormat.Svg);
        Assert.Equal(Path.Combine(folder, "plots", "latent.svg"), svg);
        Assert.Equal("svg", System.Xml.Linq.XDocument.Load(svg).Root!.Name.LocalName);
        Assert.Equal(["latent.png", "latent.svg"], Directory.GetFiles(Path.Combine(folder, "plots")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Figures_WriteTheirTextInAFontThatIsInstalled()
    {
        // SkiaSharp substitutes another family for a missing one (or draws nothing): the name must resolve to itself.
        using var plot = Figures.Latent("t", "a", "b", [0, 1], [0, 1], new Colouring.None(), equalAxes: true);
        var font = plot.Axes.Bottom.Label.FontName;
        Assert.Equal(font, SKTypeface.FromFamilyName(font).FamilyName);
        Assert.Equal(font, plot.Axes.Title.Label.FontName);
    }

    [Fact]
    public void PlotFormat_IsAHostKey_WrittenOnlyWhenNotTheDefault()
    {
        var svg = ConfigLoader.Load(null, ["plot_format=svg"]);
        Assert.Equal(PlotFormat.Svg, svg.PlotFormat);
        Assert.Contains("\nplot_format: svg\n", ConfigWriter.ToYaml(svg));
        var png = ConfigLoader.Load(null, []);
        Assert.Equal(PlotFormat.Png, png.PlotFormat);
        Assert.DoesNotContain("plot_format", ConfigWriter.ToYaml(png));
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["plot_format=pdf"]));
    }
}
