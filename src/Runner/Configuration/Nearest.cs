namespace ManifoldKit.Runner.Configuration;

/// <summary>Suggests the closest known name to a misspelt one (Levenshtein distance).</summary>
public static class Nearest
{
    /// <summary>The candidate within a third of the name's length in edits, or null.</summary>
    public static string? Match(string name, IEnumerable<string> candidates) =>
        candidates.Select(c => (Candidate: c, Distance: Distance(name, c)))
                  .Where(c => c.Distance <= Math.Max(2, name.Length / 3))
                  .OrderBy(c => c.Distance).Select(c => c.Candidate).FirstOrDefault();

    /// <summary>"; did you mean 'x'?" or "." to end the sentence naming the unknown name.</summary>
    public static string Hint(string name, IEnumerable<string> candidates) =>
        Match(name, candidates) is { } match ? $"; did you mean '{match}'?" : ".";

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
