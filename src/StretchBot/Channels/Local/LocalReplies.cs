using System.Text.Json.Nodes;
using StretchBot.Cards;
using StretchBot.Conversation;

namespace StretchBot.Channels.Local;

/// <summary>Turns the core's views into Direct Line activities from the bot.</summary>
public sealed class LocalReplies(CardRenderer cards)
{
    public IEnumerable<JsonObject> ToActivities(TurnResult result, Turn turn, string replyToId)
    {
        foreach (var view in result.Messages)
        {
            var rendered = cards.Render(view, turn.Capabilities);
            var activity = new JsonObject
            {
                ["type"] = "message",
                ["from"] = new JsonObject { ["id"] = "stretchbot", ["name"] = "StretchBot", ["role"] = "bot" },
                ["recipient"] = new JsonObject { ["id"] = turn.Who.UserId, ["name"] = turn.Who.DisplayName, ["role"] = "user" },
                ["replyToId"] = replyToId,
                ["inputHint"] = "acceptingInput",
                ["locale"] = "en-US",
            };
            if (rendered.Card is { } card)
            {
                activity["summary"] = rendered.Summary;
                activity["attachments"] = new JsonArray(new JsonObject { ["contentType"] = CardRenderer.AdaptiveCardContentType, ["content"] = card });
            }
            else
            {
                activity["text"] = rendered.Text;
                activity["textFormat"] = "markdown";
            }

            yield return activity;
        }
    }
}
