using System.Text.Json.Nodes;
using StretchBot.Cards;
using StretchBot.Conversation;
using StretchBot.Markup;

namespace StretchBot.Channels.Teams;

/// <summary>Turns the core's views into Bot Connector activities and invoke responses for Teams.</summary>
public sealed class TeamsMessages(CardRenderer cards)
{
    public const string InvokeCardType = "application/vnd.microsoft.card.adaptive";
    public const string InvokeMessageType = "application/vnd.microsoft.activity.message";
    public const string InvokeErrorType = "application/vnd.microsoft.error";

    private static readonly ChannelCapabilities Teams = new(SupportsExecute: true);

    // Web Chat and Direct Line clients through Azure render Action.Submit, not Action.Execute.
    private static readonly ChannelCapabilities OtherBotFrameworkChannels = new(SupportsExecute: false);

    /// <summary>A message activity from the bot into a conversation (of Teams, unless <paramref name="channelId"/> says otherwise).</summary>
    public JsonObject Activity(View view, string botId, string? botName, string conversationId, string? recipientId = null, IReadOnlyList<string>? refreshUserIds = null, string channelId = TeamsActivity.TeamsChannelId)
    {
        var isTeams = channelId == TeamsActivity.TeamsChannelId;
        var rendered = cards.Render(view, isTeams ? Teams : OtherBotFrameworkChannels);
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["from"] = new JsonObject { ["id"] = botId, ["name"] = botName ?? "StretchBot" },
            ["conversation"] = new JsonObject { ["id"] = conversationId },
        };
        if (recipientId is not null)
        {
            activity["recipient"] = new JsonObject { ["id"] = recipientId };
        }

        if (RenderedContent.AddTo(activity, rendered) is { } card && isTeams)
        {
            AddRefresh(view, card, refreshUserIds);
        }

        return activity;
    }

    /// <summary>
    /// The answer to an adaptiveCard/action invoke: the card that replaces the clicked one for the clicker, or a short
    /// message Teams shows in place when the answer isn't a card.
    /// </summary>
    public JsonObject InvokeResponse(View view, IReadOnlyList<string>? refreshUserIds)
    {
        var rendered = cards.Render(view, Teams);
        if (rendered.Card is { } card)
        {
            AddRefresh(view, card, refreshUserIds);
            return new JsonObject { ["statusCode"] = 200, ["type"] = InvokeCardType, ["value"] = card };
        }

        return new JsonObject { ["statusCode"] = 200, ["type"] = InvokeMessageType, ["value"] = Plain(view) };
    }

    public static JsonObject InvokeError(int status, string code, string message) =>
        new() { ["statusCode"] = status, ["type"] = InvokeErrorType, ["value"] = new JsonObject { ["code"] = code, ["message"] = message } };

    /// <summary>
    /// A shared stretch card refreshes itself for the people part-way through it and those who did it (at most 60),
    /// so each of them gets their own step or Done card back from the server whenever the card is re-sent with a new
    /// tally, while everyone else sees the overview. A walkthrough card refreshes for its one person, so another
    /// device of theirs catches up. userIds is always sent: without it, clients disagree.
    /// </summary>
    private static void AddRefresh(View view, JsonObject card, IReadOnlyList<string>? userIds)
    {
        var (promptId, stretchId) = view switch
        {
            StretchView v => (v.PromptId, v.Stretch.Id),
            WalkthroughView v => (v.PromptId, v.Stretch.Id),
            _ => (null, null),
        };
        if (promptId is null)
        {
            return;
        }

        card["refresh"] = new JsonObject
        {
            ["action"] = new JsonObject
            {
                ["type"] = "Action.Execute",
                ["title"] = "Refresh",
                ["verb"] = "refresh",
                ["data"] = new JsonObject { ["action"] = "refresh", ["promptId"] = promptId, ["stretchId"] = stretchId },
            },
            ["userIds"] = new JsonArray((userIds ?? []).Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
        };
    }

    /// <summary>The text Teams shows in place of a card: plain text, so our markdown is dropped and a person's words escaped.</summary>
    private static string Plain(View view) => view switch
    {
        MessageView m => m.Hint is null
            ? $"{m.Title}. {PlainText.Render(m.Text)}"
            : $"{m.Title}. {PlainText.Render(m.Text)} {PlainText.Render(m.Hint)}",
        _ => "Done.",
    };
}
