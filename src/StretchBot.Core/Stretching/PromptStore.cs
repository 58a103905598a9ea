using Dapper;
using StretchBot.Conversation;
using StretchBot.Storage;

namespace StretchBot.Stretching;

public enum PromptKind { OnDemand, Scheduled }

/// <summary>The one stored encoding of <see cref="PromptKind"/> (prompts.kind and completions.source alike).</summary>
public static class PromptKinds
{
    public const string OnDemand = "on_demand";
    public const string Scheduled = "scheduled";

    public static string ToText(PromptKind kind) => kind == PromptKind.Scheduled ? Scheduled : OnDemand;

    public static PromptKind Parse(string text) => text == Scheduled ? PromptKind.Scheduled : PromptKind.OnDemand;
}

public sealed record Prompt(string Id, string TenantId, string ChannelId, string ConversationId, string StretchId, PromptKind Kind, string? RequestedBy);

/// <summary>Every stretch card we post is a prompt; Done on a card is counted against its prompt id.</summary>
public sealed class PromptStore(Database database, TimeProvider time)
{
    public async Task<Prompt> CreateAsync(Where where, string stretchId, PromptKind kind, string? requestedBy, CancellationToken cancellationToken)
    {
        var prompt = new Prompt(NewId(), where.TenantId, where.ChannelId, where.ConversationId, stretchId, kind, requestedBy);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO prompts (id, tenant_id, channel_id, conversation_id, stretch_id, kind, requested_by, created_at)
            VALUES (@Id, @TenantId, @ChannelId, @ConversationId, @StretchId, @kind, @RequestedBy, @now);
            """, new { prompt.Id, prompt.TenantId, prompt.ChannelId, prompt.ConversationId, prompt.StretchId, kind = PromptKinds.ToText(kind), prompt.RequestedBy, now = time.GetUtcNow().ToString("O") },
            cancellationToken: cancellationToken));
        return prompt;
    }

    public async Task<Prompt?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (id.Length is 0 or > 64)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PromptRow>(new CommandDefinition(
            "SELECT id, tenant_id AS TenantId, channel_id AS ChannelId, conversation_id AS ConversationId, stretch_id AS StretchId, kind, requested_by AS RequestedBy FROM prompts WHERE id = @id;",
            new { id }, cancellationToken: cancellationToken));
        return row is null ? null : new Prompt(row.Id, row.TenantId, row.ChannelId, row.ConversationId, row.StretchId,
            PromptKinds.Parse(row.Kind), row.RequestedBy);
    }

    /// <summary>The stretches this person was offered most recently, newest first, so on-demand picks can avoid repeats.</summary>
    public async Task<IReadOnlyList<string>> RecentStretchesAsync(string tenantId, string userId, int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT stretch_id FROM prompts WHERE tenant_id = @tenantId AND requested_by = @userId ORDER BY created_at DESC, rowid DESC LIMIT @count;",
            new { tenantId, userId, count }, cancellationToken: cancellationToken));
        return ids.AsList();
    }

    // 128 random bits: prompt ids travel in card data, so they must not be guessable.
    private static string NewId() => "p_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private sealed record PromptRow(string Id, string TenantId, string ChannelId, string ConversationId, string StretchId, string Kind, string? RequestedBy);
}
