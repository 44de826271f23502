using System.CommandLine;
using ManifoldKit.Runner.Commands;

ManifoldKit.LibTorchThreads.ApplyEnvironment();

var root = new RootCommand("ManifoldKit: variational auto-encoders with manifold-valued latents by embedding-reparameterisation.")
{
    RunCommand.Create(),
    SweepCommand.Create(),
    SelectCommand.Create(),
    EmbedCommand.Create(),
    QualityCommand.Create(),
    EvalCommand.Create(),
    ManifoldsCommand.Create(),
    VerifyCommand.Create(),
    KeysCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
