using System.Net;
using System.Text.Json.Nodes;
using StretchBot.Conversation;

namespace StretchBot.Channels;

/// <summary>Reading fields out of an activity defensively, the same way for every Bot Framework-shaped channel.</summary>
public static class ActivityFields
{
    /// <summary>Longest time zone id kept for a person; the longest IANA id is about 30 characters.</summary>
    public const int MaxTimeZoneLength = 64;

    /// <summary>Longest display name kept for a person.</summary>
    public const int MaxNameLength = 80;

    /// <summary>The string at this node, or null when it is missing or not a string.</summary>
    public static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The object at this node, or null when it is missing or not an object (never throws, whatever the node is).</summary>
    public static JsonObject? ObjectOf(JsonNode? node) => node as JsonObject;

    /// <summary>The property of an object, or null when the node is not an object (an indexer on a JsonValue throws).</summary>
    public static JsonNode? Get(JsonNode? node, string property) => node is JsonObject o ? o[property] : null;

    /// <summary>At most <paramref name="max"/> characters, never cutting a surrogate pair in half (half a pair can't be written as JSON).</summary>
    public static string? Limit(string? text, int max)
    {
        if (text is null || text.Length <= max)
        {
            return text;
        }

        var end = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..end];
    }

    /// <summary>A display name with control characters turned into spaces, trimmed to 80 characters, or null when there is none.</summary>
    public static string? CleanName(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var printable = string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
        var trimmed = Limit(printable.Trim(), MaxNameLength)!.Trim();
        return trimmed.Length == 0 ? null : trimmed;
    }

    /// <summary>
    /// A time zone id worth storing for a person: short and known to this machine (IANA, or Windows ids .NET maps).
    /// Anything else is dropped, so the person keeps the time zone already stored, or the team's.
    /// </summary>
    public static string? CleanTimeZone(string? zone)
    {
        var trimmed = zone?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxTimeZoneLength)
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(trimmed, out _) ? trimmed : null;
    }

    /// <summary>Highest walkthrough step a button may name; no stretch comes near it.</summary>
    public const int MaxStep = 50;

    /// <summary>
    /// The data our card buttons carry (action, promptId, stretchId, filter, step). It comes back from the client, so it
    /// is read as hostile: a prompt id that isn't one of ours in shape is dropped (never cut down to something that
    /// might be), texts are capped, and a step is a whole number from 1 to <see cref="MaxStep"/> or nothing.
    /// </summary>
    public static CardAction CardActionOf(JsonObject data) => new(
        Limit(StringOf(data["action"]), 32) ?? string.Empty,
        IdOf(data["promptId"]),
        Limit(StringOf(data["stretchId"]), 64),
        Limit(StringOf(data["filter"]), 100),
        StepOf(data["step"]));

    private static string? IdOf(JsonNode? node) =>
        StringOf(node) is { Length: > 0 and <= 64 } id && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? id : null;

    private static int? StepOf(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && value.TryGetValue<int>(out var step) && step is >= 1 and <= MaxStep
            ? step
            : null;

    public static bool IsLoopback(HttpContext context) => context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);
}
