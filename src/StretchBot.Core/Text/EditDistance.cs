namespace StretchBot.Text;

/// <summary>How far apart two words are, for forgiving matches of commands and stretch names.</summary>
public static class EditDistance
{
    /// <summary>
    /// Optimal string alignment distance: insertions, deletions, substitutions, and an adjacent swap
    /// ("strecth", "dgo") counted as one typo. Ordinal: callers normalise case first.
    /// </summary>
    public static int Between(string a, string b)
    {
        var twoBack = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], twoBack[j - 2] + 1);
                }
            }

            (twoBack, previous, current) = (previous, current, twoBack);
        }

        return previous[b.Length];
    }
}
