using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Conversation;
using StretchBot.Delivery;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Slack's side of the outbound seam: renders views as Block Kit (<see cref="SlackRenderer"/>) and sends them with
/// <see cref="SlackApiClient"/>, whose HttpClient carries the one pipeline and rate gate. A stretch card is a channel
/// message everyone shares (chat.postMessage, its tally kept current with chat.update); anything answering one
/// person's command or click goes to them alone through its response_url, replacing the ephemeral message they
/// clicked on when there was one (ephemeral messages can't be chat.update'd).
/// </summary>
public sealed class SlackSender(SlackApiClient api, SlackRenderer renderer, SlackWorkspaces workspaces, IOptions<SlackOptions> options) : IChannelSender
{
    public const string ChannelId = "slack";

    public bool Serves(string channelId) => channelId == ChannelId;

    public TimeSpan? CardUpdateInterval(string channelId) => options.Value.MessageUpdateInterval;

    public async Task<PostedMessage> PostAsync(ConversationAddress to, View view, CancellationToken cancellationToken)
    {
        var reference = SlackReference.Parse(to.Reference) ?? throw Unreadable(to.Reference);
        var workspace = await WorkspaceAsync(to.TenantId, cancellationToken);
        var message = renderer.Render(view);
        var shared = (view is MentionView mention ? mention.Inner : view) is StretchView;
        try
        {
            if (!shared && reference.ResponseUrl is { } responseUrl)
            {
                await api.RespondAsync(responseUrl, Response(message, "ephemeral", replaceOriginal: reference.FromEphemeral), cancellationToken);
                return new PostedMessage(null);
            }

            if (!shared && reference.User is { } user && !reference.Channel.StartsWith('D'))
            {
                // An answer for one person without a response_url to carry it: still for their eyes only.
                await api.PostEphemeralAsync(workspace.BotToken, to.TenantId, reference.Channel, user, message.Text, message.Blocks, reference.ThreadTs, cancellationToken);
                return new PostedMessage(null);
            }

            string ts;
            try
            {
                ts = await api.PostMessageAsync(workspace.BotToken, to.TenantId, reference.Channel, message.Text, message.Blocks, reference.ThreadTs, cancellationToken);
            }
            catch (SlackApiException exception) when (exception.Error is "not_in_channel" or "channel_not_found" && reference.ResponseUrl is { } fallback)
            {
                // /stretch in a channel the bot isn't in: the answer still reaches the channel through the command's
                // response_url, though its tally can't be updated later (only chat.postMessage gives a message to update).
                await api.RespondAsync(fallback, Response(message, "in_channel", replaceOriginal: false), cancellationToken);
                return new PostedMessage(null);
            }

            return new PostedMessage(new SlackReference(reference.Channel, Ts: ts).Serialize(), ts);
        }
        catch (SlackApiException exception)
        {
            await ForgetRevokedAsync(to.TenantId, exception, cancellationToken);
            throw Failed(exception, gone: exception.IsGone && exception.Method != "response_url");
        }
    }

    /// <summary>
    /// Slack says the token is revoked or the workspace deactivated: it is forgotten like an uninstall, so nothing more
    /// is tried with it (the app_uninstalled or tokens_revoked event may never have reached us).
    /// </summary>
    private async Task ForgetRevokedAsync(string tenantId, SlackApiException exception, CancellationToken cancellationToken)
    {
        if (exception.Error is "token_revoked" or "account_inactive")
        {
            await workspaces.DeleteAsync(tenantId, cancellationToken);
        }
    }

    public async Task UpdateAsync(PostedCard card, View view, CancellationToken cancellationToken)
    {
        var reference = SlackReference.Parse(card.Reference) is { Ts: not null } parsed ? parsed : throw Unreadable(card.Reference);
        var workspace = await WorkspaceAsync(card.TenantId, cancellationToken);
        var message = renderer.Render(view);
        try
        {
            await api.UpdateAsync(workspace.BotToken, card.TenantId, reference.Channel, reference.Ts!, message.Text, message.Blocks, cancellationToken);
        }
        catch (SlackApiException exception)
        {
            // message_not_found, cant_update_message, edit_window_closed: that message only, not the channel.
            await ForgetRevokedAsync(card.TenantId, exception, cancellationToken);
            throw Failed(exception, gone: exception.IsGone);
        }
    }

    /// <summary>The DM between the bot and a person (conversations.open).</summary>
    public async Task<ConversationAddress?> OpenPersonalAsync(ConversationAddress from, string userId, CancellationToken cancellationToken)
    {
        if (from.ChannelId != ChannelId)
        {
            return null;
        }

        var workspace = await WorkspaceAsync(from.TenantId, cancellationToken);
        try
        {
            var channel = await api.OpenDirectMessageAsync(workspace.BotToken, from.TenantId, userId, cancellationToken);
            return new ConversationAddress(ChannelId, from.TenantId, channel, new SlackReference(channel).Serialize());
        }
        catch (SlackApiException exception)
        {
            throw Failed(exception, gone: false);
        }
    }

    private static JsonObject Response(SlackMessage message, string responseType, bool replaceOriginal) => new()
    {
        ["response_type"] = responseType,
        ["replace_original"] = replaceOriginal,
        ["text"] = message.Text,
        ["blocks"] = message.Blocks.DeepClone(),
    };

    private async Task<SlackWorkspace> WorkspaceAsync(string tenantId, CancellationToken cancellationToken) =>
        await workspaces.FindAsync(tenantId, cancellationToken)
        // Not the conversation's fault (the token isn't known yet, or its keys are missing): an uninstall has already
        // marked the workspace's channels gone, so this one stays as it is and its schedules keep their place.
        ?? throw new DeliveryFailedException(ChannelId, gone: false, "workspace not installed");

    private static DeliveryFailedException Failed(SlackApiException exception, bool gone) =>
        new(ChannelId, gone, $"{exception.Method}: {exception.Error}", exception);

    private static DeliveryFailedException Unreadable(string reference) =>
        new(ChannelId, gone: false, $"unreadable conversation reference ({reference.Length} characters)");
}
