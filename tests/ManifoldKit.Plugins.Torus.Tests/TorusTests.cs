using ManifoldKit.Testing;

namespace ManifoldKit.Plugins.Tests;

// What a plugin author writes to inherit every conformance law: three classes.
public sealed class TorusManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new Torus(); }

public sealed class TorusEmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Torus(); }

public sealed class TorusSymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new Torus(); }
