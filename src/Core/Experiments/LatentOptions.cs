namespace ManifoldKit.Experiments;

/// <summary>The latent variable of a model: Euclidean R^n, or a manifold reached by embedding-reparameterisation.</summary>
public sealed record LatentOptions
{
    /// <summary><c>euclidean</c> or <c>manifold</c>.</summary>
    public string Kind { get; init; } = "manifold";

    /// <summary>n for a Euclidean latent.</summary>
    public int Dim { get; init; } = 1;

    /// <summary>Registry name of the latent manifold.</summary>
    public string Manifold { get; init; } = "circle";

    /// <summary>Settings passed to the manifold's factory.</summary>
    public IReadOnlyDictionary<string, string> ManifoldSettings { get; init; } = new Dictionary<string, string>();

    /// <summary><c>exact</c> (the manifold's own f), <c>learned</c> (WAE-MMD, cached per seed), or the path of a saved f.</summary>
    public string Embedding { get; init; } = "exact";

    /// <summary>Whether the model has a group-action encoder a(x).</summary>
    public bool GroupAction { get; init; }

    /// <summary><c>gaussian</c> or <c>beta</c>; by default Gaussian for Euclidean latents and Beta for manifolds.</summary>
    public string? Posterior { get; init; }
}
