using System.Collections;
using System.Globalization;
using ManifoldKit.Runner.Configuration;

namespace ManifoldKit.Runner.Commands;

/// <summary>
/// One shard of a sweep split across processes or machines: shard <see cref="Index"/> of <see cref="Count"/>
/// runs the units u (in the sweep's order) with u mod Count = Index. Round-robin rather than contiguous
/// blocks, so each shard gets a share of every config rather than all seeds of the slowest one.
/// </summary>
/// <param name="Index">0-based, below <paramref name="Count"/>.</param>
/// <param name="Count">How many shards split the sweep, at least 1.</param>
/// <param name="Source">Where the index came from, as printed (e.g. <c>--shard 1/3</c>, <c>SLURM_ARRAY_TASK_ID=5 - SLURM_ARRAY_TASK_MIN=4</c>).</param>
public sealed record Shard(int Index, int Count, string Source)
{
    /// <summary>Slurm job array: this task's id.</summary>
    public const string SlurmId = "SLURM_ARRAY_TASK_ID";

    /// <summary>Slurm job array: how many tasks the array has.</summary>
    public const string SlurmCount = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>Slurm job array: the lowest task id (an array may start at 1, e.g. <c>--array=1-4</c>).</summary>
    public const string SlurmMin = "SLURM_ARRAY_TASK_MIN";

    /// <summary>Slurm job array: the step between ids (e.g. <c>--array=0-10:2</c>).</summary>
    public const string SlurmStep = "SLURM_ARRAY_TASK_STEP";

    /// <summary>Kubernetes Indexed Job: this pod's index, 0 to completions - 1.</summary>
    public const string JobIndex = "JOB_COMPLETION_INDEX";

    /// <summary>The whole sweep in one process.</summary>
    public static Shard All { get; } = new(0, 1, "no --shard");

    /// <summary>Whether this shard runs unit <paramref name="unit"/> (its 0-based position in the sweep's order).</summary>
    public bool Owns(int unit) => unit % Count == Index;

    /// <summary>The shard that runs unit <paramref name="unit"/> of a sweep split into <paramref name="count"/>.</summary>
    public static int Owner(int unit, int count) => unit % count;

    /// <summary>
    /// Reads a <c>--shard</c> value: <c>I/N</c>; <c>auto</c> (a Slurm job array: index = ID - MIN, divided by the
    /// step if any, count = the array's task count); or <c>auto/N</c> (a Kubernetes Indexed Job: index =
    /// <c>JOB_COMPLETION_INDEX</c>, N shards). Null means the whole sweep.
    /// </summary>
    /// <param name="value">The option's value, or null when it was not given.</param>
    /// <param name="environment">The process's environment (<see cref="Environment.GetEnvironmentVariables()"/>).</param>
    /// <exception cref="ConfigException">The value or a variable it reads is malformed, missing or out of range.</exception>
    public static Shard Parse(string? value, IDictionary environment)
    {
        if (value is null) return All;
        const string forms = "use --shard I/N (0 <= I < N), --shard auto in a Slurm job array, or --shard auto/N in a Kubernetes Indexed Job";
        var slash = value.IndexOf('/');
        var left = slash < 0 ? value : value[..slash];
        if (left == "auto")
        {
            if (slash < 0) return FromSlurm(environment);
            var jobCount = ParseCount(value[(slash + 1)..], value, forms);
            var index = Variable(environment, JobIndex, $"--shard {value} reads the Indexed Job's index from {JobIndex}, which is not set; " +
                                                        "run it in a Kubernetes Job with completionMode: Indexed, or give the index: --shard I/N");
            return Checked(index, jobCount, $"{JobIndex}={index}", $"{JobIndex} must be below N = {jobCount}: set completions: {jobCount} in the Job, or --shard auto/{index + 1} or more");
        }
        if (slash < 0) throw new ConfigException($"--shard '{value}': expected I/N, auto or auto/N; {forms}.");
        if (!int.TryParse(left, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            throw new ConfigException($"--shard '{value}': the index '{left}' is not a non-negative integer; {forms}.");
        var count = ParseCount(value[(slash + 1)..], value, forms);
        return Checked(i, count, $"--shard {value}", $"--shard '{value}': the index {i} must be below the count {count} (shards are numbered from 0); {forms}");
    }

    private static int ParseCount(string text, string value, string forms) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new ConfigException($"--shard '{value}': the count '{text}' is not a positive integer; {forms}.");

    private static Shard Checked(int index, int count, string source, string error) =>
        index < count ? new Shard(index, count, source) : throw new ConfigException(error + ".");

    private static Shard FromSlurm(IDictionary environment)
    {
        if (environment[SlurmId] is null)
            throw new ConfigException($"--shard auto reads a Slurm job array's {SlurmId}, which is not set; submit with sbatch --array=0-K, " +
                                      $"or in a Kubernetes Indexed Job use --shard auto/N (N = completions), or give --shard I/N.");
        var id = Variable(environment, SlurmId, null);
        var count = Variable(environment, SlurmCount, $"--shard auto: {SlurmId} is set but {SlurmCount} is not; give --shard I/N instead");
        var min = environment[SlurmMin] is null ? 0 : Variable(environment, SlurmMin, null);
        var step = environment[SlurmStep] is null ? 1 : Variable(environment, SlurmStep, null);
        var source = $"{SlurmId}={id}" + (min != 0 ? $" - {SlurmMin}={min}" : "") + (step > 1 ? $", / {SlurmStep}={step}" : "");
        if (step < 1 || id < min || (id - min) % step != 0)
            throw new ConfigException($"--shard auto: {source} gives no shard index (ids must be {SlurmMin} + k * {SlurmStep}); use --shard I/N.");
        var index = (id - min) / step;
        return Checked(index, count, source, $"--shard auto: {source} gives index {index}, not below {SlurmCount}={count}; use --shard I/N");
    }

    private static int Variable(IDictionary environment, string name, string? missing)
    {
        var text = environment[name] as string;
        if (text is null) throw new ConfigException(missing + ".");
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigException($"--shard: the environment variable {name} is '{text}'; expected a non-negative integer.");
    }
}
