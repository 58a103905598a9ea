using System.Text.Json.Serialization;

namespace StretchBot.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<StretchPlace>))]
public enum StretchPlace
{
    /// <summary>At a desk, sitting or standing in the office, in work clothes.</summary>
    [JsonStringEnumMemberName("desk")] Desk,

    /// <summary>Needs floor space or a mat.</summary>
    [JsonStringEnumMemberName("floor")] Floor,

    /// <summary>Needs gym equipment.</summary>
    [JsonStringEnumMemberName("gym")] Gym,
}

/// <param name="Article">Key of the source article, e.g. <c>lower-back-9</c> or <c>back-pain-6</c>.</param>
/// <param name="Section">The article's heading for the move, so an editor can find it again.</param>
public sealed record StretchSource(string Article, string Section);

public sealed record Stretch(
    string Id,
    string Name,
    IReadOnlyList<string> Aliases,
    string Targets,
    IReadOnlyList<string> BodyAreas,
    IReadOnlyList<StretchPlace> Places,
    IReadOnlyList<string> Equipment,
    IReadOnlyList<string> Steps,
    string? Dose,
    string? Breathing,
    IReadOnlyList<string> Cautions,
    int DurationSeconds,
    IReadOnlyList<StretchSource> Sources,
    string? EditorialNote)
{
    /// <summary>
    /// "Quick" means a minute or less: a figure people understand on a card, and with the built-in
    /// durations (20 s to 90 s) it separates the short holds from the repeated, both-sides moves.
    /// </summary>
    public const int QuickThresholdSeconds = 60;

    public bool IsQuick => DurationSeconds <= QuickThresholdSeconds;

    public bool CanBeDoneAt(StretchPlace place) => Places.Contains(place);
}

public sealed record SafetyAdvice(string Title, IReadOnlyList<string> Paragraphs, string Source);
