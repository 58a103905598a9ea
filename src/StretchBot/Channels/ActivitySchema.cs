using System.Text.Json;
using System.Text.Json.Nodes;

namespace StretchBot.Channels;

/// <summary>
/// The kinds the Bot Framework activity schema (shared/schemas/botframework-connector-api.swagger.json) gives the
/// fields our channels read. A field of another kind is the sender's mistake and gets a 400 before the activity is
/// acknowledged, rather than an exception in a background turn. Fields we don't read, and extra fields, are left
/// alone, as Teams adds fields at any time; null counts as absent, as the Bot Framework SDKs treat it.
/// </summary>
public static class ActivitySchema
{
    private enum Kind
    {
        String,
        Boolean,
        Object,
        Array,
    }

    // "a.b" is property b of object a; "a[]" is each element of array a.
    private static readonly (string Path, Kind Kind, int MaxLength)[] Fields =
    [
        ("type", Kind.String, 64),
        ("id", Kind.String, 1024),
        ("name", Kind.String, 256),
        ("action", Kind.String, 64),
        ("text", Kind.String, 0),
        ("serviceUrl", Kind.String, 2048),
        ("channelId", Kind.String, 64),
        ("replyToId", Kind.String, 1024),
        ("localTimezone", Kind.String, 0),
        ("from", Kind.Object, 0),
        ("from.id", Kind.String, 256),
        ("from.name", Kind.String, 0),
        ("recipient", Kind.Object, 0),
        ("recipient.id", Kind.String, 256),
        ("recipient.name", Kind.String, 0),
        ("conversation", Kind.Object, 0),
        ("conversation.id", Kind.String, 1024),
        ("conversation.name", Kind.String, 0),
        ("conversation.tenantId", Kind.String, 128),
        ("conversation.conversationType", Kind.String, 64),
        ("conversation.isGroup", Kind.Boolean, 0),
        ("channelData", Kind.Object, 0),
        ("channelData.tenant", Kind.Object, 0),
        ("channelData.tenant.id", Kind.String, 128),
        ("channelData.team", Kind.Object, 0),
        ("channelData.team.id", Kind.String, 256),
        ("channelData.team.name", Kind.String, 0),
        ("channelData.channel", Kind.Object, 0),
        ("channelData.channel.name", Kind.String, 0),
        ("entities", Kind.Array, 0),
        ("entities[]", Kind.Object, 0),
        ("entities[].type", Kind.String, 0),
        ("membersAdded", Kind.Array, 0),
        ("membersAdded[]", Kind.Object, 0),
        ("membersAdded[].id", Kind.String, 0),
        ("membersRemoved", Kind.Array, 0),
        ("membersRemoved[]", Kind.Object, 0),
        ("membersRemoved[].id", Kind.String, 0),
        ("attachments", Kind.Array, 0),
        ("attachments[]", Kind.Object, 0),
    ];

    // An Adaptive Card Universal Action (invoke "adaptiveCard/action"): AdaptiveCardInvokeValue in the Bot Framework schema.
    private static readonly (string Path, Kind Kind, int MaxLength)[] CardActionFields =
    [
        ("value", Kind.Object, 0),
        ("value.action", Kind.Object, 0),
        ("value.action.type", Kind.String, 64),
        ("value.action.verb", Kind.String, 0),
        ("value.action.data", Kind.Object, 0),
    ];

    // Entities are typed by their "type": only the fields of the types we read are checked (Mention, clientInfo).
    private static readonly Dictionary<string, (string Path, Kind Kind, int MaxLength)[]> EntityFields = new(StringComparer.Ordinal)
    {
        ["mention"] = [("text", Kind.String, 0), ("mentioned", Kind.Object, 0), ("mentioned.id", Kind.String, 0)],
        ["clientInfo"] = [("timezone", Kind.String, 0)],
    };

    /// <summary>The first mistake, as a message for the sender, or null when every field we read has its schema's kind.</summary>
    public static string? Check(JsonObject activity)
    {
        var mistake = Fields.Select(f => CheckPath(activity, f.Path, f.Kind, f.MaxLength)).FirstOrDefault(m => m is not null)
            ?? (activity["entities"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(entity => EntityFields.TryGetValue(ActivityFields.StringOf(entity["type"]) ?? string.Empty, out var fields)
                    ? fields.Select(f => CheckPath(entity, f.Path, f.Kind, f.MaxLength, "entities[].")).FirstOrDefault(m => m is not null)
                    : null)
                .FirstOrDefault(m => m is not null);
        if (mistake is null && ActivityFields.StringOf(activity["type"]) == "invoke" && ActivityFields.StringOf(activity["name"]) == "adaptiveCard/action")
        {
            mistake = activity["value"] is null
                ? "An 'adaptiveCard/action' invoke needs a 'value' object with an 'action'."
                : CardActionFields.Select(f => CheckPath(activity, f.Path, f.Kind, f.MaxLength)).FirstOrDefault(m => m is not null);
        }

        return mistake;
    }

    private static string? CheckPath(JsonObject activity, string path, Kind kind, int maxLength, string shownPrefix = "")
    {
        foreach (var node in At(activity, path.Split('.')))
        {
            if (node is null)
            {
                continue;
            }

            if (!Is(node, kind))
            {
                return $"'{shownPrefix}{path}' must be {Article(kind)}, not {Describe(node.GetValueKind())}.";
            }

            if (maxLength > 0 && kind == Kind.String && node.GetValue<string>().Length > maxLength)
            {
                return $"'{shownPrefix}{path}' must be at most {maxLength} characters.";
            }
        }

        return null;
    }

    /// <summary>The nodes at a path; only descends through nodes of the right kind (the parent's own check reports the rest).</summary>
    private static IEnumerable<JsonNode?> At(JsonNode? node, ReadOnlyMemory<string> segments)
    {
        if (segments.IsEmpty)
        {
            yield return node;
            yield break;
        }

        var segment = segments.Span[0];
        var each = segment.EndsWith("[]", StringComparison.Ordinal);
        var child = (node as JsonObject)?[each ? segment[..^2] : segment];
        var rest = segments[1..];
        if (!each)
        {
            foreach (var found in At(child, rest))
            {
                yield return found;
            }

            yield break;
        }

        foreach (var element in child as JsonArray ?? [])
        {
            foreach (var found in At(element, rest))
            {
                yield return found;
            }
        }
    }

    private static IEnumerable<JsonNode?> At(JsonNode? node, string[] segments) => At(node, segments.AsMemory());

    private static bool Is(JsonNode node, Kind kind) => (kind, node.GetValueKind()) switch
    {
        (Kind.String, JsonValueKind.String) => true,
        (Kind.Boolean, JsonValueKind.True or JsonValueKind.False) => true,
        (Kind.Object, JsonValueKind.Object) => true,
        (Kind.Array, JsonValueKind.Array) => true,
        _ => false,
    };

    private static string Article(Kind kind) => kind switch
    {
        Kind.String => "a string",
        Kind.Boolean => "true or false",
        Kind.Object => "an object",
        _ => "an array",
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        _ => "an array",
    };
}
