using System.CommandLine;
using ManifoldKit.Runner.Commands;

ManifoldKit.LibTorchThreads.ApplyEnvironment();
ManifoldKit.Training.NativeHeap.Configure();

var root = new RootCommand("ManifoldKit: variational auto-encoders with manifold-valued latents by embedding-reparameterisation.")
{
    RunCommand.Create(),
    SweepCommand.Create(),
    ReportCommand.Create(),
    SelectCommand.Create(),
    EmbedCommand.Create(),
    QualityCommand.Create(),
    EvalCommand.Create(),
    ExportCommand.Create(),
    ManifoldsCommand.Create(),
    VerifyCommand.Create(),
    CheckCommand.Create(),
    KeysCommand.Create(),
};
var parse = root.Parse(args);
// A malformed command line is a usage error like a bad config: one line, exit code 2.
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine($"manifoldkit: {CommandLine.ParseError(parse.Errors[0].Message)} (see 'manifoldkit {parse.CommandResult.Command.Name} --help')");
    return CommandLine.UsageError;
}
return await parse.InvokeAsync();
