using System.Text.Json;
using System.Text.Json.Serialization;
using StretchBot.Conversation;
using StretchBot.Delivery;

namespace StretchBot.Channels.Local;

/// <summary>
/// The local channel's side of the outbound seam: a message for a playground conversation is appended to its
/// Direct Line activity log, where Web Chat's next poll picks it up. It works with or without a turn in progress,
/// so anything (a reply, a scheduled nudge) can be pushed to an open playground.
/// </summary>
public sealed class LocalSender(DirectLineConversations conversations, LocalReplies replies) : IChannelSender
{
    /// <summary>Direct Line keeps a log, not editable messages: posted cards are not updated in place.</summary>
    public TimeSpan? CardUpdateInterval(string channelId) => null;

    public bool Serves(string channelId) => channelId == LocalActivities.ChannelId;

    /// <summary>The address of a playground conversation, optionally as a reply to one of the person's activities.</summary>
    public static ConversationAddress Address(string conversationId, string? userId = null, string? userName = null, string? replyToId = null) =>
        new(LocalActivities.ChannelId, LocalActivities.TenantId, conversationId,
            JsonSerializer.Serialize(new LocalReference(conversationId, userId, userName, replyToId), LocalReferenceJson.Default.LocalReference));

    /// <summary>A playground conversation is reached by its id alone (a scheduled nudge there has no install record).</summary>
    public ConversationAddress? AddressOf(string channelId, string tenantId, string conversationId) =>
        Serves(channelId) && tenantId == LocalActivities.TenantId ? Address(conversationId) : null;

    public Task<PostedMessage> PostAsync(ConversationAddress to, View view, CancellationToken cancellationToken)
    {
        var reference = Parse(to.Reference);
        // An evicted or unknown conversation can never be reached again: the browser starts a new one.
        var conversation = conversations.Get(reference.ConversationId) ?? throw new DeliveryFailedException(LocalActivities.ChannelId, gone: true, "conversation not found");
        // The playground is one person's conversation: a message meant for them alone needs no mention.
        var id = conversation.Append(replies.ToActivity(view is MentionView mention ? mention.Inner : view, reference.UserId, reference.UserName, reference.ReplyToId));
        return Task.FromResult(new PostedMessage(null, id));
    }

    public Task UpdateAsync(PostedCard card, View view, CancellationToken cancellationToken) => Task.CompletedTask;

    private static LocalReference Parse(string reference)
    {
        try
        {
            return JsonSerializer.Deserialize(reference, LocalReferenceJson.Default.LocalReference) is { ConversationId.Length: > 0 } parsed
                ? parsed
                : throw new DeliveryFailedException(LocalActivities.ChannelId, gone: true, "empty conversation reference");
        }
        catch (JsonException exception)
        {
            throw new DeliveryFailedException(LocalActivities.ChannelId, gone: true, "unreadable conversation reference", exception);
        }
    }
}

public sealed record LocalReference(string ConversationId, string? UserId, string? UserName, string? ReplyToId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LocalReference))]
internal sealed partial class LocalReferenceJson : JsonSerializerContext;
