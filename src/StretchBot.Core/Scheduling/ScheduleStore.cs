using System.Globalization;
using Dapper;
using StretchBot.Storage;

namespace StretchBot.Scheduling;

/// <summary>
/// Schedules and their settings. Every query is scoped by tenant and conversation or by the schedule's unguessable id:
/// one tenant never reads or changes another's schedule. Dates are invariant ISO text, instants ISO-8601 UTC.
/// </summary>
public sealed class ScheduleStore(Database database, TimeProvider time)
{
    private const string Columns = """
        id AS Id, tenant_id AS TenantId, channel_id AS ChannelId, conversation_id AS ConversationId, owner_id AS OwnerId,
        spec AS Spec, time_zone AS TimeZone, setter_zone AS SetterZone, stretch_kinds AS StretchKinds,
        jitter_minutes AS JitterMinutes, paused_until AS PausedUntil, pause_reason AS PauseReason, stopped_at AS StoppedAt,
        stopped_reason AS StoppedReason, set_by AS SetBy
        """;

    public async Task<Schedule?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (id.Length is 0 or > 64)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM schedules WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : await WithHolidaysAsync(connection, row, cancellationToken);
    }

    /// <summary>The conversation's schedule (<paramref name="ownerId"/> empty) or a person's reminder there; null when never set.</summary>
    public async Task<Schedule?> FindAsync(string tenantId, string channelId, string conversationId, string ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM schedules WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId AND owner_id = @ownerId;",
            new { tenantId, channelId, conversationId, ownerId }, cancellationToken: cancellationToken));
        return row is null ? null : await WithHolidaysAsync(connection, row, cancellationToken);
    }

    /// <summary>Every schedule of a conversation, its own and the personal reminders in it.</summary>
    public async Task<IReadOnlyList<Schedule>> ListForConversationAsync(string tenantId, string channelId, string conversationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM schedules WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId ORDER BY owner_id;",
            new { tenantId, channelId, conversationId }, cancellationToken: cancellationToken));
        var list = new List<Schedule>();
        foreach (var row in rows.AsList())
        {
            list.Add(await WithHolidaysAsync(connection, row, cancellationToken));
        }

        return list;
    }

    /// <summary>Schedules that should have triggers: a spec, not stopped. Start-up checks Quartz holds a job for each.</summary>
    public async Task<IReadOnlyList<Schedule>> ListRunningAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM schedules WHERE spec IS NOT NULL AND stopped_at IS NULL ORDER BY id;", cancellationToken: cancellationToken));
        var list = new List<Schedule>();
        foreach (var row in rows.AsList())
        {
            list.Add(await WithHolidaysAsync(connection, row, cancellationToken));
        }

        return list;
    }

    /// <summary>
    /// Stores a schedule as given (insert or whole-row update, holidays replaced), keyed by its conversation and owner:
    /// a new one gets <paramref name="schedule"/>'s id, an existing one keeps its own. Returns what is stored.
    /// </summary>
    public async Task<Schedule> SaveAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
            INSERT INTO schedules (id, tenant_id, channel_id, conversation_id, owner_id, spec, time_zone, setter_zone, stretch_kinds,
                jitter_minutes, paused_until, pause_reason, stopped_at, stopped_reason, set_by, created_at, updated_at)
            VALUES (@Id, @TenantId, @ChannelId, @ConversationId, @OwnerId, @Spec, @TimeZone, @SetterZone, @StretchKinds,
                @JitterMinutes, @pausedUntil, @PauseReason, @stoppedAt, @StoppedReason, @SetBy, @now, @now)
            ON CONFLICT (tenant_id, channel_id, conversation_id, owner_id) DO UPDATE SET
                spec = excluded.spec, time_zone = excluded.time_zone, setter_zone = excluded.setter_zone,
                stretch_kinds = excluded.stretch_kinds, jitter_minutes = excluded.jitter_minutes,
                paused_until = excluded.paused_until, pause_reason = excluded.pause_reason,
                stopped_at = excluded.stopped_at, stopped_reason = excluded.stopped_reason, set_by = excluded.set_by,
                updated_at = excluded.updated_at
            RETURNING id;
            """,
            new
            {
                schedule.Id, schedule.TenantId, schedule.ChannelId, schedule.ConversationId, schedule.OwnerId, schedule.Spec,
                schedule.TimeZone, schedule.SetterZone, schedule.StretchKinds, schedule.JitterMinutes,
                pausedUntil = Instant(schedule.PausedUntil), schedule.PauseReason, stoppedAt = Instant(schedule.StoppedAt),
                schedule.StoppedReason, schedule.SetBy, now,
            }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM schedule_holidays WHERE schedule_id = @id;", new { id }, transaction, cancellationToken: cancellationToken));
        foreach (var day in schedule.Holidays.Distinct())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schedule_holidays (schedule_id, day) VALUES (@id, @day);",
                new { id, day = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return schedule with { Id = id! };
    }

    /// <summary>Pauses a schedule until <paramref name="until"/> (nudges due before then are skipped and recorded).</summary>
    public Task<bool> PauseAsync(string id, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE schedules SET paused_until = @until, pause_reason = @reason, updated_at = @now WHERE id = @id;",
            new { id, until = Instant(until), reason }, cancellationToken);

    /// <summary>The conversation is gone (bot removed, app uninstalled): the schedule stops, its settings and the reason are kept.</summary>
    public Task<bool> StopAsync(string id, string reason, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE schedules SET stopped_at = @now, stopped_reason = @reason, updated_at = @now WHERE id = @id AND stopped_at IS NULL;",
            new { id, reason }, cancellationToken);

    /// <summary>Stops every running schedule of a conversation (its own and personal reminders); returns their ids.</summary>
    public async Task<IReadOnlyList<string>> StopConversationAsync(string tenantId, string channelId, string conversationId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var ids = await write.Connection.QueryAsync<string>(new CommandDefinition("""
            UPDATE schedules SET stopped_at = @now, stopped_reason = @reason, updated_at = @now
            WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId AND stopped_at IS NULL AND spec IS NOT NULL
            RETURNING id;
            """, new { tenantId, channelId, conversationId, reason, now }, cancellationToken: cancellationToken));
        return ids.AsList();
    }

    private async Task<bool> UpdateAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var bag = new DynamicParameters(parameters);
        bag.Add("now", now);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(new CommandDefinition(sql, bag, cancellationToken: cancellationToken)) > 0;
    }

    private static async Task<Schedule> WithHolidaysAsync(System.Data.Common.DbConnection connection, Row row, CancellationToken cancellationToken)
    {
        var days = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT day FROM schedule_holidays WHERE schedule_id = @id ORDER BY day;", new { id = row.Id }, cancellationToken: cancellationToken));
        return new Schedule(row.Id, row.TenantId, row.ChannelId, row.ConversationId, row.OwnerId, row.Spec, row.TimeZone, row.SetterZone,
            row.StretchKinds, (int)row.JitterMinutes, Parse(row.PausedUntil), row.PauseReason, Parse(row.StoppedAt), row.StoppedReason, row.SetBy,
            days.Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList());
    }

    private static string? Instant(DateTimeOffset? value) => value?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Parse(string? value) =>
        value is null ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>A fresh schedule id: 128 random bits, like prompt ids.</summary>
    public static string NewId() => "s_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private sealed record Row(
        string Id, string TenantId, string ChannelId, string ConversationId, string OwnerId, string? Spec, string? TimeZone,
        string? SetterZone, string StretchKinds, long JitterMinutes, string? PausedUntil, string? PauseReason, string? StoppedAt,
        string? StoppedReason, string? SetBy);
}
