using System.Net;
using Microsoft.Extensions.Options;
using StretchBot.Conversation;
using StretchBot.Delivery;
using StretchBot.Stats;

namespace StretchBot.Channels.Teams;

/// <summary>
/// The Bot Connector's side of the outbound seam: renders views as Teams activities and sends them with
/// <see cref="BotConnectorClient"/>. A 403 (bot removed from the roster) or 404 (no such conversation) on a post means
/// the conversation is gone; on an update only a 403 does (a 404 there is a deleted message).
/// </summary>
public sealed class TeamsSender(BotConnectorClient connector, TeamsMessages messages, CompletionStore completions, IOptions<TeamsOptions> options) : IChannelSender
{
    // Teams refreshes a card automatically for at most 60 listed people.
    private const int MaxRefreshUsers = 60;

    /// <summary>Shared tallies are a Teams feature; Web Chat and Direct Line through Azure keep their cards as posted.</summary>
    public TimeSpan? CardUpdateInterval(string channelId) => channelId == TeamsActivity.TeamsChannelId ? options.Value.SharedCardUpdateInterval : null;

    /// <summary>Teams, and the other Azure Bot channels answered at /api/messages (they share the Bot Connector API).</summary>
    public bool Serves(string channelId) => TeamsActivity.AnsweredChannels.Contains(channelId);

    public async Task<PostedMessage> PostAsync(ConversationAddress to, View view, CancellationToken cancellationToken)
    {
        var reference = TeamsReference.Parse(to.Reference) ?? throw Unreadable(to.Reference);
        var isTeams = to.ChannelId == TeamsActivity.TeamsChannelId;
        var mention = view as MentionView;
        view = mention?.Inner ?? view;
        var activity = messages.Activity(view, reference.BotId ?? BotId, reference.BotName, reference.ConversationId, reference.RecipientId,
            isTeams ? await RefreshUsersAsync(view, cancellationToken) : null, to.ChannelId);
        if (mention is not null)
        {
            Mention(activity, mention, isTeams);
        }

        try
        {
            // In a channel a reply threads under the message; in chats, and for proactive posts, it is a plain send.
            var response = reference.ReplyToId is { } replyToId
                ? await connector.ReplyAsync(reference.ServiceUrl, to.TenantId, reference.ConversationId, replyToId, activity, cancellationToken)
                : await connector.SendAsync(reference.ServiceUrl, to.TenantId, reference.ConversationId, activity, cancellationToken);
            // 202 with no body: the message is out but can't be updated in place. Shared tallies are a Teams feature.
            return new PostedMessage(isTeams && response.Id is { } id ? new TeamsReference(reference.ServiceUrl, reference.ConversationId, ActivityId: id).Serialize() : null, response.Id);
        }
        catch (BotConnectorException exception)
        {
            // A 404 on a reply can mean only that the message it replies to was deleted; the conversation is gone when
            // the connector says so (ConversationNotFound), or on any 404 of a plain send.
            var gone = exception.Status == HttpStatusCode.Forbidden
                || (exception.Status == HttpStatusCode.NotFound && (reference.ReplyToId is null || exception.Code == "ConversationNotFound"));
            throw Failed(to.ChannelId, exception, gone);
        }
    }

    /// <summary>
    /// The 1:1 chat with a member of a Teams conversation (POST /v3/conversations with the member): Teams gives the same
    /// conversation every time, and creates it if the person never chatted with the bot, provided the app is installed
    /// for them (installed in the team counts). Null where it refuses (the app isn't theirs) or outside Teams.
    /// </summary>
    public async Task<ConversationAddress?> OpenPersonalAsync(ConversationAddress from, string userId, CancellationToken cancellationToken)
    {
        if (from.ChannelId != TeamsActivity.TeamsChannelId || TeamsReference.Parse(from.Reference) is not { } reference)
        {
            return null;
        }

        var botId = reference.BotId ?? BotId;
        try
        {
            var created = await connector.CreatePersonalConversationAsync(reference.ServiceUrl, from.TenantId, botId, userId, cancellationToken);
            var serviceUrl = created.ServiceUrl ?? reference.ServiceUrl;
            return new ConversationAddress(from.ChannelId, from.TenantId, created.Id, new TeamsReference(serviceUrl, created.Id, botId, reference.BotName).Serialize());
        }
        catch (BotConnectorException exception)
        {
            throw Failed(from.ChannelId, exception, gone: false);
        }
    }

    /// <summary>An at-mention of the person the message is for: "&lt;at&gt;Name&lt;/at&gt;" in the text and its entity (the name escaped as Teams' HTML text wants).</summary>
    private static void Mention(System.Text.Json.Nodes.JsonObject activity, MentionView mention, bool isTeams)
    {
        if (!isTeams)
        {
            // Web Chat and Direct Line through Azure have no mentions; the card is the message.
            return;
        }

        var name = WebUtility.HtmlEncode(mention.Name);
        var tag = $"<at>{name}</at>";
        activity["text"] = $"{tag}, here's your stretch.";
        activity["entities"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "mention",
            ["text"] = tag,
            ["mentioned"] = new System.Text.Json.Nodes.JsonObject { ["id"] = mention.UserId, ["name"] = mention.Name },
        });
    }

    public async Task UpdateAsync(PostedCard card, View view, CancellationToken cancellationToken)
    {
        var reference = TeamsReference.Parse(card.Reference) is { ActivityId: { } } parsed ? parsed : throw Unreadable(card.Reference);
        var activity = messages.Activity(view, BotId, null, reference.ConversationId, refreshUserIds: await RefreshUsersAsync(view, cancellationToken));
        try
        {
            await connector.UpdateAsync(reference.ServiceUrl, card.TenantId, reference.ConversationId, reference.ActivityId!, activity, cancellationToken);
        }
        catch (BotConnectorException exception)
        {
            throw Failed(card.ChannelId, exception, gone: exception.Status == HttpStatusCode.Forbidden);
        }
    }

    /// <summary>
    /// Whose view of a shared stretch card is their own (Teams' automatic refresh): the people part-way through its
    /// steps, who get their current step back, and those who did it, who get their Done card; the most recent 60.
    /// </summary>
    public async Task<IReadOnlyList<string>?> RefreshUsersAsync(View view, CancellationToken cancellationToken) =>
        view switch
        {
            // A fresh card (a nudge, a new stretch) has nobody to list: no query per nudge in a fan-out.
            StretchView { DoneCount: 0 } => [],
            StretchView stretch => await completions.ActiveAsync(stretch.PromptId, MaxRefreshUsers, cancellationToken),
            _ => null,
        };

    private string BotId => options.Value.AuthenticationEnabled ? options.Value.BotId : "28:stretchbot";

    private static DeliveryFailedException Failed(string channelId, BotConnectorException exception, bool gone) =>
        new(channelId, gone, exception.Code ?? ((int)exception.Status).ToString(System.Globalization.CultureInfo.InvariantCulture), exception);

    private static DeliveryFailedException Unreadable(string reference) =>
        new(TeamsActivity.TeamsChannelId, gone: false, $"unreadable conversation reference ({reference.Length} characters)");
}
