using ManifoldKit.Testing;

namespace ManifoldKit.Manifolds.Tests;

public sealed class CircleManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new Circle(); }

public sealed class CircleEmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new Circle(); }

public sealed class CircleSymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new Circle(); }
