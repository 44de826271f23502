using System.Globalization;

namespace ManifoldKit.Runner.Reporting;

/// <summary>Line and scatter plots with axes, ticks and labels, as PNG.</summary>
public static class Plots
{
    private const int Width = 640, Height = 480, Left = 80, Right = 20, Top = 40, Bottom = 50;
    private static readonly (byte, byte, byte) Ink = (30, 30, 30), Grid = (225, 225, 225), Blue = (31, 119, 180);

    /// <summary>A curve through <paramref name="points"/> (in order).</summary>
    public static void Line(string path, string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> points)
    {
        var canvas = Frame(title, xLabel, yLabel, points.Select(p => p.X), points.Select(p => p.Y), out var map);
        for (var i = 1; i < points.Count; i++)
        {
            var (x0, y0) = map(points[i - 1].X, points[i - 1].Y);
            var (x1, y1) = map(points[i].X, points[i].Y);
            canvas.Line(x0, y0, x1, y1, Blue);
            canvas.Line(x0, y0 + 1, x1, y1 + 1, Blue);
        }
        canvas.Save(path);
    }

    /// <summary>Coloured dots.</summary>
    public static void Scatter(string path, string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y, (byte, byte, byte) Color)> points)
    {
        var canvas = Frame(title, xLabel, yLabel, points.Select(p => p.X), points.Select(p => p.Y), out var map);
        foreach (var (x, y, color) in points)
        {
            var (px, py) = map(x, y);
            canvas.Dot(px, py, 2, color);
        }
        canvas.Save(path);
    }

    /// <summary>A colour wheel: the hue of an angle in radians, so nearby angles get nearby colours.</summary>
    public static (byte, byte, byte) Hue(double angle)
    {
        var h = (angle / (2 * Math.PI) % 1 + 1) % 1 * 6;
        var f = h - Math.Floor(h);
        byte Up(double v) => (byte)(40 + 200 * v);
        return ((int)h switch
        {
            0 => (Up(1), Up(f), Up(0)),
            1 => (Up(1 - f), Up(1), Up(0)),
            2 => (Up(0), Up(1), Up(f)),
            3 => (Up(0), Up(1 - f), Up(1)),
            4 => (Up(f), Up(0), Up(1)),
            _ => (Up(1), Up(0), Up(1 - f)),
        });
    }

    private static PngCanvas Frame(string title, string xLabel, string yLabel, IEnumerable<double> xs, IEnumerable<double> ys, out Func<double, double, (int, int)> map)
    {
        var (xMin, xMax) = Range(xs);
        var (yMin, yMax) = Range(ys);
        var canvas = new PngCanvas(Width, Height);
        int plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        map = (x, y) => (Left + (int)Math.Round((x - xMin) / (xMax - xMin) * plotWidth), Top + plotHeight - (int)Math.Round((y - yMin) / (yMax - yMin) * plotHeight));
        for (var i = 0; i <= 4; i++)
        {
            var x = Left + i * plotWidth / 4;
            var y = Top + plotHeight - i * plotHeight / 4;
            canvas.Line(x, Top, x, Top + plotHeight, Grid);
            canvas.Line(Left, y, Left + plotWidth, y, Grid);
            var xTick = Format(xMin + i * (xMax - xMin) / 4);
            var yTick = Format(yMin + i * (yMax - yMin) / 4);
            canvas.Text(x - PngCanvas.TextWidth(xTick) / 2, Top + plotHeight + 8, xTick, Ink);
            canvas.Text(Left - 6 - PngCanvas.TextWidth(yTick), y - 3, yTick, Ink);
        }
        canvas.Line(Left, Top, Left, Top + plotHeight, Ink);
        canvas.Line(Left, Top + plotHeight, Left + plotWidth, Top + plotHeight, Ink);
        var titleScale = PngCanvas.TextWidth(title, 2) <= Width - 10 ? 2 : 1;
        canvas.Text((Width - PngCanvas.TextWidth(title, titleScale)) / 2, 10, title, Ink, titleScale);
        canvas.Text(Left + (plotWidth - PngCanvas.TextWidth(xLabel)) / 2, Height - 18, xLabel, Ink);
        canvas.Text(4, Top - 14, yLabel, Ink);
        return canvas;
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return (0, 1);
        var (min, max) = (finite.Min(), finite.Max());
        var pad = max > min ? 0.05 * (max - min) : 0.5;
        return (min - pad, max + pad);
    }

    private static string Format(double value) => Math.Abs(value) >= 1e5 || (Math.Abs(value) < 1e-3 && value != 0)
        ? value.ToString("0.##E+0", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);
}
