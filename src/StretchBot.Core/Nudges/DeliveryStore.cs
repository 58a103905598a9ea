using System.Globalization;
using Dapper;
using StretchBot.Storage;

namespace StretchBot.Nudges;

/// <summary>What a delivery row is for.</summary>
public static class DeliveryKinds
{
    /// <summary>A schedule's fire time: a stretch card to the conversation.</summary>
    public const string Scheduled = "scheduled";

    /// <summary>A person's "Later": the stretch again, to them alone.</summary>
    public const string Later = "later";

    /// <summary>A message about a schedule (paused for nobody answering), said once.</summary>
    public const string Notice = "notice";
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>Why a nudge was not posted: kept on its delivery record.</summary>
public static class SkipReasons
{
    public const string Late = "late";
    public const string Holiday = "holiday";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
    public const string NoInstall = "no install";
    public const string Gone = "gone";
    public const string Unanswered = "unanswered";
    public const string NoStretch = "no stretch";

    /// <summary>The schedule's times changed after the nudge was prepared, and its time is no longer one of them.</summary>
    public const string Changed = "changed";
}

/// <summary>
/// One nudge's durable record. <see cref="Source"/> and <see cref="FireTime"/> identify it (a schedule's id and its
/// fire time, or "later/{promptId}/{userId}"), so the same nudge is never recorded, or posted, twice.
/// </summary>
public sealed record Delivery(
    long Id,
    string Source,
    DateTimeOffset FireTime,
    string Kind,
    string TenantId,
    string ChannelId,
    string ConversationId,
    string? UserId,
    string? UserName,
    string? PromptId,
    DateTimeOffset DueAt,
    string Status,
    string? Reason,
    string? MessageId,
    int Attempts);

/// <summary>A new record: what to deliver, where, and when.</summary>
public sealed record NewDelivery(
    string Source,
    DateTimeOffset FireTime,
    string Kind,
    string TenantId,
    string ChannelId,
    string ConversationId,
    DateTimeOffset DueAt,
    string? PromptId = null,
    string? UserId = null,
    string? UserName = null);

/// <summary>The deliveries table: one row per nudge, from pending to sent, failed or skipped.</summary>
public sealed class DeliveryStore(Database database, TimeProvider time)
{
    private const string Columns = """
        id AS Id, source AS Source, fire_time AS FireTime, kind AS Kind, tenant_id AS TenantId, channel_id AS ChannelId,
        conversation_id AS ConversationId, user_id AS UserId, user_name AS UserName, prompt_id AS PromptId, due_at AS DueAt,
        status AS Status, reason AS Reason, message_id AS MessageId, attempts AS Attempts
        """;

    /// <summary>
    /// Records a nudge with <paramref name="status"/> unless its (source, fire time) is already recorded. Returns the
    /// new row, or null when it was there before (a repeated fire, a second click on Later).
    /// </summary>
    public async Task<Delivery?> TryAddAsync(NewDelivery delivery, string status, string? reason, CancellationToken cancellationToken)
    {
        var now = Instant(time.GetUtcNow());
        // Committed together with the other writes of the moment: a fan-out's thousands of records, one commit a batch.
        var row = await database.WriteTogetherAsync((connection, token) => connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            INSERT INTO deliveries (source, fire_time, kind, tenant_id, channel_id, conversation_id, user_id, user_name, prompt_id,
                due_at, status, reason, attempts, created_at, updated_at)
            VALUES (@Source, @fireTime, @Kind, @TenantId, @ChannelId, @ConversationId, @UserId, @UserName, @PromptId,
                @dueAt, @status, @reason, 0, @now, @now)
            ON CONFLICT (source, fire_time) DO NOTHING
            RETURNING {Columns};
            """,
            new
            {
                delivery.Source, fireTime = Instant(delivery.FireTime), delivery.Kind, delivery.TenantId, delivery.ChannelId,
                delivery.ConversationId, delivery.UserId, delivery.UserName, delivery.PromptId, dueAt = Instant(delivery.DueAt),
                status, reason, now,
            }, cancellationToken: token)), cancellationToken);
        return row?.ToDelivery();
    }

    public async Task<Delivery?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToDelivery();
    }

    /// <summary>The first record of a source (whatever its fire time): a Later already asked for.</summary>
    public async Task<Delivery?> FindBySourceAsync(string source, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE source = @source ORDER BY id LIMIT 1;", new { source }, cancellationToken: cancellationToken));
        return row?.ToDelivery();
    }

    public async Task<Delivery?> FindAsync(string source, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE source = @source AND fire_time = @fireTime;",
            new { source, fireTime = Instant(fireTime) }, cancellationToken: cancellationToken));
        return row?.ToDelivery();
    }

    /// <summary>Every pending record, oldest due first: what a starting instance resumes.</summary>
    public async Task<IReadOnlyList<Delivery>> ListPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE status = 'pending' ORDER BY due_at, id;", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDelivery()).ToList();
    }

    /// <summary>A post is about to begin: counted before it starts, so a restart can tell what may have gone out.</summary>
    public Task<bool> BeginAttemptAsync(long id, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE deliveries SET attempts = attempts + 1, updated_at = @now WHERE id = @id AND status = 'pending';", new { id }, cancellationToken);

    public Task<bool> MarkSentAsync(long id, string? messageId, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE deliveries SET status = 'sent', message_id = @messageId, reason = NULL, updated_at = @now WHERE id = @id AND status = 'pending';",
            new { id, messageId }, cancellationToken);

    public Task<bool> MarkFailedAsync(long id, string reason, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE deliveries SET status = 'failed', reason = @reason, updated_at = @now WHERE id = @id AND status = 'pending';",
            new { id, reason }, cancellationToken);

    public Task<bool> MarkSkippedAsync(long id, string reason, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE deliveries SET status = 'skipped', reason = @reason, updated_at = @now WHERE id = @id AND status = 'pending';",
            new { id, reason }, cancellationToken);

    /// <summary>
    /// Whether each of the schedule's latest <paramref name="count"/> sent nudges got a Done from anyone, newest first,
    /// counting only nudges after its last pause for nobody answering (a resumed schedule starts afresh).
    /// </summary>
    public async Task<IReadOnlyList<bool>> RecentAnsweredAsync(string scheduleId, int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var answered = await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM completions c WHERE c.prompt_id = d.prompt_id)
            FROM deliveries d
            WHERE d.source = @scheduleId AND d.kind = 'scheduled' AND d.status = 'sent'
              AND d.fire_time > COALESCE((SELECT MAX(fire_time) FROM deliveries
                                          WHERE source = @scheduleId AND status = 'skipped' AND reason = 'unanswered'), '')
            ORDER BY d.fire_time DESC
            LIMIT @count;
            """, new { scheduleId, count }, cancellationToken: cancellationToken));
        return answered.Select(a => a != 0).ToList();
    }

    private async Task<bool> UpdateAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        var bag = new DynamicParameters(parameters);
        bag.Add("now", Instant(time.GetUtcNow()));
        // Committed together with the other writes of the moment (see TryAddAsync).
        return await database.WriteTogetherAsync((connection, token) => connection.ExecuteAsync(new CommandDefinition(sql, bag, cancellationToken: token)), cancellationToken) > 0;
    }

    // Fixed-width UTC text: it sorts as time does, so fire times and due times compare in SQL.
    private static string Instant(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private sealed class Row
    {
        public long Id { get; set; }
        public string Source { get; set; } = string.Empty;
        public string FireTime { get; set; } = string.Empty;
        public string Kind { get; set; } = string.Empty;
        public string TenantId { get; set; } = string.Empty;
        public string ChannelId { get; set; } = string.Empty;
        public string ConversationId { get; set; } = string.Empty;
        public string? UserId { get; set; }
        public string? UserName { get; set; }
        public string? PromptId { get; set; }
        public string DueAt { get; set; } = string.Empty;
        public string Status { get; set; } = string.Empty;
        public string? Reason { get; set; }
        public string? MessageId { get; set; }
        public long Attempts { get; set; }

        public Delivery ToDelivery() => new(Id, Source, Parse(FireTime), Kind, TenantId, ChannelId, ConversationId, UserId, UserName, PromptId,
            Parse(DueAt), Status, Reason, MessageId, (int)Attempts);
    }
}
