using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ManifoldKit.Training;

/// <summary>
/// A training checkpoint: a directory <c>checkpoint/</c> holding the weights, the Adam state, the
/// generator state and <c>state.json</c> (the step, the training time so far, and the size and
/// SHA-256 of each part). It is written beside as <c>checkpoint.tmp/</c>, <c>state.json</c> last, and
/// swapped in by renames, so an interrupted save leaves the previous checkpoint intact. A part that
/// does not match <c>state.json</c> is refused with a <see cref="RunFileException"/> before libtorch
/// sees it.
/// </summary>
public static class Checkpoint
{
    /// <summary>The version written: 2 added the parts' sizes and checksums and the training time; 1 (no <c>Format</c> key) had the step only.</summary>
    public const int FileFormat = 2;

    /// <summary>The files written by <see cref="Trainer"/>, in the order they are written.</summary>
    public static IReadOnlyList<string> Parts { get; } = ["model.bin", "optimizer.bin", "generator.bin"];

    private const string Name = "checkpoint";

    /// <summary>Saves the trainer's state under <paramref name="runDirectory"/>.</summary>
    public static void Save(string runDirectory, Trainer trainer)
    {
        var final = Path.Combine(runDirectory, Name);
        var staging = final + ".tmp";
        var retired = final + ".old";
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            Directory.CreateDirectory(staging);
            trainer.SaveState(staging);
            var parts = Parts.Append(Trainer.NoisePart).Where(part => File.Exists(Path.Combine(staging, part)))
                .ToDictionary(part => part, part => Describe(Path.Combine(staging, part)));
            var state = new State(trainer.Step, trainer.Restart, FileFormat, trainer.TrainingTime.TotalSeconds, trainer.TotalStepsRun, parts);
            File.WriteAllText(Path.Combine(staging, "state.json"), JsonSerializer.Serialize(state));
            trainer.OnCheckpointStaged();
        }
        catch
        {
            // A full disk or a refused write must not leave a half-written checkpoint.tmp/ behind.
            try
            {
                if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            }
            catch (IOException)
            {
            }
            throw;
        }
        if (Directory.Exists(retired)) Directory.Delete(retired, recursive: true);
        if (Directory.Exists(final)) Directory.Move(final, retired);
        Directory.Move(staging, final);
        if (Directory.Exists(retired)) Directory.Delete(retired, recursive: true);
        trainer.OnCheckpointed();
    }

    /// <summary>Whether <paramref name="runDirectory"/> holds a complete checkpoint.</summary>
    public static bool Exists(string runDirectory) =>
        File.Exists(Path.Combine(runDirectory, Name, "state.json")) || File.Exists(Path.Combine(runDirectory, Name + ".old", "state.json"));

    /// <summary>Restores the trainer from the checkpoint; returns the step it resumes after.</summary>
    /// <exception cref="FileNotFoundException">There is no complete checkpoint.</exception>
    /// <exception cref="RunFileException">A file of the checkpoint is damaged, or disagrees with the others or with the trainer's settings.</exception>
    public static int Load(string runDirectory, Trainer trainer)
    {
        // A crash between the two renames of Save leaves only checkpoint.old: it is complete.
        var directory = Path.Combine(runDirectory, Name);
        if (!File.Exists(Path.Combine(directory, "state.json"))) directory += ".old";
        var stateFile = Path.Combine(directory, "state.json");
        if (!File.Exists(stateFile)) throw new FileNotFoundException($"no checkpoint in {runDirectory}", stateFile);
        var state = ReadState(stateFile);
        if (state.Step < 0 || state.Step > trainer.Options.Steps)
            throw new RunFileException(stateFile, $"records step {state.Step}, outside 0..{trainer.Options.Steps} (training.steps)");
        if (state.Seconds is < 0 or double.NaN || state.StepsRun < 0)
            throw new RunFileException(stateFile, "records a negative training time or step count");
        if (state.Format >= 2)
        {
            if (state.Parts is null) throw new RunFileException(stateFile, "lists no checksums of the checkpoint's files");
            // The noise generator's state is there only when training drew noise from a generator of its own (a seed group).
            foreach (var part in state.Parts.ContainsKey(Trainer.NoisePart) ? Parts.Append(Trainer.NoisePart) : Parts)
            {
                var path = Path.Combine(directory, part);
                if (!state.Parts.TryGetValue(part, out var expected)) throw new RunFileException(stateFile, $"lists no checksum of {part}");
                if (!File.Exists(path)) throw new RunFileException(path, "is missing");
                var actual = Describe(path);
                if (actual.Bytes != expected.Bytes)
                    throw new RunFileException(path, string.Create(CultureInfo.InvariantCulture, $"is truncated or altered ({actual.Bytes:N0} bytes, {expected.Bytes:N0} recorded in state.json)"));
                if (!string.Equals(actual.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
                    throw new RunFileException(path, "does not match its SHA-256 in state.json (altered or damaged)");
            }
        }
        else
        {
            foreach (var part in Parts)
                if (!File.Exists(Path.Combine(directory, part))) throw new RunFileException(Path.Combine(directory, part), "is missing");
        }
        trainer.LoadState(directory, state.Step, state.Restart, state.Format >= 2 ? state.Seconds : 0, state.Format >= 2 ? state.StepsRun : 0);
        return state.Step;
    }

    private static State ReadState(string stateFile)
    {
        try
        {
            var state = JsonSerializer.Deserialize<State>(File.ReadAllText(stateFile), ReadOptions)
                        ?? throw new RunFileException(stateFile, "is empty (null) instead of a checkpoint's state");
            if (state.Format is < 1 or > FileFormat)
                throw new RunFileException(stateFile, $"has checkpoint format {state.Format}; this ManifoldKit reads formats 1 to {FileFormat}");
            return state;
        }
        catch (JsonException error)
        {
            throw new RunFileException(stateFile, $"is not a checkpoint's state ({error.Message})", error);
        }
    }

    // Step is required: '{}' is not a state.
    private static readonly JsonSerializerOptions ReadOptions = new() { RespectRequiredConstructorParameters = true };

    private static Part Describe(string path)
    {
        using var stream = File.OpenRead(path);
        return new Part(stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    // Format 1 files hold only Step and Restart: the other members keep their defaults.
    private sealed record State(int Step, RestartOutcome? Restart = null, int Format = 1, double Seconds = 0, int StepsRun = 0,
        Dictionary<string, Part>? Parts = null);

    private sealed record Part(long Bytes, string Sha256);
}
