namespace StretchBot.Catalog;

/// <summary>
/// The words people use to narrow a stretch down ("/stretch desk quick", "lower back", "legs").
/// Body areas come from a fixed list of everyday synonyms plus every keyword the loaded catalog
/// uses, so an admin's custom "wrists" stretch is findable without code changes.
/// </summary>
internal sealed class FilterVocabulary
{
    private static readonly Dictionary<string, StretchPlace> PlaceWords = new(StringComparer.Ordinal)
    {
        ["desk"] = StretchPlace.Desk,
        ["office"] = StretchPlace.Desk,
        ["chair"] = StretchPlace.Desk,
        ["work"] = StretchPlace.Desk,
        ["floor"] = StretchPlace.Floor,
        ["mat"] = StretchPlace.Floor,
        ["ground"] = StretchPlace.Floor,
        ["gym"] = StretchPlace.Gym,
        ["equipment"] = StretchPlace.Gym,
    };

    private static readonly HashSet<string> QuickWords = new(StringComparer.Ordinal)
    {
        "quick", "short", "fast", "brief",
    };

    // Words that carry no filter meaning in "a quick stretch for my back, please".
    private static readonly HashSet<string> FillerWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "some", "any", "me", "my", "for", "at", "on", "in", "of", "to", "with", "and",
        "please", "pls", "stretch", "stretches", "stretching", "exercise", "exercises", "one", "something",
        "only", "just",
    };

    private static readonly Dictionary<string, string> AreaSynonyms = new(StringComparer.Ordinal)
    {
        ["back"] = "back",
        ["lower back"] = "lower-back",
        ["low back"] = "lower-back",
        ["lumbar"] = "lower-back",
        ["upper back"] = "upper-back",
        ["thoracic"] = "upper-back",
        ["spine"] = "spine",
        ["spinal"] = "spine",
        ["vertebrae"] = "spine",
        ["backbone"] = "spine",
        ["neck"] = "neck",
        ["cervical"] = "neck",
        ["shoulder"] = "shoulders",
        ["hamstring"] = "hamstrings",
        ["back of thigh"] = "hamstrings",
        ["back of the thigh"] = "hamstrings",
        ["calf"] = "calves",
        ["hip"] = "hips",
        ["glute"] = "glutes",
        ["buttock"] = "glutes",
        ["bum"] = "glutes",
        ["butt"] = "glutes",
        ["thigh"] = "thighs",
        ["quad"] = "thighs",
        ["chest"] = "chest",
        ["core"] = "core",
        ["abs"] = "core",
        ["stomach"] = "core",
        ["belly"] = "core",
        ["leg"] = "legs",
    };

    // A broad word covers the specific keywords an author may have used instead.
    private static readonly Dictionary<string, string[]> AreaGroups = new(StringComparer.Ordinal)
    {
        ["back"] = ["back", "lower-back", "upper-back", "spine"],
        ["legs"] = ["legs", "hamstrings", "calves", "thighs"],
    };

    private const int LongestPhrase = 4;

    private readonly Dictionary<string, string> _areaPhrases;

    public FilterVocabulary(IEnumerable<string> catalogAreas)
    {
        _areaPhrases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (phrase, area) in AreaSynonyms)
        {
            AddArea(phrase, area);
        }

        foreach (var area in catalogAreas)
        {
            AddArea(area.Replace('-', ' '), area);
        }
    }

    /// <summary>Every canonical body-area keyword that a filter can name.</summary>
    public IReadOnlyCollection<string> BodyAreas => [.. _areaPhrases.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static IReadOnlyCollection<string> PlaceAndSpeedWords => [.. PlaceWords.Keys, .. QuickWords];

    public bool TryParse(string? text, out StretchFilter filter, out string unknown)
    {
        var words = TextNormalizer.Words(text);
        StretchPlace? place = null;
        string? area = null;
        var quick = false;
        var unknownWords = new List<string>();

        for (var i = 0; i < words.Length;)
        {
            var consumed = 0;
            for (var length = Math.Min(LongestPhrase, words.Length - i); length >= 1 && consumed == 0; length--)
            {
                var phrase = string.Join(' ', words, i, length);
                if (TryArea(phrase, out var found))
                {
                    // When two areas are named, the later one wins; it is usually the refinement.
                    area = found;
                    consumed = length;
                }
            }

            if (consumed == 0)
            {
                var word = words[i];
                consumed = 1;
                if (PlaceWords.TryGetValue(word, out var p) || PlaceWords.TryGetValue(TextNormalizer.Singular(word), out p))
                {
                    place = p;
                }
                else if (QuickWords.Contains(word))
                {
                    quick = true;
                }
                else if (!FillerWords.Contains(word))
                {
                    unknownWords.Add(word);
                }
            }

            i += consumed;
        }

        unknown = string.Join(' ', unknownWords);
        filter = new StretchFilter(place, area, quick);
        return unknownWords.Count == 0;
    }

    /// <summary>Maps a body-area name given in code or text ("Lower back", "legs") to its keyword.</summary>
    public string? Canonical(string? bodyArea)
    {
        var words = TextNormalizer.Words(bodyArea);
        return words.Length == 0 ? null : TryArea(string.Join(' ', words), out var area) ? area : string.Join('-', words);
    }

    public static IReadOnlyCollection<string> Expand(string area) =>
        AreaGroups.TryGetValue(area, out var members) ? members : [area];

    private bool TryArea(string phrase, out string area) =>
        _areaPhrases.TryGetValue(phrase, out area!)
        || _areaPhrases.TryGetValue(SingularLastWord(phrase), out area!);

    private void AddArea(string phrase, string area)
    {
        var words = TextNormalizer.Words(phrase);
        if (words.Length == 0)
        {
            return;
        }

        var normalized = string.Join(' ', words);
        _areaPhrases.TryAdd(normalized, area);
        _areaPhrases.TryAdd(SingularLastWord(normalized), area);
    }

    private static string SingularLastWord(string phrase)
    {
        var space = phrase.LastIndexOf(' ');
        return space < 0 ? TextNormalizer.Singular(phrase) : phrase[..(space + 1)] + TextNormalizer.Singular(phrase[(space + 1)..]);
    }
}
