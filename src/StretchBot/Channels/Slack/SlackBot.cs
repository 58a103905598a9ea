using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Conversation;
using StretchBot.Delivery;
using StretchBot.Installs;
using StretchBot.Scheduling;

namespace StretchBot.Channels.Slack;

/// <summary>What to answer Slack at once: a status and, for url_verification or a busy slash command, a JSON body.</summary>
public sealed record SlackAck(int Status, JsonObject? Body = null)
{
    public static readonly SlackAck Ok = new(200);
}

/// <summary>
/// What StretchBot does with each Slack request, the same over HTTP and Socket Mode. <see cref="Accept"/> answers at
/// once (Slack wants its acknowledgement within 3 s) and hands the work to <see cref="BackgroundWork"/>; everything it
/// sends goes through the <see cref="Outbox"/>, addressed with a <see cref="SlackReference"/>.
/// </summary>
public sealed partial class SlackBot(
    TurnHandler turns,
    Outbox outbox,
    SlackApiClient api,
    SlackRenderer renderer,
    SlackWorkspaces workspaces,
    SlackPeople people,
    SlackEventIds eventIds,
    InstallStore installs,
    SharedCardUpdates sharedCards,
    ScheduleStops scheduleStops,
    BackgroundWork work,
    IOptions<SlackOptions> options,
    ILogger<SlackBot> logger)
{
    private const string ChannelId = SlackSender.ChannelId;

    // At most this many of a person's channels are looked at for the App Home's schedules.
    private const int MaxHomeChannels = 1000;

    private readonly ConcurrentDictionary<string, byte> _knownConversations = new(StringComparer.Ordinal);

    /// <summary>
    /// The acknowledgement for a request already verified and read; its work, if any, is queued. A repeated event_id
    /// (Slack's retries, <paramref name="retryNum"/> &gt; 0, or the same event twice) acts once.
    /// </summary>
    public SlackAck Accept(SlackRequest request, int retryNum)
    {
        switch (request)
        {
            case SlackUrlVerification verification:
                return new SlackAck(200, new JsonObject { ["challenge"] = verification.Challenge });
            case SlackEventCallback callback:
                if (!eventIds.TryClaim(callback.EventId))
                {
                    LogRepeat(logger, callback.EventId, retryNum);
                    return SlackAck.Ok;
                }

                if (!work.TryEnqueue(ct => OnEventAsync(callback, ct)))
                {
                    // Not taken: Slack's retry will be.
                    eventIds.Release(callback.EventId);
                    return new SlackAck(503);
                }

                return SlackAck.Ok;
            case SlackSlashCommand command:
                return work.TryEnqueue(ct => OnSlashCommandAsync(command, ct))
                    ? SlackAck.Ok
                    : new SlackAck(200, new JsonObject { ["response_type"] = "ephemeral", ["text"] = "StretchBot is busy right now. Try again in a moment." });
            case SlackBlockActions actions:
                // Slack doesn't retry a click. Not taken, it is answered 503, so Slack shows the person that it failed
                // and they can click again; a 200 would tell them it worked.
                if (!work.TryEnqueue(ct => OnBlockActionsAsync(actions, ct)))
                {
                    LogBusy(logger);
                    return new SlackAck(503);
                }

                return SlackAck.Ok;
            default:
                return SlackAck.Ok;
        }
    }

    private async Task OnEventAsync(SlackEventCallback callback, CancellationToken cancellationToken)
    {
        var e = callback.Event;
        var tenant = callback.Team.TenantId;
        if (e.Type is "app_uninstalled" || (e.Type is "tokens_revoked" && e.RevokesBot))
        {
            if (callback.EventTime > 0 && await workspaces.InstalledAfterAsync(tenant, DateTimeOffset.FromUnixTimeSeconds(callback.EventTime), cancellationToken))
            {
                LogIgnored(logger, e.Type, "the workspace was installed again after it");
                return;
            }

            await UninstalledAsync(callback.Team, e.Type, cancellationToken);
            return;
        }

        if (await workspaces.FindAsync(tenant, cancellationToken) is not { } workspace)
        {
            LogIgnored(logger, e.Type, "workspace not installed");
            return;
        }

        if (e.Type == "member_joined_channel")
        {
            // Of everyone joining, only the bot itself matters: added to a channel, it can post there.
            if (e.User == workspace.BotUserId && e.Channel is { } joined)
            {
                await JoinedAsync(workspace, callback.Team, joined, cancellationToken);
            }

            return;
        }

        // The bot's own messages come back as events; other bots' and edits (subtypes) are not people talking.
        if (e.BotId is not null || e.Subtype is not null || e.User is null || e.User == workspace.BotUserId)
        {
            LogIgnored(logger, e.Type, "from a bot, an edit, or the bot itself");
            return;
        }

        switch (e.Type)
        {
            case "app_mention" when e.Channel is { } channel:
                await MessageAsync(workspace, callback.Team, e.User, channel, isDirect: channel.StartsWith('D'), WithoutMentions(e.Text), e.ThreadTs, cancellationToken);
                break;
            case "message" when e.ChannelType == "im" && e.Channel is { } direct:
                await MessageAsync(workspace, callback.Team, e.User, direct, isDirect: true, e.Text ?? string.Empty, threadTs: null, cancellationToken);
                break;
            case "app_home_opened" when e.Tab == "home":
                await PublishHomeAsync(workspace, e.User, cancellationToken);
                break;
            default:
                LogIgnored(logger, e.Type, "nothing to do");
                break;
        }
    }

    private async Task MessageAsync(SlackWorkspace workspace, SlackTeam team, string userId, string channel, bool isDirect, string text, string? threadTs, CancellationToken cancellationToken)
    {
        var where = WhereOf(workspace, team, channel, isDirect, name: null);
        await RememberAsync(where, cancellationToken);
        var who = await people.WhoAsync(workspace, userId, null, cancellationToken);
        var result = await turns.HandleAsync(new Turn(where, who, text), cancellationToken);
        var address = new ConversationAddress(ChannelId, where.TenantId, channel, new SlackReference(channel, ThreadTs: threadTs).Serialize());
        await outbox.PostAllAsync(address, result.Messages, cancellationToken);
    }

    private async Task OnSlashCommandAsync(SlackSlashCommand command, CancellationToken cancellationToken)
    {
        var responseUrl = SlackApiClient.IsResponseUrl(command.ResponseUrl, options.Value) ? command.ResponseUrl : null;
        if (await workspaces.FindAsync(command.Team.TenantId, cancellationToken) is not { } workspace)
        {
            LogIgnored(logger, "slash_command", "workspace not installed");
            if (responseUrl is not null)
            {
                await RespondQuietlyAsync(responseUrl, "StretchBot isn't installed in this workspace yet. Ask an admin to install it, then try again.", cancellationToken);
            }

            return;
        }

        var isDirect = command.ChannelId.StartsWith('D');
        var where = WhereOf(workspace, command.Team, command.ChannelId, isDirect, isDirect ? null : command.ChannelName);
        await RememberAsync(where, cancellationToken);
        var who = await people.WhoAsync(workspace, command.UserId, command.UserName, cancellationToken);
        var result = await turns.HandleAsync(new Turn(where, who, Commands.SlashText(command.Text)), cancellationToken);
        var reference = new SlackReference(command.ChannelId, User: command.UserId, ResponseUrl: responseUrl);
        await outbox.PostAllAsync(new ConversationAddress(ChannelId, where.TenantId, command.ChannelId, reference.Serialize()), result.Messages, cancellationToken);
    }

    private async Task OnBlockActionsAsync(SlackBlockActions actions, CancellationToken cancellationToken)
    {
        if (await workspaces.FindAsync(actions.Team.TenantId, cancellationToken) is not { } workspace)
        {
            // A shared (Slack Connect) channel: the click comes from the clicker's own workspace, which may not have the app.
            LogIgnored(logger, "block_actions", "workspace not installed");
            if (SlackApiClient.IsResponseUrl(actions.ResponseUrl, options.Value))
            {
                await RespondQuietlyAsync(actions.ResponseUrl!, "StretchBot isn't installed in your workspace, so this click can't be counted. Ask an admin to install it.", cancellationToken);
            }

            return;
        }

        string channel;
        SlackReference reference;
        if (actions.Container == SlackContainerKind.View || actions.ChannelId is null)
        {
            // A button on the App Home tab: the answer goes to the person's DM with the bot.
            try
            {
                channel = await api.OpenDirectMessageAsync(workspace.BotToken, workspace.TenantId, actions.UserId, cancellationToken);
            }
            catch (SlackApiException)
            {
                return;
            }

            reference = new SlackReference(channel);
        }
        else
        {
            channel = actions.ChannelId;
            var responseUrl = SlackApiClient.IsResponseUrl(actions.ResponseUrl, options.Value) ? actions.ResponseUrl : null;
            reference = new SlackReference(channel, ThreadTs: actions.ThreadTs, User: actions.UserId, ResponseUrl: responseUrl,
                FromEphemeral: actions.Container == SlackContainerKind.EphemeralMessage && responseUrl is not null);
        }

        var isDirect = channel.StartsWith('D');
        var where = WhereOf(workspace, actions.Team, channel, isDirect, isDirect ? null : actions.ChannelName);
        var who = await people.WhoAsync(workspace, actions.UserId, actions.UserName, cancellationToken);
        var a = actions.Action;
        var result = await turns.HandleAsync(new Turn(where, who, Action: new CardAction(a.ActionId, a.PromptId, a.StretchId, a.Filter, a.Step)), cancellationToken);
        foreach (var done in result.Messages.OfType<DoneView>())
        {
            // The channel prompt's tally: at most one chat.update per message per Slack:MessageUpdateInterval.
            sharedCards.Request(done.PromptId, ChannelId);
        }

        await outbox.PostAllAsync(new ConversationAddress(ChannelId, where.TenantId, channel, reference.Serialize()), result.Messages, cancellationToken);
    }

    /// <summary>The bot was added to a channel: keep how to post there, and say hello (once per install of that channel).</summary>
    private async Task JoinedAsync(SlackWorkspace workspace, SlackTeam team, string channel, CancellationToken cancellationToken)
    {
        string? name = null;
        try
        {
            name = await api.ConversationNameAsync(workspace.BotToken, workspace.TenantId, channel, cancellationToken);
        }
        catch (SlackApiException)
        {
            // The name is for the App Home and schedules only; the install stands without it.
        }

        var where = WhereOf(workspace, team, channel, isDirect: false, name);
        var isNew = await installs.UpsertAsync(InstallOf(where), cancellationToken);
        _knownConversations.TryAdd(Key(where), 0);
        LogInstalled(logger, isNew);
        if (isNew)
        {
            var address = new ConversationAddress(ChannelId, where.TenantId, channel, new SlackReference(channel).Serialize());
            await outbox.PostAllAsync(address, (await turns.InstalledAsync(where, cancellationToken)).Messages, cancellationToken);
        }
    }

    /// <summary>Uninstalled, or the bot token revoked: the token is deleted, every channel's install and schedule stop.</summary>
    private async Task UninstalledAsync(SlackTeam team, string why, CancellationToken cancellationToken)
    {
        var tenant = team.TenantId;
        var deleted = await workspaces.DeleteAsync(tenant, cancellationToken);
        var stopped = 0;
        var conversations = await installs.ListAsync(tenant, ChannelId, cancellationToken);
        foreach (var install in conversations)
        {
            await installs.MarkGoneAsync(tenant, ChannelId, install.ConversationId, why, cancellationToken);
            stopped += await scheduleStops.StopConversationAsync(tenant, ChannelId, install.ConversationId, "StretchBot was uninstalled from the workspace", cancellationToken);
        }

        _knownConversations.Clear();
        LogUninstalled(logger, why, deleted, conversations.Count, stopped);
    }

    /// <summary>The App Home tab: the person's stats, the workspace's week, and the schedules of the channels they're in.</summary>
    private async Task PublishHomeAsync(SlackWorkspace workspace, string userId, CancellationToken cancellationToken)
    {
        var who = await people.WhoAsync(workspace, userId, null, cancellationToken);
        var theirs = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            theirs.UnionWith(await api.UserChannelsAsync(workspace.BotToken, workspace.TenantId, userId, MaxHomeChannels, cancellationToken));
        }
        catch (SlackApiException)
        {
            // Without the list, no channel's schedule is shown: never one the person isn't in.
        }

        var conversations = (await installs.ListAsync(workspace.TenantId, ChannelId, cancellationToken))
            .Where(i => i.GoneAt is null && theirs.Contains(i.ConversationId))
            .Select(i => new Where(ChannelId, workspace.TenantId, i.ConversationId, i.TeamId, IsGroup: true, i.Name is null ? null : "#" + i.Name))
            .ToList();
        var home = await turns.HomeAsync(ChannelId, workspace.TenantId, who, conversations, cancellationToken);
        var view = renderer.RenderHome(new SlackHome(home.Stats, home.Leaderboard,
            home.Schedules.Select(s => new SlackHomeSchedule(s.Where.ConversationName ?? s.Where.ConversationId, s.Schedule)).ToList()));
        try
        {
            await api.PublishViewAsync(workspace.BotToken, workspace.TenantId, userId, view, cancellationToken);
        }
        catch (SlackApiException)
        {
            // Logged by the client; the tab shows its last version.
        }
    }

    /// <summary>
    /// A conversation someone talked to the bot in: kept (once per instance) so a schedule set there has somewhere to
    /// post, even when the member_joined_channel event never reached us.
    /// </summary>
    private async Task RememberAsync(Where where, CancellationToken cancellationToken)
    {
        if (_knownConversations.ContainsKey(Key(where)))
        {
            return;
        }

        await installs.UpsertAsync(InstallOf(where), cancellationToken);
        if (_knownConversations.Count < 100_000)
        {
            _knownConversations.TryAdd(Key(where), 0);
        }
    }

    private async Task RespondQuietlyAsync(string responseUrl, string text, CancellationToken cancellationToken)
    {
        try
        {
            await api.RespondAsync(responseUrl, new JsonObject { ["response_type"] = "ephemeral", ["replace_original"] = false, ["text"] = text }, cancellationToken);
        }
        catch (SlackApiException)
        {
            // Logged by the client.
        }
    }

    private static Where WhereOf(SlackWorkspace workspace, SlackTeam team, string channel, bool isDirect, string? name) =>
        new(ChannelId, workspace.TenantId, channel, isDirect ? null : team.TeamId ?? workspace.TenantId, IsGroup: !isDirect, name);

    private static Install InstallOf(Where where) => new(
        where.TenantId, ChannelId, where.ConversationId, where.IsGroup ? "channel" : "personal", where.TeamId, null, where.ConversationName,
        new SlackReference(where.ConversationId).Serialize(), null);

    private static string Key(Where where) => where.TenantId + "|" + where.ConversationId;

    /// <summary>"&lt;@U123&gt; stretch desk" → "stretch desk": mentions (of the bot or anyone) are not part of the command.</summary>
    public static string WithoutMentions(string? text) => Mention().Replace(text ?? string.Empty, " ").Trim();

    [GeneratedRegex("<@[A-Za-z0-9]+(\\|[^>]*)?>", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a Slack {Type}: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack event {EventId} seen before (retry {RetryNum}): acknowledged, not acted on again")]
    private static partial void LogRepeat(ILogger logger, string eventId, int retryNum);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Slack click could not be queued: StretchBot is busy")]
    private static partial void LogBusy(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Added to a Slack channel (new: {IsNew})")]
    private static partial void LogInstalled(ILogger logger, bool isNew);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack {Why}: token deleted {Deleted}, {Count} channels marked gone, {Stopped} schedules stopped")]
    private static partial void LogUninstalled(ILogger logger, string why, bool deleted, int count, int stopped);
}
