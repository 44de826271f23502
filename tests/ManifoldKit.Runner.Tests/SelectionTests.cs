using ManifoldKit.Experiments;
using ManifoldKit.Runner.Reporting;
using Xunit;

namespace ManifoldKit.Runner.Tests;

public sealed class SelectionTests
{
    private static ExperimentResult Result(string name, long seed, double iwae) => new()
    {
        Name = name, Seed = seed, Elbo = iwae - 1, Iwae = iwae, IwaeSamples = 100, Kl = 5, Collapsed = false,
        Steps = 10, TrainSeconds = 1, StepsPerSecond = 10,
    };

    private static Selection.Candidate Candidate(string name, bool matches, params double[] iwae) =>
        new(name, matches, iwae.Select((v, seed) => Result(name, seed, v)).ToList());

    [Fact]
    public void Rank_OrdersByMeanIwae_AndTheVerdictPairsBySeed()
    {
        var ranked = Selection.Rank([Candidate("euclidean-2", false, 310, 312), Candidate("circle", true, 313, 312.5), Candidate("euclidean-1", false, 299, 301)]);
        Assert.Equal(["circle", "euclidean-2", "euclidean-1"], ranked.Select(c => c.Latent));
        // Paired differences 3 and 0.5: mean 1.75, sample std 1.77.
        Assert.Equal("The task's own topology, `circle`, ranks **first** of 3 on `circle`; against `euclidean-2`, the best other latent: " +
                     "IWAE difference 1.75 ± 1.77 nats, paired over 2 seeds, ahead in 2 of 2.", Selection.Verdict("circle", ranked));
        var table = Selection.Markdown("circle", ranked);
        Assert.Contains("| 1 | **circle** (the task's) | 312.75 ± 0.35 | 311.75 ± 0.35 | 5.00 | 0/2 | 2 |", table);
        Assert.Contains("| 3 | euclidean-1 | 300.00 ± 1.41 |", table);
    }

    [Fact]
    public void Verdict_SaysWhenTheTasksLatentIsBeaten()
    {
        var ranked = Selection.Rank([Candidate("sphere", true, 300, 305), Candidate("euclidean-3", false, 304, 304)]);
        Assert.Equal("The task's own topology, `sphere`, ranks **2nd** of 2 on `sphere`; against `euclidean-3`, the best other latent: " +
                     "IWAE difference -1.50 ± 3.54 nats, paired over 2 seeds, ahead in 1 of 2.", Selection.Verdict("sphere", ranked));
        Assert.StartsWith("No candidate is the task's own manifold", Selection.Verdict("so3", Selection.Rank([Candidate("euclidean-3", false, 1)])));
    }

    [Fact]
    public void Leader_OnDataOfUnknownTopology_NamesTheFirstAndItsPairedMargin()
    {
        var ranked = Selection.Rank([Candidate("euclidean-9", false, 300, 301), Candidate("circle+euclidean-8", false, 302, 301.5)]);
        Assert.Equal("`circle+euclidean-8` ranks **first** of 2 on `fashion-mnist (fm-rotated)`; against `euclidean-9`, the second: " +
                     "IWAE difference 1.25 ± 1.06 nats, paired over 2 seeds, ahead in 2 of 2.", Selection.Leader("fashion-mnist (fm-rotated)", ranked));
        Assert.Contains(Selection.Leader("d", ranked), Selection.Markdown("d", ranked, knownTopology: false));
        Assert.DoesNotContain("the task's", Selection.Markdown("d", ranked, knownTopology: false));
        Assert.DoesNotContain("angle recovery", Selection.Markdown("d", ranked, knownTopology: false));

        // A third candidate gets its own paired margin; a measured angle recovery gets a column, blank where not measured.
        var circle = new Selection.Candidate("circle+euclidean-8", false, [Result("c", 0, 302) with { AngleRecovery = 0.5 }, Result("c", 1, 301.5) with { AngleRecovery = 0.7 }]);
        ranked = Selection.Rank([circle, Candidate("euclidean-9", false, 300, 301), Candidate("euclidean-10", false, 299, 300)]);
        Assert.EndsWith("; against `euclidean-10`, the 3rd: IWAE difference 2.25 ± 1.06 nats, paired over 2 seeds, ahead in 2 of 2.", Selection.Leader("d", ranked));
        var table = Selection.Markdown("d", ranked, knownTopology: false);
        Assert.Contains("| seeds | train time (s) | angle recovery |", table);
        Assert.Contains("| 1 | circle+euclidean-8 | 301.75 ± 0.35 | 300.75 ± 0.35 | 5.00 | 0/2 | 2 | 1.0 ± 0.0 | 0.600 ± 0.141 |", table);
        Assert.Contains("| 2 | euclidean-9 | 300.50 ± 0.71 | 299.50 ± 0.71 | 5.00 | 0/2 | 2 | 1.0 ± 0.0 | |", table);
    }
}
