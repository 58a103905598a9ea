using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StretchBot.Conversation;
using StretchBot.Delivery;
using StretchBot.Installs;

namespace StretchBot.Channels.Teams;

/// <summary>
/// What StretchBot does with each Teams activity, by type. Messages and install events are handled off the request
/// (the connector wants its 200 at once); invokes are answered in the HTTP response, well within 15 s.
/// Everything it sends goes through the <see cref="Outbox"/>, addressed with a <see cref="TeamsReference"/>.
/// </summary>
public sealed partial class TeamsBot(
    TurnHandler turns,
    TeamsMessages messages,
    TeamsSender sender,
    Outbox outbox,
    InstallStore installs,
    SharedCardUpdates sharedCards,
    IOptions<TeamsOptions> options,
    ILogger<TeamsBot> logger)
{
    // Install events are rare; one at a time keeps "say hello once per install" simple across the two events Teams sends.
    private readonly SemaphoreSlim _installGate = new(1, 1);
    private readonly ConcurrentDictionary<string, string> _serviceUrls = new(StringComparer.Ordinal);

    /// <summary>Messages, card submits, install and membership events: replies go out through the connector.</summary>
    public async Task OnActivityAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        if (!TeamsActivity.AnsweredChannels.Contains(activity.CoreChannelId))
        {
            LogIgnored(logger, activity.Type, "a Bot Framework channel StretchBot doesn't answer");
            return;
        }

        await RefreshServiceUrlAsync(activity, cancellationToken);
        switch (activity.Type)
        {
            case "message":
                await OnMessageAsync(activity, cancellationToken);
                break;
            case "installationUpdate":
                await OnInstallationUpdateAsync(activity, cancellationToken);
                break;
            case "conversationUpdate":
                await OnConversationUpdateAsync(activity, cancellationToken);
                break;
            default:
                // Teams adds event types over time; anything else is acknowledged and ignored.
                break;
        }
    }

    /// <summary>An invoke: the response body for the HTTP answer (null for 200 with no body).</summary>
    public async Task<(int Status, JsonObject? Body)> OnInvokeAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        if (activity.Name != "adaptiveCard/action")
        {
            // Task modules, message extensions and the like are not part of StretchBot.
            return (200, null);
        }

        if (activity.ActionType is { } type && type != "Action.Execute")
        {
            return (200, TeamsMessages.InvokeError(400, "NotSupported", $"StretchBot only handles Action.Execute, not {type}."));
        }

        if (activity.ToTurn(options.Value) is not { Action: not null } turn)
        {
            return (200, TeamsMessages.InvokeError(400, "BadRequest", "The invoke needs a conversation with a tenant, a sender and an action."));
        }

        // Cheap (a database write only when the tenant's serviceUrl changed), and then nothing runs untracked.
        await RefreshServiceUrlAsync(activity, cancellationToken);
        var result = await turns.HandleAsync(turn, cancellationToken);
        // One card answers an invoke: the last one is the answer (a newcomer's welcome is on every card as Safety).
        var answer = result.Messages[^1];
        if (answer is DoneView done)
        {
            sharedCards.Request(done.PromptId, turn.Where.ChannelId);
        }

        // A walkthrough is one person's own card: it refreshes for them alone.
        var refreshUsers = answer is WalkthroughView ? [turn.Who.UserId] : await sender.RefreshUsersAsync(answer, cancellationToken);
        return (200, messages.InvokeResponse(answer, refreshUsers));
    }

    private async Task OnMessageAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        if (activity.ToTurn(options.Value) is not { } turn || activity.ServiceUrl is not { } serviceUrl)
        {
            LogIgnored(logger, activity.Type, "no tenant, sender, conversation or serviceUrl");
            return;
        }

        var result = await turns.HandleAsync(turn, cancellationToken);
        foreach (var done in result.Messages.OfType<DoneView>())
        {
            // The Action.Submit fallback of Done: count it like the Execute, and update the shared card too.
            sharedCards.Request(done.PromptId, turn.Where.ChannelId);
        }

        // Replies thread under the message in a channel; in chats they are plain sends.
        var reply = new TeamsReference(serviceUrl, activity.ConversationId, activity.RecipientId, activity.RecipientName, activity.Id, activity.FromId);
        await outbox.PostAllAsync(Address(activity, turn.Where.TenantId, activity.BaseConversationId, reply), result.Messages, cancellationToken);
    }

    private static ConversationAddress Address(TeamsActivity activity, string tenantId, string conversationId, TeamsReference reference) =>
        new(activity.CoreChannelId, tenantId, conversationId, reference.Serialize());

    private async Task OnInstallationUpdateAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        switch (activity.Action)
        {
            case "add" or "add-upgrade":
                await InstalledAsync(activity, welcome: activity.Action == "add", cancellationToken);
                break;
            case "remove":
                // remove-upgrade is an app update, not an uninstall.
                await RemovedAsync(activity, cancellationToken);
                break;
        }
    }

    private async Task OnConversationUpdateAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        if (activity.RecipientId.Length == 0)
        {
            return;
        }

        if (activity.MembersAdded.Contains(activity.RecipientId))
        {
            await InstalledAsync(activity, welcome: true, cancellationToken);
        }
        else if (activity.MembersRemoved.Contains(activity.RecipientId))
        {
            await RemovedAsync(activity, cancellationToken);
        }
    }

    /// <summary>
    /// Keeps the conversation reference and says hello once: Teams announces an install with both an
    /// installationUpdate and a conversationUpdate, and a team install once per team whichever channel it names.
    /// </summary>
    private async Task InstalledAsync(TeamsActivity activity, bool welcome, CancellationToken cancellationToken)
    {
        if (activity.TenantFor(options.Value) is not { } tenant || activity.ServiceUrl is not { } serviceUrl || activity.ConversationId.Length == 0)
        {
            LogIgnored(logger, activity.Type, "install without tenant, conversation or serviceUrl");
            return;
        }

        var conversationId = activity.BaseConversationId;
        bool isNew;
        await _installGate.WaitAsync(cancellationToken);
        try
        {
            var teamKnown = activity.TeamId is { } team && await installs.TeamHasInstallAsync(tenant, activity.CoreChannelId, team, cancellationToken);
            var stored = await installs.UpsertAsync(new Install(
                tenant, activity.CoreChannelId, conversationId, activity.ConversationType ?? (activity.TeamId is null ? (activity.IsGroup ? "groupChat" : "personal") : "channel"),
                activity.TeamId, activity.TeamName, activity.ConversationName, new TeamsReference(serviceUrl, conversationId, activity.RecipientId).Serialize(),
                activity.FromId.Length > 0 ? activity.FromId : null), cancellationToken);
            isNew = stored && !teamKnown;
        }
        finally
        {
            _installGate.Release();
        }

        LogInstalled(logger, activity.ConversationType ?? "unknown", isNew);
        if (!welcome || !isNew)
        {
            return;
        }

        var hello = new TeamsReference(serviceUrl, conversationId, activity.RecipientId, activity.RecipientName);
        var where = new Where(activity.CoreChannelId, tenant, conversationId, activity.TeamId, activity.IsGroup, activity.ConversationName);
        await outbox.PostAllAsync(Address(activity, tenant, conversationId, hello), (await turns.InstalledAsync(where, cancellationToken)).Messages, cancellationToken);
    }

    private async Task RemovedAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        if (activity.TenantFor(options.Value) is not { } tenant)
        {
            return;
        }

        // Removed from a team: every channel of it goes. Otherwise the one chat.
        var removed = activity.TeamId is { } team && activity.ConversationType is "channel" or null
            ? await installs.DeleteTeamAsync(tenant, activity.CoreChannelId, team, cancellationToken)
            : 0;
        removed += await installs.DeleteAsync(tenant, activity.CoreChannelId, activity.BaseConversationId, cancellationToken) ? 1 : 0;
        LogRemoved(logger, activity.ConversationType ?? "unknown", removed);
    }

    /// <summary>serviceUrl is stable but can change; the last one an authenticated activity brought wins.</summary>
    private async Task RefreshServiceUrlAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        if (activity.TenantFor(options.Value) is not { } tenant || activity.ServiceUrl is not { } serviceUrl
            || (_serviceUrls.TryGetValue(activity.CoreChannelId + "|" + tenant, out var known) && known == serviceUrl))
        {
            return;
        }

        var key = activity.CoreChannelId + "|" + tenant;
        _serviceUrls[key] = serviceUrl;
        try
        {
            await installs.RewriteReferencesAsync(tenant, activity.CoreChannelId, reference => TeamsReference.WithServiceUrl(reference, serviceUrl), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _serviceUrls.TryRemove(key, out _);
            LogServiceUrlFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a Teams {Type} activity: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed in a Teams {ConversationType} (new: {IsNew})")]
    private static partial void LogInstalled(ILogger logger, string conversationType, bool isNew);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed from a Teams {ConversationType} ({Count} stored references deleted)")]
    private static partial void LogRemoved(ILogger logger, string conversationType, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a new serviceUrl")]
    private static partial void LogServiceUrlFailed(ILogger logger, Exception exception);
}
