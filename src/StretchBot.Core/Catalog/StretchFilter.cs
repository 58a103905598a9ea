namespace StretchBot.Catalog;

/// <param name="Place">Only stretches that can be done there.</param>
/// <param name="BodyArea">A body-area keyword such as <c>lower-back</c>, or a group such as <c>back</c> or <c>legs</c>.</param>
/// <param name="QuickOnly">Only stretches that take a minute or less (<see cref="Stretch.IsQuick"/>).</param>
public sealed record StretchFilter(StretchPlace? Place = null, string? BodyArea = null, bool QuickOnly = false)
{
    public static StretchFilter None { get; } = new();

    public bool IsEmpty => Place is null && string.IsNullOrWhiteSpace(BodyArea) && !QuickOnly;

    /// <summary>Plain words for a card or reply: "quick desk stretches for the lower back".</summary>
    public string Describe()
    {
        if (IsEmpty)
        {
            return "all stretches";
        }

        var words = new List<string>(4);
        if (QuickOnly)
        {
            words.Add("quick");
        }

        if (Place is { } place)
        {
            words.Add(place.ToString().ToLowerInvariant());
        }

        words.Add("stretches");
        if (!string.IsNullOrWhiteSpace(BodyArea))
        {
            words.Add("for the " + BodyArea.Trim().Replace('-', ' ').ToLowerInvariant());
        }

        return string.Join(' ', words);
    }
}
