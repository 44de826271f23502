namespace ManifoldKit.Testing;

/// <summary>What the three contract suites share: the manifold under test, built once per test, and the tolerance.</summary>
public abstract class ConformanceSuite
{
    private IManifold? manifold;

    /// <summary>The manifold under test.</summary>
    protected IManifold Manifold => manifold ??= CreateManifold();

    /// <summary>Builds the manifold under test.</summary>
    protected abstract IManifold CreateManifold();

    /// <summary>Absolute tolerance of the float64 identities.</summary>
    protected virtual double Tolerance => 1e-9;
}
