using StretchBot.Text;

namespace StretchBot.Catalog;

public sealed record StretchMatch(Stretch? Best, IReadOnlyList<Stretch> Suggestions)
{
    public static StretchMatch Nothing { get; } = new(null, []);
}

/// <summary>
/// Forgiving name lookup for what people type in chat: ids, names and aliases compared word by
/// word, tolerating typos (Damerau-Levenshtein), partial words ("hyper") and missing little words
/// ("knee chest"). Scores are 0..1; the weights were tuned against the built-in names and are
/// pinned by tests rather than by theory.
/// </summary>
internal sealed class StretchMatcher
{
    // A match at or above this is confident enough to act on without asking.
    private const double AcceptScore = 0.72;

    // Two stretches this close to each other are ambiguous ("twist"): ask rather than guess.
    private const double AmbiguityMargin = 0.04;

    // Below this a stretch is not worth suggesting.
    private const double SuggestScore = 0.4;

    private const int MaxSuggestions = 3;

    // Words that appear in names but say nothing about which stretch is meant.
    private static readonly HashSet<string> NoiseWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "to", "on", "of", "with", "and", "in", "my", "for", "me", "do", "please",
        "stretch", "stretches", "stretching", "exercise", "exercises", "pose", "posture",
    };

    private readonly List<(Stretch Stretch, List<string[]> Names)> _entries;

    public StretchMatcher(IEnumerable<Stretch> stretches)
    {
        _entries = [.. stretches.Select(s => (s, NamesOf(s)))];
    }

    public StretchMatch Match(string? query)
    {
        var words = Meaningful(TextNormalizer.Words(query));
        if (words.Length == 0)
        {
            return StretchMatch.Nothing;
        }

        var ranked = _entries
            .Select((e, order) => (e.Stretch, Score: e.Names.Max(n => Score(words, n)), Order: order))
            .Where(r => r.Score >= SuggestScore)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Order)
            .ToList();

        if (ranked.Count == 0)
        {
            return StretchMatch.Nothing;
        }

        var top = ranked[0];
        var confident = top.Score >= AcceptScore
            && (ranked.Count == 1 || top.Score - ranked[1].Score >= AmbiguityMargin || top.Score >= 0.999 && ranked[1].Score < 0.999);
        return confident
            ? new StretchMatch(top.Stretch, [.. ranked.Skip(1).Take(MaxSuggestions).Select(r => r.Stretch)])
            : new StretchMatch(null, [.. ranked.Take(MaxSuggestions).Select(r => r.Stretch)]);
    }

    private static List<string[]> NamesOf(Stretch stretch) =>
        [.. new[] { stretch.Id, stretch.Name }
            .Concat(stretch.Aliases)
            .Select(n => Meaningful(TextNormalizer.Words(n)))
            .Where(w => w.Length > 0)];

    private static string[] Meaningful(string[] words)
    {
        var kept = words.Where(w => !NoiseWords.Contains(w)).ToArray();
        return kept.Length > 0 ? kept : words;
    }

    internal static double Score(string[] query, string[] name)
    {
        // How much of the query this name explains, and how much of the name the query covers;
        // the first matters more because people type fragments ("cat", "hang").
        var precision = query.Average(q => name.Max(n => WordSimilarity(q, n)));
        var recall = name.Average(n => query.Max(q => WordSimilarity(q, n)));
        var wordScore = (0.8 * precision) + (0.2 * recall);

        // Catches run-together or split words: "kneetochest", "down ward dog".
        var joined = CompactSimilarity(string.Concat(query), string.Concat(name));
        return Math.Max(wordScore, joined);
    }

    internal static double WordSimilarity(string typed, string word)
    {
        if (typed == word || TextNormalizer.Singular(typed) == TextNormalizer.Singular(word))
        {
            return 1.0;
        }

        if (typed.Length >= 3 && word.StartsWith(typed, StringComparison.Ordinal))
        {
            return 0.9;
        }

        if (word.Length >= 4 && typed.StartsWith(word, StringComparison.Ordinal))
        {
            return 0.85;
        }

        var distance = EditDistance.Between(typed, word);
        var allowed = typed.Length switch
        {
            // Short words only forgive a swap ("dgo"); one wrong letter turns "cat" into "hat".
            <= 3 => typed.Order().SequenceEqual(word.Order()) ? 1 : 0,
            <= 5 => 1,
            <= 8 => 2,
            _ => 3,
        };
        return distance <= allowed ? 1.0 - ((double)distance / Math.Max(typed.Length, word.Length)) : 0.0;
    }

    private static double CompactSimilarity(string typed, string name)
    {
        if (typed == name)
        {
            return 1.0;
        }

        var longer = Math.Max(typed.Length, name.Length);
        var distance = EditDistance.Between(typed, name);
        return longer >= 8 && distance <= longer / 5 ? 1.0 - ((double)distance / longer) : 0.0;
    }
}
