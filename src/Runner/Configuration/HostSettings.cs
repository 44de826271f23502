using ManifoldKit.Runner.Reporting;
using ManifoldKit.Settings;

namespace ManifoldKit.Runner.Configuration;

/// <summary>The top-level keys that concern the runner, not the experiment: where runs go, plugins, a reference figure, the figures' format.</summary>
public sealed record HostSettings
{
    /// <summary>Where run directories go.</summary>
    [Setting("where run directories go, relative to the working directory")]
    public string Output { get; init; } = "runs";

    /// <summary>Extra plugin folders, relative to the config's folder.</summary>
    [Setting("extra folders of manifold plugins, relative to the config's folder")]
    public IReadOnlyList<string> PluginDirs { get; init; } = [];

    /// <summary>A published figure to print beside the results.</summary>
    [Setting("a published figure to print beside the results, e.g. the paper's ELBO", OmitWhenDefault = true)]
    public string? Reference { get; init; }

    /// <summary>The figures' file format.</summary>
    [Setting("file format of the figures a run, sweep or select writes: `png`, or `svg` (vector graphics); image grids stay PNG", OmitWhenDefault = true)]
    public PlotFormat PlotFormat { get; init; }
}
