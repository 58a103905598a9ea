using Dapper;
using StretchBot.Storage;

namespace StretchBot.Installs;

/// <summary>
/// Where the bot is installed and how to reach it there later: <see cref="Install.Reference"/> is the channel
/// adapter's own data (for Teams, the serviceUrl and the bot's id), read only by that adapter. A conversation the platform says we were removed from is marked gone, not deleted, so it can be told apart
/// from one we never knew.
/// </summary>
public sealed record Install(
    string TenantId,
    string ChannelId,
    string ConversationId,
    string? ConversationType,
    string? TeamId,
    string? TeamName,
    string? Name,
    string Reference,
    string? InstalledBy,
    DateTimeOffset? GoneAt = null,
    string? GoneReason = null);

public sealed class InstallStore(Database database, TimeProvider time)
{
    /// <summary>
    /// Stores or refreshes an install. Returns true only for the call that made it new (first time, or back after it
    /// was gone): Teams announces one install with two events, and only one of them may say hello.
    /// </summary>
    public async Task<bool> UpsertAsync(Install install, CancellationToken cancellationToken)
    {
        var parameters = new { install.TenantId, install.ChannelId, install.ConversationId, install.ConversationType, install.TeamId, install.TeamName, install.Name, install.Reference, install.InstalledBy, now = time.GetUtcNow().ToString("O") };
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        // Each statement is atomic, so of two concurrent calls exactly one inserts (or revives).
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO installs (tenant_id, channel_id, conversation_id, conversation_type, team_id, team_name, name, reference, installed_by, installed_at, updated_at)
            VALUES (@TenantId, @ChannelId, @ConversationId, @ConversationType, @TeamId, @TeamName, @Name, @Reference, @InstalledBy, @now, @now)
            ON CONFLICT (tenant_id, channel_id, conversation_id) DO NOTHING;
            """, parameters, cancellationToken: cancellationToken));
        var revived = inserted == 0 && await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE installs SET installed_at = @now, gone_at = NULL, gone_reason = NULL
            WHERE tenant_id = @TenantId AND channel_id = @ChannelId AND conversation_id = @ConversationId AND gone_at IS NOT NULL;
            """, parameters, cancellationToken: cancellationToken)) > 0;
        if (inserted == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE installs SET
                    conversation_type = COALESCE(@ConversationType, conversation_type),
                    team_id = COALESCE(@TeamId, team_id),
                    team_name = COALESCE(@TeamName, team_name),
                    name = COALESCE(@Name, name),
                    reference = @Reference,
                    installed_by = COALESCE(@InstalledBy, installed_by),
                    updated_at = @now
                WHERE tenant_id = @TenantId AND channel_id = @ChannelId AND conversation_id = @ConversationId;
                """, parameters, cancellationToken: cancellationToken));
        }

        return inserted > 0 || revived;
    }

    /// <summary>Whether any active install of this team exists (a team says hello once, whichever channel told us first).</summary>
    public async Task<bool> TeamHasInstallAsync(string tenantId, string channelId, string teamId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM installs WHERE tenant_id = @tenantId AND channel_id = @channelId AND team_id = @teamId AND gone_at IS NULL LIMIT 1;",
            new { tenantId, channelId, teamId }, cancellationToken: cancellationToken)) is not null;
    }

    /// <summary>
    /// Rewrites the stored references of one tenant's installs in a channel (Teams: a tenant's serviceUrl moved).
    /// The adapter says how; rows whose reference comes back unchanged are not written. Returns how many changed.
    /// </summary>
    public async Task<int> RewriteReferencesAsync(string tenantId, string channelId, Func<string, string> rewrite, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var rows = await connection.QueryAsync<(string ConversationId, string Reference)>(new CommandDefinition(
            "SELECT conversation_id, reference FROM installs WHERE tenant_id = @tenantId AND channel_id = @channelId;",
            new { tenantId, channelId }, cancellationToken: cancellationToken));
        var changed = 0;
        var now = time.GetUtcNow().ToString("O");
        foreach (var (conversationId, reference) in rows.AsList())
        {
            var rewritten = rewrite(reference);
            if (rewritten != reference)
            {
                changed += await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE installs SET reference = @rewritten, updated_at = @now WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId;",
                    new { rewritten, now, tenantId, channelId, conversationId }, cancellationToken: cancellationToken));
            }
        }

        return changed;
    }

    /// <summary>Removes an install (the bot was uninstalled or removed from the conversation).</summary>
    public async Task<bool> DeleteAsync(string tenantId, string channelId, string conversationId, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM installs WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId;",
            new { tenantId, channelId, conversationId }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Removes every install of one team (the bot was removed from the team, all its channels with it).</summary>
    /// <summary>Removes every install of a team (the app was removed from it); returns the conversations that were removed.</summary>
    public async Task<IReadOnlyList<string>> DeleteTeamAsync(string tenantId, string channelId, string teamId, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var removed = await connection.QueryAsync<string>(new CommandDefinition(
            "DELETE FROM installs WHERE tenant_id = @tenantId AND channel_id = @channelId AND team_id = @teamId RETURNING conversation_id;",
            new { tenantId, channelId, teamId }, cancellationToken: cancellationToken));
        return removed.AsList();
    }

    /// <summary>The platform refused to deliver (removed from the roster, conversation not found): stop sending there.</summary>
    public async Task MarkGoneAsync(string tenantId, string channelId, string conversationId, string reason, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE installs SET gone_at = @now, gone_reason = @reason
            WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId AND gone_at IS NULL;
            """,
            new { tenantId, channelId, conversationId, reason, now = time.GetUtcNow().ToString("O") }, cancellationToken: cancellationToken));
    }

    public async Task<Install?> FindAsync(string tenantId, string channelId, string conversationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<InstallRow>(new CommandDefinition(
            Select + " WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId;",
            new { tenantId, channelId, conversationId }, cancellationToken: cancellationToken));
        return row?.ToInstall();
    }

    public async Task<IReadOnlyList<Install>> ListAsync(string tenantId, string channelId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<InstallRow>(new CommandDefinition(
            Select + " WHERE tenant_id = @tenantId AND channel_id = @channelId ORDER BY installed_at, conversation_id;",
            new { tenantId, channelId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInstall()).ToList();
    }

    private const string Select = """
        SELECT tenant_id AS TenantId, channel_id AS ChannelId, conversation_id AS ConversationId, conversation_type AS ConversationType,
               team_id AS TeamId, team_name AS TeamName, name AS Name, reference AS Reference,
               installed_by AS InstalledBy, gone_at AS GoneAt, gone_reason AS GoneReason
        FROM installs
        """;

    private sealed class InstallRow
    {
        public string TenantId { get; set; } = string.Empty;
        public string ChannelId { get; set; } = string.Empty;
        public string ConversationId { get; set; } = string.Empty;
        public string? ConversationType { get; set; }
        public string? TeamId { get; set; }
        public string? TeamName { get; set; }
        public string? Name { get; set; }
        public string Reference { get; set; } = string.Empty;
        public string? InstalledBy { get; set; }
        public string? GoneAt { get; set; }
        public string? GoneReason { get; set; }

        public Install ToInstall() => new(TenantId, ChannelId, ConversationId, ConversationType, TeamId, TeamName, Name, Reference, InstalledBy,
            GoneAt is null ? null : DateTimeOffset.Parse(GoneAt, System.Globalization.CultureInfo.InvariantCulture), GoneReason);
    }
}
