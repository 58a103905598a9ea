using Microsoft.Extensions.Logging;
using StretchBot.Conversation;
using StretchBot.Installs;
using StretchBot.Stretching;

namespace StretchBot.Delivery;

/// <summary>
/// The one outbound seam. Replies, welcomes, shared-card updates and (later) scheduled nudges all go through here:
/// "post this view to this conversation", "update this posted card", "this conversation is gone". Each channel's
/// <see cref="IChannelSender"/> does the wire format; this class does what is the same everywhere: remembering where
/// stretch cards went so their tally can be updated, stopping a turn's replies at the first refusal, and marking a
/// conversation the platform says is gone (a proactive sender, such as a schedule, checks that mark before posting).
/// </summary>
public sealed partial class Outbox
{
    private readonly IReadOnlyList<IChannelSender> _senders;
    private readonly InstallStore _installs;
    private readonly CardPostStore _cardPosts;
    private readonly ILogger<Outbox> _logger;

    public Outbox(IEnumerable<IChannelSender> senders, InstallStore installs, CardPostStore cardPosts, ILogger<Outbox> logger)
    {
        _senders = senders.ToList();
        _installs = installs;
        _cardPosts = cardPosts;
        _logger = logger;
    }

    public bool Serves(string channelId) => Find(channelId) is not null;

    /// <summary>How often a shared card may be rewritten in this channel; null when it can't be.</summary>
    public TimeSpan? CardUpdateInterval(string channelId) => Find(channelId)?.CardUpdateInterval(channelId);

    /// <summary>Posts one view. False when the channel refused it (already logged, and a gone conversation marked).</summary>
    public async Task<bool> PostAsync(ConversationAddress to, View view, CancellationToken cancellationToken)
    {
        var sender = SenderFor(to.ChannelId);
        PostedMessage posted;
        try
        {
            posted = await sender.PostAsync(to, view, cancellationToken);
        }
        catch (DeliveryFailedException exception)
        {
            await FailedAsync(to.ChannelId, to.TenantId, to.ConversationId, exception, cancellationToken);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A sender's own mistake must not end a turn half-way or escape into a request: it is a failed delivery.
            await FailedAsync(to.ChannelId, to.TenantId, to.ConversationId, new DeliveryFailedException(to.ChannelId, gone: false, exception.GetType().Name, exception), cancellationToken, unexpected: true);
            return false;
        }

        if ((view is MentionView { Inner: StretchView mentioned } ? mentioned : view) is StretchView stretch && posted.Reference is { } reference)
        {
            // The card's tally is updated in place later (Done clicks), so keep where it went.
            await _cardPosts.SaveAsync(new CardPost(stretch.PromptId, to.ChannelId, to.TenantId, to.ConversationId, reference), cancellationToken);
        }
        else if (view is StretchView && sender.CardUpdateInterval(to.ChannelId) is not null)
        {
            LogNoReference(_logger, to.ChannelId);
        }

        return true;
    }

    /// <summary>
    /// Posts a view nobody asked for just now (a scheduled nudge, a Later): not into a conversation marked gone, and
    /// with the outcome spelled out for the delivery record (the message id, or why not and whether it is gone).
    /// </summary>
    public async Task<ProactiveOutcome> PostProactiveAsync(ConversationAddress to, View view, CancellationToken cancellationToken)
    {
        if (await _installs.FindAsync(to.TenantId, to.ChannelId, to.ConversationId, cancellationToken) is { GoneAt: not null } gone)
        {
            return ProactiveOutcome.Refused(gone.GoneReason ?? "gone", isGone: true);
        }

        if (Find(to.ChannelId) is not { } sender)
        {
            return ProactiveOutcome.Refused($"no sender for channel {to.ChannelId}", isGone: false);
        }

        PostedMessage posted;
        try
        {
            posted = await sender.PostAsync(to, view, cancellationToken);
        }
        catch (DeliveryFailedException exception)
        {
            await FailedAsync(to.ChannelId, to.TenantId, to.ConversationId, exception, cancellationToken);
            return ProactiveOutcome.Refused(exception.Reason, exception.Gone);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await FailedAsync(to.ChannelId, to.TenantId, to.ConversationId, new DeliveryFailedException(to.ChannelId, gone: false, exception.GetType().Name, exception), cancellationToken, unexpected: true);
            return ProactiveOutcome.Refused(exception.GetType().Name, isGone: false);
        }

        if ((view is MentionView { Inner: StretchView mentioned } ? mentioned : view) is StretchView stretch && posted.Reference is { } reference)
        {
            await _cardPosts.SaveAsync(new CardPost(stretch.PromptId, to.ChannelId, to.TenantId, to.ConversationId, reference), cancellationToken);
        }

        return ProactiveOutcome.Posted(posted.MessageId ?? posted.Reference);
    }

    /// <summary>How to reach a conversation: its install's stored reference, or the channel's own way where it needs none; null when neither.</summary>
    public async Task<(ConversationAddress? Address, Install? Install)> AddressAsync(string channelId, string tenantId, string conversationId, CancellationToken cancellationToken)
    {
        if (await _installs.FindAsync(tenantId, channelId, conversationId, cancellationToken) is { } install)
        {
            return (new ConversationAddress(channelId, tenantId, conversationId, install.Reference), install);
        }

        return (Find(channelId)?.AddressOf(channelId, tenantId, conversationId), null);
    }

    /// <summary>The 1:1 chat with a member of <paramref name="from"/>'s conversation, where the channel can open one; null otherwise or when it refused.</summary>
    public async Task<ConversationAddress?> OpenPersonalAsync(ConversationAddress from, string userId, CancellationToken cancellationToken)
    {
        if (Find(from.ChannelId) is not { } sender)
        {
            return null;
        }

        try
        {
            return await sender.OpenPersonalAsync(from, userId, cancellationToken);
        }
        catch (DeliveryFailedException exception)
        {
            // Not the conversation's fault: the caller falls back to it.
            LogFailed(_logger, from.ChannelId, false, exception.Reason, null);
            return null;
        }
    }

    /// <summary>Posts views in order, stopping at the first refusal (the rest would fail the same way).</summary>
    public async Task<bool> PostAllAsync(ConversationAddress to, IEnumerable<View> views, CancellationToken cancellationToken)
    {
        foreach (var view in views)
        {
            if (!await PostAsync(to, view, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Rewrites the posted card of a prompt with this view. False when there is no such card or the channel refused.</summary>
    public async Task<bool> UpdateCardAsync(string promptId, View view, CancellationToken cancellationToken)
    {
        if (await _cardPosts.FindAsync(promptId, cancellationToken) is not { } post || Find(post.ChannelId) is not { } sender)
        {
            return false;
        }

        try
        {
            await sender.UpdateAsync(new PostedCard(post.ChannelId, post.TenantId, post.ConversationId, post.Reference), view, cancellationToken);
            return true;
        }
        catch (DeliveryFailedException exception)
        {
            await FailedAsync(post.ChannelId, post.TenantId, post.ConversationId, exception, cancellationToken);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await FailedAsync(post.ChannelId, post.TenantId, post.ConversationId, new DeliveryFailedException(post.ChannelId, gone: false, exception.GetType().Name, exception), cancellationToken, unexpected: true);
            return false;
        }
    }

    /// <summary>The platform says the bot is no longer there: nothing more is sent until it is installed again.</summary>
    public Task ConversationGoneAsync(string channelId, string tenantId, string conversationId, string reason, CancellationToken cancellationToken) =>
        _installs.MarkGoneAsync(tenantId, channelId, conversationId, reason, cancellationToken);

    private async Task FailedAsync(string channelId, string tenantId, string conversationId, DeliveryFailedException exception, CancellationToken cancellationToken, bool unexpected = false)
    {
        // A platform's refusal needs no stack trace; a sender's own mistake (wrapped below) does.
        LogFailed(_logger, channelId, exception.Gone, exception.Reason, unexpected ? exception.InnerException : null);
        if (exception.Gone)
        {
            await ConversationGoneAsync(channelId, tenantId, conversationId, exception.Reason, cancellationToken);
        }
    }

    private IChannelSender SenderFor(string channelId) =>
        Find(channelId) ?? throw new InvalidOperationException($"No sender is registered for channel '{channelId}'.");

    private IChannelSender? Find(string channelId)
    {
        foreach (var sender in _senders)
        {
            if (sender.Serves(channelId))
            {
                return sender;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not deliver to {ChannelId} (gone: {Gone}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string channelId, bool gone, string reason, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stretch card was accepted by {ChannelId} without an id; its tally can't be updated in place")]
    private static partial void LogNoReference(ILogger logger, string channelId);
}

/// <summary>How a proactive post went: <see cref="MessageId"/> when it was posted, else <see cref="Reason"/> (and <see cref="Gone"/>).</summary>
public sealed record ProactiveOutcome(bool Sent, string? MessageId, string? Reason, bool Gone)
{
    public static ProactiveOutcome Posted(string? messageId) => new(true, messageId, null, false);

    public static ProactiveOutcome Refused(string reason, bool isGone) => new(false, null, reason, isGone);
}
