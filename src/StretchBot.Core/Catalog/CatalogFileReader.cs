using System.Text.Json;
using System.Text.RegularExpressions;

namespace StretchBot.Catalog;

/// <summary>
/// Reads and validates one catalog file. The built-in file goes through exactly the same checks
/// as an admin's custom file, so the limits below are what a card can safely show.
/// </summary>
internal static partial class CatalogFileReader
{
    public const int MinDurationSeconds = 5;
    public const int MaxDurationSeconds = 900;
    public const int MaxIdLength = 60;
    public const int MaxNameLength = 60;
    public const int MaxStepLength = 300;
    public const int MaxSteps = 12;
    public const int MaxTargetsLength = 120;
    public const int MaxShortTextLength = 120;
    public const int MaxCautionLength = 300;
    public const int MaxListItems = 20;
    public const int MaxEditorialNoteLength = 2000;

    private const string StretchesProperty = "stretches";
    private const string SafetyProperty = "safety";

    public sealed record Result(IReadOnlyList<Stretch> Stretches, SafetyAdvice? Safety);

    /// <param name="file">How messages name the file: "Custom catalog /path/x.json".</param>
    /// <param name="requireSafety">The built-in file carries the safety advice; custom files may not replace it.</param>
    public static Result Read(string json, string file, bool requireSafety)
    {
        using var document = ParseDocument(json, file);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CatalogValidationException($"{file}: the top level must be an object like {{\"stretches\": [...]}}.");
        }

        string[] allowedRoot = requireSafety ? [StretchesProperty, SafetyProperty] : [StretchesProperty];
        var unknownRoot = UnknownProperties(root, allowedRoot);
        if (unknownRoot.Count > 0)
        {
            throw new CatalogValidationException(
                $"{file}: unknown top-level {Plural(unknownRoot.Count, "property", "properties")} {Quote(unknownRoot)}; allowed: {string.Join(", ", allowedRoot)}.");
        }

        var twiceAtRoot = root.EnumerateObject().Select(p => p.Name).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (twiceAtRoot.Count > 0)
        {
            throw new CatalogValidationException($"{file}: top-level {Quote(twiceAtRoot)} given more than once.");
        }

        if (!root.TryGetProperty(StretchesProperty, out var stretchesElement))
        {
            throw new CatalogValidationException($"{file}: 'stretches' is required (an array of stretch entries).");
        }

        if (stretchesElement.ValueKind != JsonValueKind.Array)
        {
            throw new CatalogValidationException($"{file}: 'stretches' must be an array, not {Describe(stretchesElement.ValueKind)}.");
        }

        var errors = new List<string>();
        var stretches = new List<Stretch>();
        var firstIndexById = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var element in stretchesElement.EnumerateArray())
        {
            index++;
            var entryErrors = new EntryErrors(file, index, PeekId(element));
            var stretch = ReadEntry(element, entryErrors);
            if (stretch is not null && firstIndexById.TryGetValue(stretch.Id, out var first))
            {
                entryErrors.Add("id", $"duplicates the id of entry #{first}; ids must be unique within a file.");
            }

            if (stretch is not null && entryErrors.Count == 0)
            {
                firstIndexById[stretch.Id] = index;
                stretches.Add(stretch);
            }

            errors.AddRange(entryErrors.Messages);
        }

        SafetyAdvice? safety = null;
        if (requireSafety)
        {
            safety = ReadSafety(root, file, errors);
        }

        if (errors.Count > 0)
        {
            throw new CatalogValidationException(errors);
        }

        return new Result(stretches, safety);
    }

    private static JsonDocument ParseDocument(string json, string file)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line
                ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}"
                : string.Empty;
            throw new CatalogValidationException($"{file}: not valid JSON{where}: {TrimPosition(ex.Message)}", ex);
        }
    }

    private static Stretch? ReadEntry(JsonElement element, EntryErrors errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(null, $"must be an object, not {Describe(element.ValueKind)}.");
            return null;
        }

        var unknown = UnknownProperties(element, KnownStretchProperties);
        if (unknown.Count > 0)
        {
            errors.Add(null, $"unknown {Plural(unknown.Count, "property", "properties")} {Quote(unknown)}; known properties: {string.Join(", ", KnownStretchProperties)}.");
            return null;
        }

        // A property given twice is almost always a copy-paste slip; keeping the last one would
        // hide it. Checked here rather than by the parser so the message can name the entry.
        foreach (var twice in element.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(twice.Key, "is given more than once.");
        }

        if (errors.Count > 0)
        {
            return null;
        }

        StretchDto? dto;
        try
        {
            dto = element.Deserialize(CatalogJsonContext.Default.StretchDto);
        }
        catch (JsonException ex)
        {
            errors.Add(FieldFromPath(ex.Path), "has a value of the wrong type. " + TypeHint(FieldFromPath(ex.Path)));
            return null;
        }

        return dto is null ? null : Validate(dto, errors);
    }

    private static Stretch? Validate(StretchDto dto, EntryErrors errors)
    {
        var id = RequiredText(dto.Id, "id", MaxIdLength, errors);
        if (id is not null && !KebabCase().IsMatch(id))
        {
            errors.Add("id", "must be lower-case kebab-case, like 'neck-roll'.");
        }

        var name = RequiredText(dto.Name, "name", MaxNameLength, errors);
        var aliases = TextList(dto.Aliases, "aliases", MaxNameLength, MaxListItems, required: false, errors);
        var targets = RequiredText(dto.Targets, "targets", MaxTargetsLength, errors);

        var bodyAreas = TextList(dto.BodyAreas, "bodyAreas", 30, MaxListItems, required: true, errors);
        foreach (var area in bodyAreas.Where(a => !KebabCase().IsMatch(a)))
        {
            errors.Add("bodyAreas", $"'{area}' must be a lower-case keyword like 'lower-back'.");
        }

        var places = ReadPlaces(dto.Places, errors);
        var equipment = TextList(dto.Equipment, "equipment", MaxNameLength, MaxListItems, required: false, errors);

        var steps = TextList(dto.Steps, "steps", MaxStepLength, MaxSteps, required: false, errors);
        if (dto.Steps is null || dto.Steps.Count == 0)
        {
            errors.Add("steps", "must have at least one step.");
        }

        var dose = OptionalText(dto.Dose, "dose", MaxShortTextLength, errors);
        var breathing = OptionalText(dto.Breathing, "breathing", MaxCautionLength, errors);
        var cautions = TextList(dto.Cautions, "cautions", MaxCautionLength, MaxListItems, required: false, errors);

        var duration = dto.DurationSeconds ?? 0;
        if (dto.DurationSeconds is null)
        {
            errors.Add("durationSeconds", "is required (about how many seconds the stretch takes).");
        }
        else if (duration is < MinDurationSeconds or > MaxDurationSeconds)
        {
            errors.Add("durationSeconds", $"must be between {MinDurationSeconds} and {MaxDurationSeconds} seconds, not {duration}.");
        }

        var sources = ReadSources(dto.Sources, errors);
        var note = OptionalText(dto.EditorialNote, "editorialNote", MaxEditorialNoteLength, errors);

        if (errors.Count > 0)
        {
            return null;
        }

        return new Stretch(
            id!, name!, aliases, targets!, bodyAreas, places, equipment, steps,
            dose, breathing, cautions, duration, sources, note);
    }

    private static List<StretchPlace> ReadPlaces(List<string?>? values, EntryErrors errors)
    {
        var places = new List<StretchPlace>();
        if (values is null || values.Count == 0)
        {
            errors.Add("places", "must list at least one of desk, floor, gym.");
            return places;
        }

        foreach (var value in values)
        {
            StretchPlace? place = value?.Trim().ToLowerInvariant() switch
            {
                "desk" => StretchPlace.Desk,
                "floor" => StretchPlace.Floor,
                "gym" => StretchPlace.Gym,
                _ => null,
            };
            if (place is null)
            {
                errors.Add("places", $"unknown place '{value}'; use desk, floor or gym.");
            }
            else if (places.Contains(place.Value))
            {
                errors.Add("places", $"lists '{value}' twice.");
            }
            else
            {
                places.Add(place.Value);
            }
        }

        return places;
    }

    private static List<StretchSource> ReadSources(List<SourceDto?>? values, EntryErrors errors)
    {
        var sources = new List<StretchSource>();
        if (values is null)
        {
            return sources;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var field = $"sources[{i}]";
            var article = RequiredText(values[i]?.Article, field + ".article", MaxShortTextLength, errors);
            var section = RequiredText(values[i]?.Section, field + ".section", 200, errors);
            if (article is not null && section is not null)
            {
                sources.Add(new StretchSource(article, section));
            }
        }

        return sources;
    }

    private static SafetyAdvice? ReadSafety(JsonElement root, string file, List<string> errors)
    {
        string Message(string? field, string text) => field is null ? $"{file}: 'safety' {text}" : $"{file}: 'safety.{field}' {text}";

        if (!root.TryGetProperty(SafetyProperty, out var element) || element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Message(null, "is required: an object with title, paragraphs and source."));
            return null;
        }

        SafetyDto? dto;
        try
        {
            dto = element.Deserialize(CatalogJsonContext.Default.SafetyDto);
        }
        catch (JsonException ex)
        {
            errors.Add(Message(FieldFromPath(ex.Path), "is not valid: " + TrimPosition(ex.Message)));
            return null;
        }

        var paragraphs = dto?.Paragraphs?.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()).ToList() ?? [];
        var valid = true;
        if (string.IsNullOrWhiteSpace(dto?.Title))
        {
            errors.Add(Message("title", "is required."));
            valid = false;
        }

        if (paragraphs.Count == 0 || paragraphs.Count != dto?.Paragraphs?.Count)
        {
            errors.Add(Message("paragraphs", "must have at least one paragraph and no empty ones."));
            valid = false;
        }

        if (string.IsNullOrWhiteSpace(dto?.Source))
        {
            errors.Add(Message("source", "is required."));
            valid = false;
        }

        return valid ? new SafetyAdvice(dto!.Title!.Trim(), paragraphs, dto.Source!.Trim()) : null;
    }

    private static string? RequiredText(string? value, string field, int maxLength, EntryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "is required and must not be empty.");
            return null;
        }

        return CheckLength(value.Trim(), field, maxLength, errors);
    }

    private static string? OptionalText(string? value, string field, int maxLength, EntryErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "must be null or left out rather than empty.");
            return null;
        }

        return CheckLength(value.Trim(), field, maxLength, errors);
    }

    private static string CheckLength(string value, string field, int maxLength, EntryErrors errors)
    {
        if (value.Length > maxLength)
        {
            errors.Add(field, $"is {value.Length} characters long; the limit is {maxLength} so it fits on a card.");
        }

        return value;
    }

    private static List<string> TextList(List<string?>? values, string field, int maxItemLength, int maxItems, bool required, EntryErrors errors)
    {
        var items = new List<string>();
        if (values is null || values.Count == 0)
        {
            if (required)
            {
                errors.Add(field, "must have at least one item.");
            }

            return items;
        }

        if (values.Count > maxItems)
        {
            errors.Add(field, $"has {values.Count} items; the limit is {maxItems}.");
        }

        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(field, $"item {i + 1} is empty.");
                continue;
            }

            var trimmed = value.Trim();
            if (trimmed.Length > maxItemLength)
            {
                errors.Add(field, $"item {i + 1} is {trimmed.Length} characters long; the limit is {maxItemLength} so it fits on a card.");
            }

            items.Add(trimmed);
        }

        return items;
    }

    private static string[] KnownStretchProperties { get; } =
        [.. CatalogJsonContext.Default.StretchDto.Properties.Select(p => p.Name)];

    private static List<string> UnknownProperties(JsonElement element, IReadOnlyCollection<string> known) =>
        [.. element.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n, StringComparer.Ordinal))];

    private static string? PeekId(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("id", out var id)
        && id.ValueKind == JsonValueKind.String
        && !string.IsNullOrWhiteSpace(id.GetString())
            ? id.GetString()!.Trim()
            : null;

    private static string? FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string TypeHint(string? field)
    {
        var property = field?.Split('[', '.')[0];
        var info = CatalogJsonContext.Default.StretchDto.Properties.FirstOrDefault(p => p.Name == property);
        return info?.PropertyType switch
        {
            { } t when t == typeof(string) => "Expected a string (or null).",
            { } t when t == typeof(int?) => "Expected a whole number.",
            { } t when t == typeof(List<SourceDto?>) => "Expected an array of {\"article\": ..., \"section\": ...} objects.",
            { } t when t == typeof(List<string?>) => "Expected an array of strings.",
            _ => string.Empty,
        };
    }

    private static string TrimPosition(string message)
    {
        // System.Text.Json appends "LineNumber: n | BytePositionInLine: m." (0-based); the message
        // already says where, 1-based, as editors count.
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var trimmed = at >= 0 ? message[..at] : message;
        var path = trimmed.IndexOf(" Path:", StringComparison.Ordinal);
        return (path >= 0 ? trimmed[..path] : trimmed).Trim();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabCase();

    private sealed class EntryErrors(string file, int index, string? id)
    {
        private readonly List<string> _messages = [];

        public int Count => _messages.Count;

        public IReadOnlyList<string> Messages => _messages;

        public void Add(string? field, string text)
        {
            var entry = id is null ? $"entry #{index}" : $"entry #{index} (id '{id}')";
            _messages.Add(field is null ? $"{file}: {entry} {text}" : $"{file}: {entry}: '{field}' {text}");
        }
    }
}
