using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Conversation;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Deployment;

/// <summary>
/// Schedules survive a restart on SQLite with identical next fire times: the published app, a real process, is given a
/// schedule through its Direct Line endpoint, killed, and started again on the same database file.
/// </summary>
public sealed class ScheduleRestartTests(PublishedApp app) : IClassFixture<PublishedApp>
{
    private const string Triggers = """
        SELECT t.TRIGGER_NAME, t.JOB_NAME, t.TRIGGER_TYPE, t.START_TIME, t.NEXT_FIRE_TIME, t.MISFIRE_INSTR, c.CRON_EXPRESSION, c.TIME_ZONE_ID
        FROM QRTZ_TRIGGERS t LEFT JOIN QRTZ_CRON_TRIGGERS c ON c.SCHED_NAME = t.SCHED_NAME AND c.TRIGGER_NAME = t.TRIGGER_NAME AND c.TRIGGER_GROUP = t.TRIGGER_GROUP
        ORDER BY t.TRIGGER_NAME
        """;

    [Fact]
    public async Task SchedulesSurviveARealProcessRestartWithIdenticalNextFireTimes()
    {
        var database = Path.Combine(app.Root, "restart-" + Guid.NewGuid().ToString("N")[..8], "stretchbot.db");
        // Real time (the process runs on the system clock): times hours away, so nothing fires while the test runs.
        var now = TimeProvider.System.GetUtcNow();
        var first = new TimeOnly(now.AddHours(3).Hour, now.AddHours(3).Minute);
        // Different minutes: two cron triggers (times sharing their minutes share one).
        var later = now.AddHours(5).AddMinutes(17);
        var second = new TimeOnly(later.Hour, later.Minute);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

        List<string> shown;
        List<object?[]> before;
        await using (var running = await PublishedAppProcess.StartAsync(app, app.NewWorkingDirectory(), $"--Storage:SqlitePath={database}"))
        {
            using var http = running.CreateClient();
            var chat = await DirectLineClient.StartAsync(http);
            await chat.SayAsync("hi");
            await chat.PollAsync();

            await chat.SayAsync($"schedule daily {first:HH\\:mm} {second:HH\\:mm}");
            var reply = string.Join("\n", (await chat.RepliesAsync()).Select(r => CardReader.AllText(DirectLineClient.CardOf(r))));
            shown = reply.Split('\n').Where(l => l.StartsWith("• ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
            before = Rows(database, Triggers);
            Assert.True(before.Count == 2, $"Expected 2 triggers.\n{running.Output}");
        }

        // The next three in Ada's zone, as the reply must have said them.
        var expected = Enumerable.Range(0, 3)
            .SelectMany(day => new[] { first, second }.Select(t => LocalInstant(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, london).DateTime).AddDays(day), t, london)))
            .Where(i => i > now).Order().Take(3)
            .Select(i => ScheduleConversation.FormatInstant(i, london)).ToList();
        Assert.Equal(expected, shown);

        // A real restart on the same file: the same jobs and triggers, the same next fire times, nothing re-created.
        await using (var restarted = await PublishedAppProcess.StartAsync(app, app.NewWorkingDirectory(), $"--Storage:SqlitePath={database}"))
        {
            var after = Rows(database, Triggers);
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i], after[i]);
            }

            Assert.Equal("1", Rows(database, "SELECT COUNT(*) FROM QRTZ_JOB_DETAILS")[0][0]);
            Assert.DoesNotContain("Re-created the Quartz jobs", restarted.Output);
        }

        // And `schedule` in that conversation reads the same next three from the file. The playground's Direct Line
        // conversations live in memory (a new process gives a new conversation id), so this asks the conversation core
        // directly, the same code the command runs, with the stored conversation.
        using var factory = new StretchBotFactory();
        factory.Clock.SetUtcNow(TimeProvider.System.GetUtcNow());
        using var reopened = factory.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration((_, config) =>
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:SqlitePath"] = database })));
        var row = Rows(database, "SELECT tenant_id, channel_id, conversation_id FROM schedules")[0];
        var where = new Where((string)row[1]!, (string)row[0]!, (string)row[2]!);
        var conversation = reopened.Services.GetRequiredService<ScheduleConversation>();
        var view = await conversation.HandleAsync(
            new Turn(where, new Who("u-ada", "Ada Lovelace", "Europe/London"), "schedule"),
            new Person(where.TenantId, "u-ada", "Ada Lovelace", "Europe/London", IsNew: false),
            Commands.Parse("schedule"),
            default);
        Assert.Equal(shown, Assert.IsType<ScheduleView>(Assert.Single(view)).Next);
        Assert.Equal(before.Select(r => r[4]), Rows(database, Triggers).Select(r => r[4]));
    }

    private static DateTimeOffset LocalInstant(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>Rows as invariant text, so two processes' readings compare value for value.</summary>
    private static List<object?[]> Rows(string database, string sql) =>
        StretchBotFactory.Rows(database, sql).Select(row => row.Select(v => v is null ? null : (object?)Convert.ToString(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
}
