using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Nudges;

/// <summary>A schedule's time comes: one card in the channel, or a skip on record with its reason.</summary>
public sealed class NudgeFiringTests : NudgeTest
{
    // Wednesday 18 November 2026; London is on UTC in November.
    private static readonly ScheduleSpec WeekdaysAt1045 = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 45)], "Europe/London");

    [Fact]
    public async Task AScheduleFiresAtItsInstantAndOneCardIsPostedAndRecordedSentWithItsMessageId()
    {
        await InstallAsync();
        var schedule = await ScheduleAsync(WeekdaysAt1045);

        await FireAtAsync(Utc("2026-11-18T10:45Z"));
        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await DeliveriesFinishedAsync();

        // A new post in the channel (not a reply), on time, with the intro naming the stretch's real length.
        Assert.Equal("POST", posted.Method);
        Assert.Equal($"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel)}/activities", posted.Path);
        Assert.Equal(TimeSpan.FromMinutes(15), posted.At);
        var text = CardReader.AllText(posted.Card);
        Assert.Matches(@"Time for a (\d+-second|\d+-minute) stretch", text);
        // Said once, with one length: the heading; the intro under it says what the stretch is good for.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "Time for a"));
        Assert.Contains("Take it slowly", text);
        var row = Assert.Single(Deliveries());
        Assert.Equal(["scheduled", "sent", null, "2026-11-18T10:45:00.0000000Z"], row[..4]);
        // The message id is the activity id the connector gave, the one the card's tally is updated through.
        var activityId = Factory.Rows("SELECT json_extract(reference, '$.activityId') FROM card_posts")[0][0];
        Assert.NotNull(activityId);
        Assert.Equal(activityId, row[4]);
        var stretch = Factory.Rows($"SELECT stretch_id, kind, requested_by FROM prompts WHERE id = '{row[5]}'")[0];
        Assert.Equal(["scheduled", null], stretch[1..]);
        Assert.Contains((string)stretch[0]!, new[] { "standing-incline", "standing-tilt", "swedish-wall", "back-twist" });

        // The same fire time handed over again (a re-fire after a crash, a second node): nothing more is posted.
        await Factory.Services.GetRequiredService<INudgeFiring>().FireAsync(schedule.Id, Utc("2026-11-18T10:45Z"), CancellationToken.None);
        await DeliveriesFinishedAsync();
        Assert.Single(Deliveries());
        Assert.Single(StretchCards());
    }

    [Fact]
    public async Task AnOpenPlaygroundConversationGetsItsNudgeInWebChat()
    {
        var playground = await DirectLineClient.StartAsync(Http);
        await playground.SayAsync("hi");
        await playground.PollAsync();
        await ScheduleAsync(WeekdaysAt1045, jitter: 0, where: ("local", "local", playground.ConversationId));

        await FireAtAsync(Utc("2026-11-18T10:45Z"));
        await DeliveriesFinishedAsync();

        var nudge = Assert.Single(await playground.RepliesAsync());
        Assert.Matches("Time for a .+ stretch", CardReader.AllText(DirectLineClient.CardOf(nudge)));
        Assert.Equal(["sent", (string?)nudge["id"]], Deliveries()[0][1..5].Where((_, i) => i is 0 or 3).ToArray());
    }

    [Fact]
    public async Task HolidaysAndPausesSkipAndAreRecorded()
    {
        await InstallAsync();
        await ScheduleAsync(WeekdaysAt1045, holidays: [new DateOnly(2026, 11, 18)], pausedUntil: Utc("2026-11-19T12:00Z"));

        await FireAtAsync(Utc("2026-11-18T10:45Z"));
        await FireAtAsync(Utc("2026-11-19T10:45Z"));
        await FireAtAsync(Utc("2026-11-20T10:45Z"));
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await DeliveriesFinishedAsync();

        Assert.Equal(
            [["skipped", "holiday"], ["skipped", "paused"], ["sent", null]],
            Deliveries().Select(r => new[] { r[1], r[2] }).ToList());
        var card = Assert.Single(StretchCards());
        Assert.Equal(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(15), card.At);
    }

    [Fact]
    public async Task AfterTwoHoursOfDowntimeTheStaleNudgesAreSkippedAndRecordedAndTheNextFiresOnTime()
    {
        var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 45), new TimeOnly(11, 45), new TimeOnly(12, 45)], "Europe/London");
        await InstallAsync();
        await ScheduleAsync(spec);

        // The app goes down at 10:30 and comes back on the same database file at 12:40.
        await Factory.Services.GetRequiredService<IHost>().StopAsync();
        using var restarted = new StretchBotFactory();
        restarted.Clock.AdvanceTo(Utc("2026-11-18T12:40Z"));
        Fake.Apply(restarted);
        restarted.Settings["Teams:OutboundAttemptTimeout"] = "01:00:00";
        var fired = new FiringProbe();
        restarted.ServiceChanges.Add(fired.Wrap);
        var missed = new[] { fired.Next(Utc("2026-11-18T10:45Z")), fired.Next(Utc("2026-11-18T11:45Z")) };
        using var app = restarted.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration((_, config) =>
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:SqlitePath"] = Factory.DatabasePath })));
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        // Quartz hands over both missed times as soon as it starts; both are recorded as skipped, nothing is posted.
        await Task.WhenAll(missed).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(Fake.Requests, r => r.HasSummary("Stretch:"));
        var next = fired.Next(Utc("2026-11-18T12:45Z"));
        restarted.Clock.AdvanceTo(Utc("2026-11-18T12:45Z"));
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        var card = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await app.Services.GetRequiredService<StretchBot.Nudges.NudgeDispatcher>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(
            [["2026-11-18T10:45:00.0000000Z", "skipped", "late"], ["2026-11-18T11:45:00.0000000Z", "skipped", "late"], ["2026-11-18T12:45:00.0000000Z", "sent", null]],
            Factory.Rows("SELECT fire_time, status, reason FROM deliveries ORDER BY fire_time").Select(r => r.ToArray()).ToList());
        Assert.Single(Fake.Requests, r => r.HasSummary("Stretch:"));
        Assert.NotNull(card.Card);
        Assert.NotNull(await scheduler.GetJobDetail(NudgeJob.KeyFor((string)Factory.Rows("SELECT id FROM schedules")[0][0]!)));
    }

    [Fact]
    public async Task AJitteredNudgeWaitsForItsMomentOnTheClockAndARestartKeepsIt()
    {
        await InstallAsync();
        await ScheduleAsync(WeekdaysAt1045, jitter: 10);
        await FireAtAsync(Utc("2026-11-18T10:45Z"));
        var due = DateTimeOffset.Parse((string)Factory.Rows("SELECT due_at FROM deliveries")[0][0]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(due, Utc("2026-11-18T10:45:01Z"), Utc("2026-11-18T10:55Z"));
        Assert.DoesNotContain(Fake.Requests, r => r.HasSummary("Stretch:"));

        // Restarted a second before its moment: the pending record is read back and still waits for it.
        await Factory.Services.GetRequiredService<IHost>().StopAsync();
        using var restarted = new StretchBotFactory();
        restarted.Clock.AdvanceTo(due - TimeSpan.FromSeconds(1));
        Fake.Apply(restarted);
        restarted.Settings["Teams:OutboundAttemptTimeout"] = "01:00:00";
        using var app = restarted.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration((_, config) =>
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:SqlitePath"] = Factory.DatabasePath })));
        var dispatcher = app.Services.GetRequiredService<StretchBot.Nudges.NudgeDispatcher>();
        await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await dispatcher.Resumed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, dispatcher.Pending);

        Assert.DoesNotContain(Fake.Requests, r => r.HasSummary("Stretch:"));
        restarted.Clock.Advance(TimeSpan.FromSeconds(1));
        var card = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await dispatcher.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(1), card.At);
        Assert.Equal("sent", Factory.Rows("SELECT status FROM deliveries")[0][0]);
    }

    [Fact]
    public async Task AGoneConversationStopsItsScheduleWithTheReasonAndLosesItsJob()
    {
        await InstallAsync();
        var schedule = await ScheduleAsync(WeekdaysAt1045);
        Fake.Responder = r => r.Method == "POST" && r.Path.Contains("/activities", StringComparison.Ordinal)
            ? new FakeReply(403, """{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}""")
            : null;

        await FireAtAsync(Utc("2026-11-18T10:45Z"));
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await DeliveriesFinishedAsync();

        var row = Assert.Single(Deliveries());
        Assert.Equal(["scheduled", "failed", "gone: BotNotInConversationRoster"], row[..3]);
        var stored = Factory.Rows("SELECT stopped_at IS NOT NULL, stopped_reason FROM schedules")[0];
        Assert.Equal([1L, "conversation gone: BotNotInConversationRoster"], stored);
        Assert.Equal("BotNotInConversationRoster", Factory.Rows("SELECT gone_reason FROM installs")[0][0]);
        var scheduler = await Factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.Null(await scheduler.GetJobDetail(NudgeJob.KeyFor(schedule.Id)));
    }

    [Fact]
    public async Task NobodyAnsweringFiveNudgesPausesTheScheduleWithOneMessageThatSaysResume()
    {
        await InstallAsync();
        await ScheduleAsync(ScheduleSpec.Every(TimeSpan.FromMinutes(30), new TimeOnly(11, 0), new TimeOnly(17, 0), ScheduleSpec.Weekdays, "Europe/London"));

        var fireTime = Utc("2026-11-18T11:00Z");
        for (var i = 0; i < 5; i++, fireTime += TimeSpan.FromMinutes(30))
        {
            await FireAtAsync(fireTime);
            await Fake.WaitForAsync(r => r.HasSummary("Stretch:"), i + 1);
            await DeliveriesFinishedAsync();
        }

        // The sixth: paused instead, said once; the seventh: skipped as paused, nothing said.
        await FireAtAsync(fireTime);
        var notice = await Fake.WaitForAsync(r => MessageText(r).Contains("paused", StringComparison.Ordinal));
        await DeliveriesFinishedAsync();
        await FireAtAsync(fireTime + TimeSpan.FromMinutes(30));
        await DeliveriesFinishedAsync();

        Assert.Contains("resume", MessageText(notice));
        Assert.Equal(5, StretchCards().Count);
        Assert.Single(Fake.Requests, r => MessageText(r).Contains("paused", StringComparison.Ordinal));
        Assert.Equal(
            ["sent", "sent", "sent", "sent", "sent", "skipped unanswered", "sent", "skipped paused"],
            Deliveries().Select(r => ((string)r[1]! + " " + r[2]).Trim()).ToList());
        Assert.Equal(["unanswered"], Factory.Rows("SELECT pause_reason FROM schedules")[0]);
    }

    private static string MessageText(ConnectorRequest request) => (string?)request.Body?["text"] ?? string.Empty;
    [Fact]
    public async Task ANudgeIsPreparedAMinuteAheadAndPostedAtItsInstantNotBefore()
    {
        await InstallAsync();
        await ScheduleAsync(WeekdaysAt1045);

        // Quartz runs Scheduling:PrepareAhead (a minute) ahead: at 10:44 the 10:45 trigger fires and the nudge is prepared.
        var prepared = Fired.Next(Utc("2026-11-18T10:45Z"));
        Clock.AdvanceTo(Utc("2026-11-18T10:44Z"));
        await prepared.WaitAsync(TimeSpan.FromSeconds(30));
        await DeliveriesFinishedAsync();
        var row = Assert.Single(Deliveries());
        Assert.Equal(["scheduled", "pending", null, "2026-11-18T10:45:00.0000000Z"], row[..4]);
        Assert.NotNull(row[5]);
        Assert.Empty(StretchCards());

        // Its instant: posted then, by the dispatcher, not by another trigger firing.
        Clock.AdvanceTo(Utc("2026-11-18T10:45Z"));
        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await DeliveriesFinishedAsync();
        Assert.Equal(TimeSpan.FromMinutes(15), posted.At);
        Assert.Equal("sent", Assert.Single(Deliveries())[1]);
        Assert.Single(StretchCards());
    }

    [Fact]
    public async Task APauseOrANewTimeSetAfterANudgeWasPreparedIsHonouredAtItsInstant()
    {
        await InstallAsync();
        var schedule = await ScheduleAsync(WeekdaysAt1045);
        var store = Factory.Services.GetRequiredService<ScheduleStore>();

        // Prepared at 10:44 on Wednesday; at 10:44:30 someone says "pause 1d".
        var prepared = Fired.Next(Utc("2026-11-18T10:45Z"));
        Clock.AdvanceTo(Utc("2026-11-18T10:44Z"));
        await prepared.WaitAsync(TimeSpan.FromSeconds(30));
        Clock.AdvanceTo(Utc("2026-11-18T10:44:30Z"));
        Assert.True(await store.PauseAsync(schedule.Id, Utc("2026-11-19T00:00Z"), PauseReasons.Manual, CancellationToken.None));
        Clock.AdvanceTo(Utc("2026-11-18T10:45Z"));
        await DeliveriesFinishedAsync();

        // Prepared on Thursday at 10:44; at 10:44:30 the schedule moves to 11:00 (stored, its triggers replaced).
        var next = Fired.Next(Utc("2026-11-19T10:45Z"));
        Clock.AdvanceTo(Utc("2026-11-19T10:44Z"));
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        Clock.AdvanceTo(Utc("2026-11-19T10:44:30Z"));
        await Factory.Services.GetRequiredService<ScheduleService>().ChangeAsync(TeamsClient.Tenant, "msteams", TeamsClient.Channel, string.Empty,
            s => s with { Spec = "mon tue wed thu fri 11:00", TimeZone = "Europe/London" }, CancellationToken.None);
        Clock.AdvanceTo(Utc("2026-11-19T10:45Z"));
        await DeliveriesFinishedAsync();
        Assert.Empty(StretchCards());

        // The new time is prepared and posted as any other.
        await FireAtAsync(Utc("2026-11-19T11:00Z"));
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Equal(
            [["2026-11-18T10:45:00.0000000Z", "skipped", "paused"], ["2026-11-19T10:45:00.0000000Z", "skipped", "changed"], ["2026-11-19T11:00:00.0000000Z", "sent", null]],
            Deliveries().Select(r => new[] { r[3], r[1], r[2] }).ToList());
    }
}
