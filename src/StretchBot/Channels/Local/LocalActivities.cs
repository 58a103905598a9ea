using System.Text.Json;
using System.Text.Json.Nodes;
using StretchBot.Conversation;
using static StretchBot.Channels.ActivityFields;

namespace StretchBot.Channels.Local;

/// <summary>Reads Direct Line activities into turns. The local channel's wire format stays in this folder.</summary>
public static class LocalActivities
{
    /// <summary>The core's id of this channel. On the wire the activities still say "directline", as Web Chat expects.</summary>
    public const string ChannelId = "local";
    public const string TenantId = "local";

    private static readonly HashSet<string> KnownTypes = ["message", "event", "invoke", "typing", "conversationUpdate", "endOfConversation", "messageReaction", "installationUpdate"];

    /// <summary>Checks the envelope. Returns an error message for a client mistake, null when the activity is acceptable.</summary>
    public static string? Validate(JsonObject activity)
    {
        if (activity["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type) || string.IsNullOrWhiteSpace(type))
        {
            return "The activity needs a 'type' (for example \"message\").";
        }

        if (!KnownTypes.Contains(type))
        {
            return $"Unknown activity type '{Shorten(type)}'. Supported: message, event, invoke, typing, conversationUpdate.";
        }

        if (activity["from"] is not JsonObject from || StringOf(from["id"]) is not { Length: > 0 and <= 128 })
        {
            return "The activity needs 'from.id' (1 to 128 characters).";
        }

        if (activity["text"] is { } text && (text.GetValueKind() != JsonValueKind.String))
        {
            return "'text' must be a string.";
        }

        if (activity["value"] is { } value && value.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            return "'value' must be an object.";
        }

        // Teams answers this with an invoke error; Direct Line has no invoke response, so say it here rather than stay silent.
        if (type == "invoke" && StringOf(activity["name"]) == "adaptiveCard/action" && Get(activity["value"], "action") is not JsonObject)
        {
            return "An 'adaptiveCard/action' invoke needs 'value.action' (an Action.Execute with a verb and data).";
        }

        return null;
    }

    /// <summary>The turn for a message or card action; null for activities the bot doesn't answer (typing, events).</summary>
    public static Turn? ToTurn(JsonObject activity, string conversationId)
    {
        var type = StringOf(activity["type"]);
        var from = (JsonObject)activity["from"]!;
        var who = new Who(
            StringOf(from["id"])!,
            CleanName(StringOf(from["name"])),
            CleanTimeZone(StringOf(activity["localTimezone"])));
        var where = new Where(ChannelId, TenantId, conversationId);

        if (type == "message")
        {
            return activity["value"] is JsonObject value
                ? new Turn(where, who, Action: CardActionOf(value))
                : new Turn(where, who, Text: StringOf(activity["text"]) ?? string.Empty);
        }

        // Universal Actions posted straight to the endpoint (Web Chat itself cannot send them): verb + data.
        if (type == "invoke" && StringOf(activity["name"]) == "adaptiveCard/action" && activity["value"] is JsonObject invoke && invoke["action"] is JsonObject execute)
        {
            var action = CardActionOf(execute["data"] as JsonObject ?? new JsonObject());
            return new Turn(where, who, Action: action with { Name = Limit(StringOf(execute["verb"]), 32) ?? action.Name });
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
