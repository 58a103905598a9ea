using StretchBot.Conversation;

namespace StretchBot.Delivery;

/// <summary>
/// Where a message goes: a conversation of one channel, with that channel's own way of reaching it.
/// <see cref="Reference"/> is the adapter's opaque data (for Teams, the serviceUrl, the bot and the thread); only the
/// adapter that wrote it reads it, so no channel's wire format leaks into the core or its schema.
/// </summary>
/// <param name="ConversationId">The conversation as the core keys it (stats, prompts, installs).</param>
public sealed record ConversationAddress(string ChannelId, string TenantId, string ConversationId, string Reference);

/// <summary>
/// A message the channel accepted. <see cref="Reference"/> is what its adapter needs to update it later, or null when it
/// can't be; <see cref="MessageId"/> is the platform's id of the message, kept on delivery records, where it gave one.
/// </summary>
public sealed record PostedMessage(string? Reference, string? MessageId = null);

/// <summary>A card as posted, to be updated in place: <see cref="Reference"/> is the adapter's <see cref="PostedMessage.Reference"/>.</summary>
public sealed record PostedCard(string ChannelId, string TenantId, string ConversationId, string Reference);

/// <summary>
/// One channel's sending: it renders a view in the channel's own format and sends it through the channel's client
/// (which brings the one resilience pipeline and rate gate). Failures are reported as <see cref="DeliveryFailedException"/>.
/// </summary>
public interface IChannelSender
{
    /// <summary>Whether this sender reaches conversations of this channel id (the core's <c>Where.ChannelId</c>).</summary>
    bool Serves(string channelId);

    /// <summary>How often a shared card's tally may be rewritten in this channel; null when its posted cards aren't updated.</summary>
    TimeSpan? CardUpdateInterval(string channelId);

    Task<PostedMessage> PostAsync(ConversationAddress to, View view, CancellationToken cancellationToken);

    Task UpdateAsync(PostedCard card, View view, CancellationToken cancellationToken);

    /// <summary>
    /// The 1:1 chat between the bot and <paramref name="userId"/>, a member of the conversation <paramref name="from"/>
    /// reaches, for a message meant for that person alone; null where the channel can't open one (then the caller
    /// posts in <paramref name="from"/>, mentioning them).
    /// </summary>
    Task<ConversationAddress?> OpenPersonalAsync(ConversationAddress from, string userId, CancellationToken cancellationToken) =>
        Task.FromResult<ConversationAddress?>(null);

    /// <summary>
    /// How to reach a conversation that has no install record, where the channel knows without one (the playground:
    /// its conversations are addressed by id alone); null where a stored install is needed (Teams, Slack).
    /// </summary>
    ConversationAddress? AddressOf(string channelId, string tenantId, string conversationId) => null;
}

/// <summary>
/// The channel refused or could not be reached after its retries. <see cref="Gone"/>: the bot is no longer in that
/// conversation (uninstalled, removed, conversation deleted), so nothing more should be sent there.
/// </summary>
public sealed class DeliveryFailedException(string channelId, bool gone, string reason, Exception? inner = null)
    : Exception($"{channelId} refused the message: {reason}", inner)
{
    public string ChannelId { get; } = channelId;

    public bool Gone { get; } = gone;

    public string Reason { get; } = reason;
}
