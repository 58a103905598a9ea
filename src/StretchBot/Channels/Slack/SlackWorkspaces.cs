using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using StretchBot.Storage;

namespace StretchBot.Channels.Slack;

/// <summary>
/// One Slack install: a workspace, or an organisation for an org-wide install. <see cref="TenantId"/> is the key the
/// core scopes everything by (<see cref="SlackTeam.TenantId"/>). The bot token never leaves this record for a log.
/// </summary>
public sealed record SlackWorkspace(
    string TenantId,
    string? TeamId,
    string? EnterpriseId,
    string? TeamName,
    bool IsEnterpriseInstall,
    string BotToken,
    string BotUserId,
    string? BotId,
    string? AppId = null,
    string? Scopes = null,
    string? InstalledBy = null)
{
    // Records print their members; a token must never reach a log that way.
    public override string ToString() => $"SlackWorkspace {{ TenantId = {TenantId}, TeamName = {TeamName}, BotUserId = {BotUserId} }}";
}

/// <summary>
/// Where Slack installs are kept: the one configured workspace (Slack:BotToken, identified with auth.test at start-up)
/// and the workspaces installed through OAuth, stored in the database with the bot token encrypted by ASP.NET Core
/// Data Protection. Looked up by tenant on every call, cached in memory; deleted on app_uninstalled and tokens_revoked.
/// </summary>
public sealed class SlackWorkspaces(Database database, IDataProtectionProvider protection, TimeProvider time)
{
    private const string Purpose = "StretchBot.Slack.BotToken.v1";

    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);
    private readonly ConcurrentDictionary<string, SlackWorkspace> _cache = new(StringComparer.Ordinal);
    private volatile SlackWorkspace? _configured;

    /// <summary>The workspace of Slack:BotToken, once auth.test named it.</summary>
    public SlackWorkspace? Configured => _configured;

    public void SetConfigured(SlackWorkspace workspace) => _configured = workspace;

    public async ValueTask<SlackWorkspace?> FindAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (_configured is { } configured && configured.TenantId == tenantId)
        {
            return configured;
        }

        if (_cache.TryGetValue(tenantId, out var cached))
        {
            return cached;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT tenant_id AS TenantId, team_id AS TeamId, enterprise_id AS EnterpriseId, team_name AS TeamName, is_enterprise AS IsEnterprise, bot_token AS BotToken, bot_user_id AS BotUserId, bot_id AS BotId, app_id AS AppId, scopes AS Scopes, installed_by AS InstalledBy FROM slack_workspaces WHERE tenant_id = @tenantId;",
            new { tenantId }, cancellationToken: cancellationToken));
        SlackWorkspace? workspace = null;
        if (row is not null)
        {
            string token;
            try
            {
                token = ProtectorFor(row.TenantId).Unprotect(row.BotToken);
            }
            catch (CryptographicException)
            {
                // The keys that encrypted it are gone (a new machine without the key folder): as good as not installed.
                return null;
            }

            workspace = new SlackWorkspace(row.TenantId, row.TeamId, row.EnterpriseId, row.TeamName, row.IsEnterprise != 0, token, row.BotUserId, row.BotId, row.AppId, row.Scopes, row.InstalledBy);
        }

        // "Not installed" is not kept: an install finishing meanwhile must be seen by the next request.
        if (workspace is not null && _cache.Count < 10_000)
        {
            _cache[tenantId] = workspace;
        }

        return workspace;
    }

    /// <summary>Stores (or replaces) an install made through OAuth, its token encrypted.</summary>
    public async Task SaveAsync(SlackWorkspace workspace, CancellationToken cancellationToken)
    {
        await using (var write = await database.OpenForWriteAsync(cancellationToken))
        {
            await write.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO slack_workspaces (tenant_id, team_id, enterprise_id, team_name, is_enterprise, bot_token, bot_user_id, bot_id, app_id, scopes, installed_by, installed_at)
                VALUES (@TenantId, @TeamId, @EnterpriseId, @TeamName, @IsEnterprise, @Token, @BotUserId, @BotId, @AppId, @Scopes, @InstalledBy, @now)
                ON CONFLICT (tenant_id) DO UPDATE SET
                    team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, team_name = excluded.team_name,
                    is_enterprise = excluded.is_enterprise, bot_token = excluded.bot_token, bot_user_id = excluded.bot_user_id,
                    bot_id = excluded.bot_id, app_id = excluded.app_id, scopes = excluded.scopes, installed_by = excluded.installed_by,
                    installed_at = excluded.installed_at;
                """,
                new
                {
                    workspace.TenantId, workspace.TeamId, workspace.EnterpriseId, workspace.TeamName, IsEnterprise = workspace.IsEnterpriseInstall ? 1 : 0,
                    Token = ProtectorFor(workspace.TenantId).Protect(workspace.BotToken), workspace.BotUserId, workspace.BotId, workspace.AppId, workspace.Scopes,
                    workspace.InstalledBy, now = time.GetUtcNow().ToString("O"),
                }, cancellationToken: cancellationToken));
        }

        _cache.TryRemove(workspace.TenantId, out _);
    }

    /// <summary>
    /// Whether the workspace was installed through OAuth after <paramref name="when"/>: an uninstall event Slack
    /// retried (or that waited in a queue) must not delete the install that came after it.
    /// </summary>
    public async Task<bool> InstalledAfterAsync(string tenantId, DateTimeOffset when, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var installedAt = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT installed_at FROM slack_workspaces WHERE tenant_id = @tenantId;", new { tenantId }, cancellationToken: cancellationToken));
        return installedAt is not null && DateTimeOffset.Parse(installedAt, System.Globalization.CultureInfo.InvariantCulture) > when;
    }

    /// <summary>Forgets an install (uninstalled, or its tokens revoked). True when there was one stored.</summary>
    public async Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken)
    {
        int deleted;
        await using (var write = await database.OpenForWriteAsync(cancellationToken))
        {
            deleted = await write.Connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM slack_workspaces WHERE tenant_id = @tenantId;", new { tenantId }, cancellationToken: cancellationToken));
        }

        _cache.TryRemove(tenantId, out _);
        if (_configured?.TenantId == tenantId)
        {
            // The configured token was revoked or the app uninstalled: nothing more goes out with it until a restart
            // with a new one.
            _configured = null;
            return true;
        }

        return deleted > 0;
    }

    /// <summary>Installs under way at once, at most: /slack/install needs no login, so its rows must not pile up.</summary>
    public const int MaxPendingStates = 1000;

    /// <summary>
    /// A new OAuth state, stored until used once or older than <paramref name="lifetime"/> (purged here); null when
    /// <see cref="MaxPendingStates"/> installs are already under way.
    /// </summary>
    public async Task<string?> NewStateAsync(TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = time.GetUtcNow();
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slack_oauth_states WHERE created_at < @cutoff;", new { cutoff = (now - lifetime).ToString("O") }, cancellationToken: cancellationToken));
        var pending = await write.Connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM slack_oauth_states;", cancellationToken: cancellationToken));
        if (pending >= MaxPendingStates)
        {
            return null;
        }

        await write.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO slack_oauth_states (state, created_at) VALUES (@state, @now);",
            new { state, now = now.ToString("O") }, cancellationToken: cancellationToken));
        return state;
    }

    /// <summary>Takes a state back: true only once, and only within <paramref name="lifetime"/> of its making.</summary>
    public async Task<bool> UseStateAsync(string state, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var created = await write.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "DELETE FROM slack_oauth_states WHERE state = @state RETURNING created_at;", new { state }, cancellationToken: cancellationToken));
        // Old states of abandoned installs go too.
        var cutoff = (time.GetUtcNow() - lifetime).ToString("O");
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slack_oauth_states WHERE created_at < @cutoff;", new { cutoff }, cancellationToken: cancellationToken));
        return created is not null && DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture) >= time.GetUtcNow() - lifetime;
    }

    /// <summary>Each workspace's token is encrypted for that workspace alone: a row copied onto another doesn't decrypt.</summary>
    private IDataProtector ProtectorFor(string tenantId) => _protector.CreateProtector(tenantId);

    private sealed class Row
    {
        public string TenantId { get; set; } = string.Empty;

        public string? TeamId { get; set; }

        public string? EnterpriseId { get; set; }

        public string? TeamName { get; set; }

        public long IsEnterprise { get; set; }

        public string BotToken { get; set; } = string.Empty;

        public string BotUserId { get; set; } = string.Empty;

        public string? BotId { get; set; }

        public string? AppId { get; set; }

        public string? Scopes { get; set; }

        public string? InstalledBy { get; set; }
    }
}
