using FsCheck;
using FsCheck.Fluent;

namespace ManifoldKit.Testing;

/// <summary>FsCheck generators for the conformance suites (register with <c>[Properties(Arbitrary = ...)]</c>).</summary>
public static class ManifoldArbitraries
{
    /// <summary>Seeds spread over the whole non-negative range.</summary>
    public static Arbitrary<Seed> Seeds() => Arb.From(Gen.Choose(0, int.MaxValue).Select(value => new Seed(value)));
}
