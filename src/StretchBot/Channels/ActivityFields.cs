using System.Net;
using System.Text.Json.Nodes;
using StretchBot.Conversation;

namespace StretchBot.Channels;

/// <summary>Reading fields out of an activity defensively, the same way for every Bot Framework-shaped channel.</summary>
public static class ActivityFields
{
    /// <summary>The string at this node, or null when it is missing or not a string.</summary>
    public static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string? Limit(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..max];

    /// <summary>A display name trimmed to 80 characters, or null when there is none.</summary>
    public static string? CleanName(string? name)
    {
        var trimmed = name?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : Limit(trimmed, 80);
    }

    /// <summary>The data our card buttons carry (action, promptId, stretchId, filter), each capped in length.</summary>
    public static CardAction CardActionOf(JsonObject data) => new(
        Limit(StringOf(data["action"]), 32) ?? string.Empty,
        Limit(StringOf(data["promptId"]), 64),
        Limit(StringOf(data["stretchId"]), 64),
        Limit(StringOf(data["filter"]), 100));

    public static bool IsLoopback(HttpContext context) => context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);
}
