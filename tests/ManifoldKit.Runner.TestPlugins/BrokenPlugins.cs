namespace ManifoldKit.Runner.TestPlugins;

/// <summary>Throws while registering: the runner must report it and load the others.</summary>
public sealed class ThrowingPlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) => throw new InvalidOperationException("boom");
}

/// <summary>Claims the name of a built-in manifold: the first registration must win.</summary>
public sealed class DuplicateNamePlugin : IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) => registrar.Add("circle", _ => throw new InvalidOperationException("the impostor was built"));
}
