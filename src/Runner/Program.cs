using System.CommandLine;
using ManifoldKit.Runner.Commands;

// MANIFOLDKIT_THREADS caps libtorch's threads, e.g. 1 when running several seeds side by side.
if (int.TryParse(Environment.GetEnvironmentVariable("MANIFOLDKIT_THREADS"), out var threads) && threads > 0)
    TorchSharp.torch.set_num_threads(threads);

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
};
return await root.Parse(args).InvokeAsync();
