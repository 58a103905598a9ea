using System.Globalization;
using Microsoft.Data.Sqlite;
using StretchBot.Conversation;
using StretchBot.Storage;
using StretchBot.Tests.Infrastructure;
using StretchBot.Tests.LocalChannel;

namespace StretchBot.Tests.Storage;

/// <summary>
/// The Done card's "#N this week" comes from the week_counts table, which triggers keep in step with completions.
/// These tests hold the rank to what the leaderboard's definition gives, and the table to a recount of completions.
/// </summary>
public sealed class WeekCountsTests : AppTest
{
    [Fact]
    public async Task TheDoneCardRanksThisWeekInThisConversationOnly()
    {
        var http = Factory.CreateClient();
        var chat = await DirectLineClient.StartAsync(http);

        // Last week (Sunday evening is still last week): Ada did three. They don't count this week.
        Factory.Clock.Set(At("2026-11-15T20:00:00Z"));
        for (var i = 0; i < 2; i++)
        {
            await DoStretchAsync(chat, User.Ada);
        }

        await chat.SayAsync("stretch", User.Ada);
        var lastWeeks = await chat.LastDoneDataAsync();
        await chat.SubmitAsync(lastWeeks, User.Ada);
        await chat.PollAsync();

        // Monday: clicking last week's card again counts nothing, and Ada has no rank yet this week.
        Factory.Clock.Set(At("2026-11-16T08:00:00Z"));
        await chat.SubmitAsync(lastWeeks, User.Ada);
        var stale = CardReader.AllText(DirectLineClient.CardOf((await chat.RepliesAsync()).Last()));
        Assert.Contains("already", stale, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("your rank", stale);

        // Elsewhere, someone did five this week: another conversation's board.
        var elsewhere = await DirectLineClient.StartAsync(http);
        var other = new User("u-other", "Other Person");
        for (var i = 0; i < 5; i++)
        {
            await DoStretchAsync(elsewhere, other);
        }

        // This week here: Grace twice, then Ada once: Ada is second.
        await DoStretchAsync(chat, User.Grace);
        Assert.Equal(1, Rank(await DoStretchAsync(chat, User.Grace)));
        Assert.Equal(2, Rank(await DoStretchAsync(chat, User.Ada)));

        // Ada draws level (a shared first place), then leads.
        Assert.Equal(1, Rank(await DoStretchAsync(chat, User.Ada)));
        Assert.Equal(1, Rank(await DoStretchAsync(chat, User.Ada)));

        // Grace's third makes it a tie for first; clicking that card again counts nothing.
        await chat.SayAsync("stretch", User.Grace);
        var done = await chat.LastDoneDataAsync();
        await chat.SubmitAsync(done, User.Grace);
        await chat.PollAsync();
        await chat.SubmitAsync(done, User.Grace);
        var again = CardReader.AllText(DirectLineClient.CardOf((await chat.RepliesAsync()).Last()));
        Assert.Contains("already", again, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, Rank(again));
        Assert.Equal(3L, Factory.Rows("SELECT n FROM week_counts WHERE user_id = 'u-grace' AND week_start = '2026-11-16'")[0][0]);

        // The leaderboard agrees.
        await chat.SayAsync("leaderboard");
        var board = CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync())));
        Assert.Contains("You: #1 with 3", board);
        Assert.DoesNotContain("Other Person", board);

        AssertWeekCountsMatchCompletions();
    }

    [Fact]
    public async Task AnOlderDatabaseGetsItsWeeklyTalliesFromItsCompletions()
    {
        // A database at schema version 3 with completions across two weeks, a Sunday/Monday edge and two conversations.
        Directory.CreateDirectory(Factory.DataDirectory);
        var schema = string.Join("\n", Migrations.All.Where(m => m.Version <= 3).Select(m => m.Sql));
        var versions = string.Join("\n", Migrations.All.Where(m => m.Version <= 3).Select(m => $"INSERT INTO schema_version VALUES ({m.Version}, 'v{m.Version}', '2026-11-01T09:00:00Z');"));
        ExecuteOnFile($"""
            CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
            {schema}
            {versions}
            INSERT INTO completions (prompt_id, tenant_id, channel_id, conversation_id, team_id, user_id, display_name, stretch_id, source, completed_at, local_date) VALUES
                ('p1', 't', 'msteams', 'c1', NULL, 'ada', 'Ada', 'cat-cow', 'on_demand', '2026-11-15T20:00:00Z', '2026-11-15'),
                ('p2', 't', 'msteams', 'c1', NULL, 'ada', 'Ada', 'cat-cow', 'on_demand', '2026-11-16T08:00:00Z', '2026-11-16'),
                ('p3', 't', 'msteams', 'c1', NULL, 'ada', 'Ada', 'cat-cow', 'on_demand', '2026-11-22T08:00:00Z', '2026-11-22'),
                ('p2', 't', 'msteams', 'c1', NULL, 'grace', 'Grace', 'cat-cow', 'on_demand', '2026-11-16T08:00:00Z', '2026-11-16'),
                ('p4', 't', 'msteams', 'c2', NULL, 'ada', 'Ada', 'cat-cow', 'on_demand', '2026-11-18T08:00:00Z', '2026-11-18'),
                ('p5', 't', 'msteams', 'c1', NULL, 'ada', 'Ada', 'cat-cow', 'on_demand', '2026-11-23T08:00:00Z', '2026-11-23');
            """);

        using (var client = Factory.CreateClient())
        {
            await client.GetAsync("/healthz");
        }

        var rows = Factory.Rows("SELECT conversation_id, week_start, user_id, n FROM week_counts ORDER BY conversation_id, week_start, user_id")
            .Select(r => $"{r[0]} {r[1]} {r[2]} {r[3]}");
        Assert.Equal(
            [
                "c1 2026-11-09 ada 1",
                "c1 2026-11-16 ada 2",
                "c1 2026-11-16 grace 1",
                "c1 2026-11-23 ada 1",
                "c2 2026-11-16 ada 1",
            ],
            rows);

        // Removing a completion takes it off its week, and a week with nothing left has no row.
        ExecuteOnFile("DELETE FROM completions WHERE prompt_id IN ('p3', 'p2') AND user_id = 'ada'; DELETE FROM completions WHERE prompt_id = 'p4';");

        AssertWeekCountsMatchCompletions();
        Assert.Equal(3, Factory.Count("week_counts"));

        // A corrected completion moves to its right week and conversation.
        ExecuteOnFile("UPDATE completions SET local_date = '2026-11-24', conversation_id = 'c2' WHERE prompt_id = 'p1';");

        AssertWeekCountsMatchCompletions();
        Assert.Equal(["c1 2026-11-16 grace 1", "c1 2026-11-23 ada 1", "c2 2026-11-23 ada 1"],
            Factory.Rows("SELECT conversation_id, week_start, user_id, n FROM week_counts ORDER BY conversation_id, week_start, user_id").Select(r => $"{r[0]} {r[1]} {r[2]} {r[3]}"));
    }

    /// <summary>The rank a Done card shows ("#2" over "your rank").</summary>
    private static int Rank(string doneCard)
    {
        var match = System.Text.RegularExpressions.Regex.Match(doneCard, @"#(\d+)\s+your rank");
        Assert.True(match.Success, doneCard);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Runs SQL on the database file directly, as another program would.</summary>
    private void ExecuteOnFile(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Factory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>Asks for a stretch, clicks Done and returns the Done card's text.</summary>
    private static async Task<string> DoStretchAsync(DirectLineClient chat, User user)
    {
        await chat.SayAsync("stretch", user);
        await chat.SubmitAsync(await chat.LastDoneDataAsync(), user);
        var text = CardReader.AllText(DirectLineClient.CardOf((await chat.RepliesAsync()).Last()));
        Assert.Contains("Done", text);
        return text;
    }

    /// <summary>week_counts equals a recount of completions, weeks starting on Monday of each local date.</summary>
    private void AssertWeekCountsMatchCompletions()
    {
        var expected = Factory.Rows("SELECT tenant_id, channel_id, conversation_id, local_date, user_id FROM completions")
            .GroupBy(r => string.Join(' ', r[0], r[1], r[2], TimeZones.WeekStart(DateOnly.ParseExact((string)r[3]!, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r[4]))
            .Select(g => $"{g.Key} {g.Count()}")
            .Order(StringComparer.Ordinal);
        var actual = Factory.Rows("SELECT tenant_id, channel_id, conversation_id, week_start, user_id, n FROM week_counts")
            .Select(r => string.Join(' ', r))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }
}
