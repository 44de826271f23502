using ManifoldKit.Data;
using ManifoldKit.Settings;

namespace ManifoldKit.Experiments;

/// <summary>
/// Where the observations come from. Every key is left out of a run's resolved config at its default,
/// so the toy tasks (<c>task</c>, <c>noise_std</c>) keep their short form and older runs still match.
/// </summary>
public sealed record DataOptions
{
    /// <summary>A name from <see cref="DataSources"/>.</summary>
    [Setting("where the data comes from: `toy` (generated from `task`), `files` (your .npy, .csv or IDX files), `fashion-mnist` (the 70,000 images of Debian's `dataset-fashion-mnist`), or a data source a plugin registers",
        OmitWhenDefault = true)]
    public string Source { get; init; } = DataSources.Toy;

    /// <summary>Settings passed to a plugin's data source.</summary>
    [Setting("settings passed to a plugin's data source, e.g. `{size: 1000}`; a setting it does not read is an error", OmitWhenDefault = true)]
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The training observations, for <c>files</c>.</summary>
    [Setting("for `files`: the training observations, `.npy` (float32/float64/uint8, C order), `.csv` (numeric columns, header optional) or IDX (`.gz` or plain); one row per point, any trailing shape flattened", OmitWhenDefault = true, IsPath = true)]
    public string? Train { get; init; }

    /// <summary>The test observations, for <c>files</c>.</summary>
    [Setting("for `files`: the test observations, in the same format; without it, `split` holds out part of `train`", OmitWhenDefault = true, IsPath = true)]
    public string? Test { get; init; }

    /// <summary>Known factors of the training points (e.g. labels), for <c>.npy</c> and IDX files.</summary>
    [Setting("for `files` in `.npy` or IDX: the known factors of the training points (e.g. labels), one row per point; used for evaluation and plots only, never trained on", OmitWhenDefault = true, IsPath = true)]
    public string? TrainFactors { get; init; }

    /// <summary>Known factors of the test points.</summary>
    [Setting("for `files`: the known factors of the test points", OmitWhenDefault = true, IsPath = true)]
    public string? TestFactors { get; init; }

    /// <summary>CSV columns kept apart as known factors.</summary>
    [Setting("for `files` in `.csv`: columns kept apart as known factors (e.g. `[angle, label]`), named in the header; never trained on", OmitWhenDefault = true)]
    public IReadOnlyList<string> FactorColumns { get; init; } = [];

    /// <summary>The fraction of <see cref="Train"/> held out when there is no test file.</summary>
    [Setting("for `files` without `test`: the fraction of `train` held out as the test set, drawn with `data_seed`", Min = 0, Exclusive = true, Max = 0.9, OmitWhenDefault = true)]
    public double? Split { get; init; }

    /// <summary>The folder of the four Fashion-MNIST IDX files.</summary>
    [Setting("for `fashion-mnist`: the folder of its four IDX files (default: where `apt-get install dataset-fashion-mnist` puts them)", OmitWhenDefault = true, IsPath = true)]
    public string? Path { get; init; }

    /// <summary>How values are scaled.</summary>
    [Setting("`auto` (bytes divided by 255, other values as they are), `none`, or `unit` (each dimension mapped to [0, 1] by the training set's minimum and maximum)", OmitWhenDefault = true)]
    public DataScale Scale { get; init; }

    /// <summary>Binarisation of values in [0, 1].</summary>
    [Setting("`none`, `static` (each value v replaced once by a draw of Bernoulli(v), seeded by `data_seed`) or `dynamic` (drawn afresh for every training batch; the test set static); values must lie in [0, 1]. The likelihood of binarised images is `bernoulli`", OmitWhenDefault = true)]
    public Binarization Binarize { get; init; }

    /// <summary>Random rotation of square images.</summary>
    [Setting("`none` or `uniform`: each square image (D = s²) is padded with zeros to side ⌈s√2⌉ (28 → 40, so 1,600 values) and turned by an angle drawn uniformly from [0, 2π), afresh for every training batch and fixed per test image (seeded by `data_seed` + 2); the angle is added as the known factor `angle`. Grey values are turned first, then binarised (`dynamic` only)", OmitWhenDefault = true)]
    public Rotation Rotate { get; init; }
}

/// <summary>How <see cref="DataOptions.Rotate"/> turns images.</summary>
public enum Rotation
{
    /// <summary>As they are.</summary>
    None,

    /// <summary>By an angle drawn uniformly from [0, 2π).</summary>
    Uniform,
}

/// <summary>How <see cref="DataOptions.Scale"/> maps values.</summary>
public enum DataScale
{
    /// <summary>Bytes (uint8 files, Fashion-MNIST) divided by 255; other values as they are.</summary>
    Auto,

    /// <summary>As they are.</summary>
    None,

    /// <summary>Each dimension to [0, 1] by the training set's minimum and maximum.</summary>
    Unit,
}

/// <summary>How <see cref="DataOptions.Binarize"/> binarises.</summary>
public enum Binarization
{
    /// <summary>Values as they are.</summary>
    None,

    /// <summary>Each value drawn once as Bernoulli(v), seeded.</summary>
    Static,

    /// <summary>Each training batch drawn afresh; the test set once, seeded.</summary>
    Dynamic,
}
