using System.Text.Json;

namespace ManifoldKit.Training;

/// <summary>
/// A training checkpoint: a directory <c>checkpoint/</c> holding the weights, the Adam state, the
/// generator state and <c>state.json</c> (the step). It is written beside as <c>checkpoint.tmp/</c>
/// and swapped in by renames, so an interrupted save leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    private const string Name = "checkpoint";

    /// <summary>Saves the trainer's state under <paramref name="runDirectory"/>.</summary>
    public static void Save(string runDirectory, Trainer trainer)
    {
        var final = Path.Combine(runDirectory, Name);
        var staging = final + ".tmp";
        var retired = final + ".old";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        trainer.SaveState(staging);
        File.WriteAllText(Path.Combine(staging, "state.json"), JsonSerializer.Serialize(new State(trainer.Step, trainer.Restart)));
        if (Directory.Exists(retired)) Directory.Delete(retired, recursive: true);
        if (Directory.Exists(final)) Directory.Move(final, retired);
        Directory.Move(staging, final);
        if (Directory.Exists(retired)) Directory.Delete(retired, recursive: true);
    }

    /// <summary>Whether <paramref name="runDirectory"/> holds a complete checkpoint.</summary>
    public static bool Exists(string runDirectory) =>
        File.Exists(Path.Combine(runDirectory, Name, "state.json")) || File.Exists(Path.Combine(runDirectory, Name + ".old", "state.json"));

    /// <summary>Restores the trainer from the checkpoint; returns the step it resumes after.</summary>
    /// <exception cref="FileNotFoundException">There is no complete checkpoint.</exception>
    public static int Load(string runDirectory, Trainer trainer)
    {
        // A crash between the two renames of Save leaves only checkpoint.old: it is complete.
        var directory = Path.Combine(runDirectory, Name);
        if (!File.Exists(Path.Combine(directory, "state.json"))) directory += ".old";
        var stateFile = Path.Combine(directory, "state.json");
        if (!File.Exists(stateFile)) throw new FileNotFoundException($"no checkpoint in {runDirectory}", stateFile);
        var state = JsonSerializer.Deserialize<State>(File.ReadAllText(stateFile)) ?? throw new InvalidDataException($"{stateFile} is empty");
        trainer.LoadState(directory, state.Step, state.Restart);
        return state.Step;
    }

    private sealed record State(int Step, RestartOutcome? Restart = null);
}
