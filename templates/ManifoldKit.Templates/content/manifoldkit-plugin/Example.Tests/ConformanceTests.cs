using ManifoldKit;
using ManifoldKit.Testing;
using Xunit;

// One suite at a time: TorchSharp 0.107 lets another thread's garbage collection free a Scalar that
// libtorch is still reading ("Expected false to be true"), and parallel suites are such threads.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Example.Tests;

// Every law your manifold qualifies for, one line per suite. A manifold without an exact embedding
// or without a symmetry drops that suite's line. To loosen a float64 tolerance, override it here,
// e.g. `protected override double Tolerance => 1e-7;` (default 1e-9), or in the embedding's suite
// `protected override double SeamMargin => 0.05;` (default 0.01).
public sealed class ExampleManifoldTests : ManifoldContract { protected override IManifold CreateManifold() => new ExampleManifold(); }

public sealed class ExampleEmbeddingTests : ExactEmbeddingContract { protected override IManifold CreateManifold() => new ExampleManifold(); }

public sealed class ExampleSymmetryTests : GroupActionContract { protected override IManifold CreateManifold() => new ExampleManifold(); }
