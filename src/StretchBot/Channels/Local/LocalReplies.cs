using System.Text.Json.Nodes;
using StretchBot.Cards;
using StretchBot.Conversation;

namespace StretchBot.Channels.Local;

/// <summary>Turns the core's views into Direct Line activities from the bot.</summary>
public sealed class LocalReplies(CardRenderer cards)
{
    // Web Chat renders Action.Submit but not Action.Execute.
    private static readonly ChannelCapabilities WebChat = new(SupportsExecute: false);

    public JsonObject ToActivity(View view, string? recipientId, string? recipientName, string? replyToId)
    {
        var rendered = cards.Render(view, WebChat);
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["from"] = new JsonObject { ["id"] = "stretchbot", ["name"] = "StretchBot", ["role"] = "bot" },
            ["inputHint"] = "acceptingInput",
            ["locale"] = "en-US",
        };
        if (recipientId is not null)
        {
            activity["recipient"] = new JsonObject { ["id"] = recipientId, ["name"] = recipientName, ["role"] = "user" };
        }

        if (replyToId is not null)
        {
            activity["replyToId"] = replyToId;
        }

        RenderedContent.AddTo(activity, rendered);
        return activity;
    }
}
