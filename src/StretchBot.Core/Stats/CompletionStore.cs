using Dapper;
using StretchBot.Conversation;
using StretchBot.Storage;
using StretchBot.Stretching;

namespace StretchBot.Stats;

/// <summary>A person clicked Done on a prompt. Past tense: it happened.</summary>
public sealed record StretchCompleted(Prompt Prompt, Where Where, Who Who, DateTimeOffset At, DateOnly LocalDate);

public sealed record PersonTotals(int Total, int WeekCount, IReadOnlyList<DateOnly> Days, string? FavouriteStretchId, IReadOnlyList<(string StretchId, DateTimeOffset At)> Recent);

public sealed record LeaderboardRow(string UserId, string DisplayName, int Count);

/// <summary>What a Done card shows, read in one round trip: the person's totals and streak days, their rank here this week, and the card's tally.</summary>
public sealed record DoneStats(int Total, int WeekCount, IReadOnlyList<DateOnly> Days, int Rank, int PromptCount);

/// <summary>Completions: one per person per prompt, whatever the number of clicks, retries or races.</summary>
public sealed class CompletionStore(Database database)
{
    /// <summary>Stores the completion unless this person already completed this prompt. Returns true when it was new.</summary>
    public async Task<bool> RecordAsync(StretchCompleted completed, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        // The unique (prompt_id, user_id) key makes a double click, a retried request and two racing clicks
        // all land on the same row; the database decides, not a check-then-insert in our code.
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO completions (prompt_id, tenant_id, channel_id, conversation_id, team_id, user_id, display_name, stretch_id, source, completed_at, local_date)
            VALUES (@promptId, @tenantId, @channelId, @conversationId, @teamId, @userId, @displayName, @stretchId, @source, @at, @localDate)
            ON CONFLICT (prompt_id, user_id) DO NOTHING;
            """,
            new
            {
                promptId = completed.Prompt.Id,
                tenantId = completed.Where.TenantId,
                channelId = completed.Where.ChannelId,
                conversationId = completed.Where.ConversationId,
                teamId = completed.Where.TeamId,
                userId = completed.Who.UserId,
                displayName = completed.Who.DisplayName,
                stretchId = completed.Prompt.StretchId,
                source = PromptKinds.ToText(completed.Prompt.Kind),
                at = completed.At.UtcDateTime.ToString("O"),
                localDate = Day(completed.LocalDate),
            }, cancellationToken: cancellationToken));
        return inserted == 1;
    }

    public async Task<int> CountForPromptAsync(string promptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM completions WHERE prompt_id = @promptId;", new { promptId }, cancellationToken: cancellationToken));
    }

    /// <summary>Everything the Done card needs, on one connection (the hot path: every click runs it).</summary>
    public async Task<DoneStats> DoneStatsAsync(Where where, string userId, string promptId, DateOnly weekStart, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT COUNT(*), COALESCE(SUM(local_date >= @weekStart), 0) FROM completions WHERE tenant_id = @tenantId AND user_id = @userId;
            SELECT DISTINCT local_date FROM completions WHERE tenant_id = @tenantId AND user_id = @userId ORDER BY local_date DESC LIMIT 400;
            SELECT CASE WHEN mine.n IS NULL THEN 0
                        ELSE 1 + (SELECT COUNT(*) FROM week_counts
                                  WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId
                                    AND week_start = @weekStart AND n > mine.n) END
            FROM (SELECT (SELECT n FROM week_counts
                          WHERE tenant_id = @tenantId AND channel_id = @channelId AND conversation_id = @conversationId
                            AND week_start = @weekStart AND user_id = @userId) AS n) AS mine;
            SELECT COUNT(*) FROM completions WHERE prompt_id = @promptId;
            """,
            new
            {
                tenantId = where.TenantId, channelId = where.ChannelId, conversationId = where.ConversationId, userId, promptId,
                weekStart = Day(weekStart),
            }, cancellationToken: cancellationToken));
        var (total, week) = await grid.ReadSingleAsync<(long, long)>();
        var days = (await grid.ReadAsync<string>()).Select(d => ParseDay(d)).ToList();
        var rank = await grid.ReadSingleAsync<long>();
        var promptCount = await grid.ReadSingleAsync<long>();
        return new DoneStats((int)total, (int)week, days, (int)rank, (int)promptCount);
    }

    /// <summary>Who did this prompt's stretch, most recent first.</summary>
    public async Task<IReadOnlyList<string>> CompletersAsync(string promptId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var users = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT user_id FROM completions WHERE prompt_id = @promptId ORDER BY id DESC LIMIT @limit;", new { promptId, limit }, cancellationToken: cancellationToken));
        return users.AsList();
    }

    /// <summary>
    /// Who is part-way through this prompt's walkthrough or did its stretch: the people whose own view of the shared card
    /// (their current step, or their Done card) must survive the card being re-sent. People part-way come first, however
    /// long ago they started: a reset costs them their place in the steps, while someone who finished loses only their
    /// Done card to the overview. Then the most recent first.
    /// </summary>
    public async Task<IReadOnlyList<string>> ActiveAsync(string promptId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var users = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT user_id FROM (
                SELECT user_id, completed_at AS at, 1 AS done FROM completions WHERE prompt_id = @promptId
                UNION ALL
                SELECT user_id, updated_at AS at, 0 AS done FROM walkthroughs WHERE prompt_id = @promptId)
            GROUP BY user_id ORDER BY MAX(done), MAX(at) DESC, user_id LIMIT @limit;
            """, new { promptId, limit }, cancellationToken: cancellationToken));
        return users.AsList();
    }

    /// <summary>Whether this person already did this prompt's stretch.</summary>
    public async Task<bool> HasCompletedAsync(string promptId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM completions WHERE prompt_id = @promptId AND user_id = @userId;", new { promptId, userId }, cancellationToken: cancellationToken)) is not null;
    }

    public async Task<PersonTotals> TotalsAsync(string tenantId, string userId, DateOnly weekStart, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT COUNT(*) FROM completions WHERE tenant_id = @tenantId AND user_id = @userId;
            SELECT COUNT(*) FROM completions WHERE tenant_id = @tenantId AND user_id = @userId AND local_date >= @weekStart;
            SELECT DISTINCT local_date FROM completions WHERE tenant_id = @tenantId AND user_id = @userId ORDER BY local_date DESC LIMIT 400;
            SELECT stretch_id FROM completions WHERE tenant_id = @tenantId AND user_id = @userId
                GROUP BY stretch_id ORDER BY COUNT(*) DESC, MAX(completed_at) DESC LIMIT 1;
            SELECT stretch_id, completed_at FROM completions WHERE tenant_id = @tenantId AND user_id = @userId
                ORDER BY completed_at DESC, id DESC LIMIT 3;
            """, new { tenantId, userId, weekStart = Day(weekStart) }, cancellationToken: cancellationToken));
        var total = await grid.ReadSingleAsync<int>();
        var week = await grid.ReadSingleAsync<int>();
        var days = (await grid.ReadAsync<string>()).Select(d => ParseDay(d)).ToList();
        var favourite = await grid.ReadSingleOrDefaultAsync<string>();
        var recent = (await grid.ReadAsync<(string StretchId, string At)>())
            .Select(r => (r.StretchId, DateTimeOffset.Parse(r.At, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        return new PersonTotals(total, week, days, favourite, recent);
    }

    /// <summary>One week's counts in one conversation, most first; ties share a rank and are ordered by name.</summary>
    public async Task<IReadOnlyList<LeaderboardRow>> LeaderboardAsync(Where where, DateOnly weekStart, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // From the weekly tallies, like the Done card's rank: a conversation's board costs its people, not its clicks.
        var rows = await connection.QueryAsync<LeaderboardRowDto>(new CommandDefinition("""
            SELECT w.user_id AS UserId,
                   COALESCE((SELECT p.display_name FROM people p WHERE p.tenant_id = w.tenant_id AND p.user_id = w.user_id),
                            (SELECT c.display_name FROM completions c WHERE c.tenant_id = w.tenant_id AND c.user_id = w.user_id ORDER BY c.id DESC LIMIT 1),
                            w.user_id) AS DisplayName,
                   w.n AS Count
            FROM week_counts w
            WHERE w.tenant_id = @tenantId AND w.channel_id = @channelId AND w.conversation_id = @conversationId AND w.week_start = @weekStart
            ORDER BY Count DESC, DisplayName COLLATE NOCASE
            LIMIT @limit;
            """,
            new { tenantId = where.TenantId, channelId = where.ChannelId, conversationId = where.ConversationId, weekStart = Day(weekStart), limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => new LeaderboardRow(r.UserId, r.DisplayName, (int)r.Count)).ToList();
    }

    /// <summary>A whole workspace's week (every conversation of one tenant in one channel): the App Home's leaderboard.</summary>
    public async Task<IReadOnlyList<LeaderboardRow>> TenantLeaderboardAsync(string tenantId, string channelId, DateOnly weekStart, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LeaderboardRowDto>(new CommandDefinition("""
            SELECT w.user_id AS UserId,
                   COALESCE((SELECT p.display_name FROM people p WHERE p.tenant_id = w.tenant_id AND p.user_id = w.user_id), w.user_id) AS DisplayName,
                   SUM(w.n) AS Count
            FROM week_counts w
            WHERE w.tenant_id = @tenantId AND w.channel_id = @channelId AND w.week_start = @weekStart
            GROUP BY w.tenant_id, w.user_id
            ORDER BY Count DESC, DisplayName COLLATE NOCASE
            LIMIT @limit;
            """,
            new { tenantId, channelId, weekStart = Day(weekStart), limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => new LeaderboardRow(r.UserId, r.DisplayName, (int)r.Count)).ToList();
    }

    // Dates are stored as ISO text whatever the server's culture: SQL compares them and computes weeks from them.
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    // Property-mapped: SQLite reports no column types for an empty result, which constructor mapping can't bind.
    private sealed class LeaderboardRowDto
    {
        public string UserId { get; set; } = string.Empty;

        public string DisplayName { get; set; } = string.Empty;

        public long Count { get; set; }
    }
}
