namespace StretchBot.Catalog;

/// <summary>The stretches the bot can offer, and the safety advice shown with them. Immutable.</summary>
public sealed class StretchCatalog
{
    private readonly Dictionary<string, Stretch> _byId;
    private readonly FilterVocabulary _vocabulary;
    private readonly StretchMatcher _matcher;

    public StretchCatalog(IEnumerable<Stretch> stretches, SafetyAdvice safety)
    {
        ArgumentNullException.ThrowIfNull(stretches);
        ArgumentNullException.ThrowIfNull(safety);

        All = [.. stretches];
        Safety = safety;
        _byId = new Dictionary<string, Stretch>(StringComparer.OrdinalIgnoreCase);
        foreach (var stretch in All)
        {
            if (!_byId.TryAdd(stretch.Id, stretch))
            {
                throw new ArgumentException($"Stretch id '{stretch.Id}' appears more than once.", nameof(stretches));
            }
        }

        _vocabulary = new FilterVocabulary(All.SelectMany(s => s.BodyAreas));
        _matcher = new StretchMatcher(All);
    }

    public IReadOnlyList<Stretch> All { get; }

    public SafetyAdvice Safety { get; }

    /// <summary>Body-area keywords a filter understands (the catalog's own plus everyday ones such as "legs").</summary>
    public IReadOnlyCollection<string> BodyAreas => _vocabulary.BodyAreas;

    public Stretch? Find(string id) =>
        !string.IsNullOrWhiteSpace(id) && _byId.TryGetValue(id.Trim(), out var stretch) ? stretch : null;

    public IReadOnlyList<Stretch> Filter(StretchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var area = _vocabulary.Canonical(filter.BodyArea);
        var areas = area is null ? null : FilterVocabulary.Expand(area);

        return [.. All.Where(s =>
            (filter.Place is not { } place || s.Places.Contains(place))
            && (areas is null || s.BodyAreas.Any(areas.Contains))
            && (!filter.QuickOnly || s.IsQuick))];
    }

    /// <summary>
    /// Reads filter words from what someone typed: places ("desk", "office", "floor", "mat",
    /// "gym"), "quick", and body areas with everyday synonyms ("lower back", "legs", "glutes",
    /// "hip"), in any case, singular or plural. Returns false when some words are not filter
    /// words, which usually means the text names a stretch; <paramref name="unknown"/> has them.
    /// </summary>
    public bool TryParseFilter(string text, out StretchFilter filter, out string unknown) =>
        _vocabulary.TryParse(text, out filter, out unknown);

    /// <summary>Finds the stretch someone means by name, forgiving typos and partial names.</summary>
    public StretchMatch Match(string query) => _matcher.Match(query);
}
