using System.CommandLine;
using ManifoldKit.Runner.Configuration;

namespace ManifoldKit.Runner.Commands;

/// <summary><c>manifoldkit keys</c>: every config key with its default and meaning, as the Markdown table of configs/README.md.</summary>
public static class KeysCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("keys", "List every config key, its default and meaning (Markdown).");
        command.SetAction(_ => CommandLine.Guard(() =>
        {
            Console.Write(KeyTable.Markdown());
            return 0;
        }));
        return command;
    }
}
