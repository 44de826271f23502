using FsCheck;
using FsCheck.Fluent;

namespace ManifoldKit.Testing;

/// <summary>FsCheck generators for the conformance suites (register with <c>[Properties(Arbitrary = ...)]</c>).</summary>
public static class ManifoldArbitraries
{
    /// <summary>
    /// Seeds spread over the whole non-negative range. A seed has no size, so shrinking only moves a
    /// failure to a smaller failing seed, which is shorter to read and replay.
    /// </summary>
    public static Arbitrary<Seed> Seeds() => Arb.From(
        Gen.Choose(0, int.MaxValue).Select(value => new Seed(value)),
        seed => ArbMap.Default.ArbFor<int>().Shrinker(seed.Value).Where(value => value >= 0).Select(value => new Seed(value)));
}
