using Dapper;
using StretchBot.Storage;

namespace StretchBot.Stretching;

/// <summary>
/// Where a stretch card was posted, so its shared tally can be updated in place. <see cref="Reference"/> is the
/// channel adapter's own data (for Teams: serviceUrl, conversation and activity id).
/// </summary>
public sealed record CardPost(string PromptId, string ChannelId, string TenantId, string ConversationId, string Reference);

public sealed class CardPostStore(Database database, TimeProvider time)
{
    public async Task SaveAsync(CardPost post, CancellationToken cancellationToken)
    {
        // Committed together with the other writes of the moment: a fan-out posts thousands of cards at once.
        await database.WriteTogetherAsync((connection, token) => connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO card_posts (prompt_id, channel_id, tenant_id, conversation_id, reference, posted_at)
            VALUES (@PromptId, @ChannelId, @TenantId, @ConversationId, @Reference, @now)
            ON CONFLICT (prompt_id) DO UPDATE SET conversation_id = excluded.conversation_id, reference = excluded.reference;
            """,
            new { post.PromptId, post.ChannelId, post.TenantId, post.ConversationId, post.Reference, now = time.GetUtcNow().ToString("O") },
            cancellationToken: token)), cancellationToken);
    }

    public async Task<CardPost?> FindAsync(string promptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CardPost>(new CommandDefinition(
            "SELECT prompt_id AS PromptId, channel_id AS ChannelId, tenant_id AS TenantId, conversation_id AS ConversationId, reference AS Reference FROM card_posts WHERE prompt_id = @promptId;",
            new { promptId }, cancellationToken: cancellationToken));
    }
}
