using Dapper;
using StretchBot.Storage;

namespace StretchBot.Stretching;

/// <summary>Where a stretch card was posted, so its shared tally can be updated in place.</summary>
public sealed record CardPost(string PromptId, string ChannelId, string ServiceUrl, string ConversationId, string ActivityId);

public sealed class CardPostStore(Database database, TimeProvider time)
{
    public async Task SaveAsync(CardPost post, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO card_posts (prompt_id, channel_id, service_url, conversation_id, activity_id, posted_at)
            VALUES (@PromptId, @ChannelId, @ServiceUrl, @ConversationId, @ActivityId, @now)
            ON CONFLICT (prompt_id) DO UPDATE SET service_url = excluded.service_url, conversation_id = excluded.conversation_id, activity_id = excluded.activity_id;
            """,
            new { post.PromptId, post.ChannelId, post.ServiceUrl, post.ConversationId, post.ActivityId, now = time.GetUtcNow().ToString("O") },
            cancellationToken: cancellationToken));
    }

    public async Task<CardPost?> FindAsync(string promptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CardPost>(new CommandDefinition(
            "SELECT prompt_id AS PromptId, channel_id AS ChannelId, service_url AS ServiceUrl, conversation_id AS ConversationId, activity_id AS ActivityId FROM card_posts WHERE prompt_id = @promptId;",
            new { promptId }, cancellationToken: cancellationToken));
    }
}
