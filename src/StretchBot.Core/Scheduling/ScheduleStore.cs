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
        stopped_reason AS StoppedReason, set_by AS SetBy, version AS Version
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
    /// Stores a schedule as given, over the version it was read at: a new one (<see cref="Schedule.Version"/> 0) is
    /// inserted unless its conversation and owner have a row by now; a stored one is updated only if nobody wrote it
    /// since (a stop or pause from delivery, another node). Holidays are written as the difference from what is stored.
    /// Returns what is stored, with its new version, or null when the row changed meanwhile: read it again and redo the change.
    /// </summary>
    public async Task<Schedule?> SaveAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var values = new
        {
            schedule.Id, schedule.TenantId, schedule.ChannelId, schedule.ConversationId, schedule.OwnerId, schedule.Spec,
            schedule.TimeZone, schedule.SetterZone, schedule.StretchKinds, schedule.JitterMinutes,
            pausedUntil = Instant(schedule.PausedUntil), schedule.PauseReason, stoppedAt = Instant(schedule.StoppedAt),
            schedule.StoppedReason, schedule.SetBy, now, schedule.Version,
        };
        var version = schedule.Version == 0
            ? await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                INSERT INTO schedules (id, tenant_id, channel_id, conversation_id, owner_id, spec, time_zone, setter_zone, stretch_kinds,
                    jitter_minutes, paused_until, pause_reason, stopped_at, stopped_reason, set_by, created_at, updated_at, version)
                VALUES (@Id, @TenantId, @ChannelId, @ConversationId, @OwnerId, @Spec, @TimeZone, @SetterZone, @StretchKinds,
                    @JitterMinutes, @pausedUntil, @PauseReason, @stoppedAt, @StoppedReason, @SetBy, @now, @now, 1)
                ON CONFLICT (tenant_id, channel_id, conversation_id, owner_id) DO NOTHING
                RETURNING version;
                """, values, transaction, cancellationToken: cancellationToken))
            : await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                UPDATE schedules SET
                    spec = @Spec, time_zone = @TimeZone, setter_zone = @SetterZone, stretch_kinds = @StretchKinds,
                    jitter_minutes = @JitterMinutes, paused_until = @pausedUntil, pause_reason = @PauseReason,
                    stopped_at = @stoppedAt, stopped_reason = @StoppedReason, set_by = @SetBy, updated_at = @now,
                    version = version + 1
                WHERE id = @Id AND tenant_id = @TenantId AND version = @Version
                RETURNING version;
                """, values, transaction, cancellationToken: cancellationToken));
        if (version is null)
        {
            return null;
        }

        var stored = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT day FROM schedule_holidays WHERE schedule_id = @Id;", new { schedule.Id }, transaction, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var wanted = schedule.Holidays.Select(Day).ToHashSet(StringComparer.Ordinal);
        foreach (var day in stored.Where(d => !wanted.Contains(d)))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM schedule_holidays WHERE schedule_id = @Id AND day = @day;", new { schedule.Id, day }, transaction, cancellationToken: cancellationToken));
        }

        foreach (var day in wanted.Where(d => !stored.Contains(d)).Order(StringComparer.Ordinal))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schedule_holidays (schedule_id, day) VALUES (@Id, @day);", new { schedule.Id, day }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return schedule with { Version = version.Value };
    }

    /// <summary>Pauses a schedule until <paramref name="until"/> (nudges due before then are skipped and recorded).</summary>
    public Task<bool> PauseAsync(string id, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE schedules SET paused_until = @until, pause_reason = @reason, updated_at = @now, version = version + 1 WHERE id = @id;",
            new { id, until = Instant(until), reason }, cancellationToken);

    /// <summary>
    /// Pauses a schedule until someone says <c>resume</c> because nobody answered its nudges; false when it was paused for
    /// that already (two nudges decided at once after a restart), so the pause is announced once.
    /// </summary>
    public Task<bool> PauseUnansweredAsync(string id, DateTimeOffset until, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE schedules SET paused_until = @until, pause_reason = @reason, updated_at = @now, version = version + 1 WHERE id = @id AND pause_reason IS NOT @reason;",
            new { id, until = Instant(until), reason = PauseReasons.Unanswered }, cancellationToken);

    /// <summary>The conversation is gone (bot removed, app uninstalled): the schedule stops, its settings and the reason are kept.</summary>
    public Task<bool> StopAsync(string id, string reason, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE schedules SET stopped_at = @now, stopped_reason = @reason, updated_at = @now, version = version + 1 WHERE id = @id AND stopped_at IS NULL;",
            new { id, reason }, cancellationToken);

    /// <summary>Stops every running schedule of a conversation (its own and personal reminders); returns their ids.</summary>
    public async Task<IReadOnlyList<string>> StopConversationAsync(string tenantId, string channelId, string conversationId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var ids = await write.Connection.QueryAsync<string>(new CommandDefinition("""
            UPDATE schedules SET stopped_at = @now, stopped_reason = @reason, updated_at = @now, version = version + 1
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
            days.Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList())
        {
            Version = row.Version,
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Instant(DateTimeOffset? value) => value?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Parse(string? value) =>
        value is null ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>A fresh schedule id: 128 random bits, like prompt ids.</summary>
    public static string NewId() => "s_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private sealed record Row(
        string Id, string TenantId, string ChannelId, string ConversationId, string OwnerId, string? Spec, string? TimeZone,
        string? SetterZone, string StretchKinds, long JitterMinutes, string? PausedUntil, string? PauseReason, string? StoppedAt,
        string? StoppedReason, string? SetBy, long Version);
}
