using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Scheduling;

/// <summary>
/// Schedules set from chat in the playground (Direct Line), as people type them: the replies with the next nudges in
/// local time, the stored row, and the Quartz job and triggers in the app's database. The clock stands at Wednesday
/// 18 November 2026, 10:30 UTC; Ada's client says Europe/London (UTC+0 in November).
/// </summary>
public sealed class ScheduleChatTests : AppTest
{
    public ScheduleChatTests() =>
        // A job that can't be built puts its triggers in error, which reconciliation rebuilds: where the app has no
        // firing side registered yet, a fired trigger finds one that does nothing.
        Factory.ServiceChanges.Add(services => services.TryAddSingleton<INudgeFiring, NoNudges>());

    [Fact]
    public async Task SettingAScheduleRepliesWithTheNextThreeNudgesAndStoresItWithItsTriggers()
    {
        var chat = await StartAsync();

        var reply = await SayAsync(chat, "schedule weekdays 10:30 15:00");

        Assert.Contains("Schedule set", reply);
        Assert.Contains("Weekdays (Mon–Fri) at 10:30 and 15:00", reply);
        AssertNext(reply, "Wed 18 Nov, 15:00", "Thu 19 Nov, 10:30", "Thu 19 Nov, 15:00");
        Assert.Contains("Europe/London", reply);
        var row = Assert.Single(Factory.Rows("SELECT id, spec, setter_zone, time_zone, set_by, owner_id, stretch_kinds FROM schedules"));
        Assert.Equal(["weekdays 10:30 15:00", "Europe/London", null, "u-ada", "", "desk"], row[1..]);

        var triggers = await TriggersAsync((string)row[0]!);
        Assert.Equal(2, triggers.Count);
        Assert.Equal(
            [new DateTimeOffset(2026, 11, 18, 15, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 19, 10, 30, 0, TimeSpan.Zero)],
            triggers.Select(t => t.NextFireTimeUtc!.Value).Order());
        Assert.All(triggers, t => Assert.Equal("Europe/London", ((ICronTrigger)t).TimeZone.Id));
    }

    [Fact]
    public async Task AChangedScheduleReplacesAllOfItsOldTriggersAndOffRemovesTheJob()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30 15:00");
        var id = ScheduleId();
        Assert.Equal(2, (await TriggersAsync(id)).Count);

        var reply = await SayAsync(chat, "schedule mon 9:00");

        AssertNext(reply, "Mon 23 Nov, 09:00", "Mon 30 Nov, 09:00", "Mon 7 Dec, 09:00");
        var trigger = Assert.Single(await TriggersAsync(id));
        Assert.Equal("0 0 9 ? * MON", ((ICronTrigger)trigger).CronExpressionString);
        Assert.Equal(1L, Factory.Count("QRTZ_TRIGGERS"));

        await SayAsync(chat, "schedule every 90m 9:00-17:00 mon-fri");
        var interval = Assert.IsAssignableFrom<IDailyTimeIntervalTrigger>(Assert.Single(await TriggersAsync(id)));
        Assert.Equal(90, interval.RepeatInterval);
        Assert.Equal(1L, Factory.Count("QRTZ_TRIGGERS"));
        // The same schedule row throughout: a change never leaves a second schedule behind.
        Assert.Equal(id, ScheduleId());

        reply = await SayAsync(chat, "schedule off");

        Assert.Contains("Schedule off", reply);
        Assert.Equal(0L, Factory.Count("QRTZ_TRIGGERS"));
        Assert.Equal(0L, Factory.Count("QRTZ_JOB_DETAILS"));
        Assert.Null(Factory.Rows("SELECT spec FROM schedules")[0][0]);
        Assert.Contains("No schedule yet", await SayAsync(chat, "schedule"));
    }

    [Fact]
    public async Task TheTimeZoneMovesTheTriggersWhileHolidaysAndPausesOnlySkipNudges()
    {
        var chat = await StartAsync();
        AssertNext(await SayAsync(chat, "schedule weekdays 10:30"), "Thu 19 Nov, 10:30", "Fri 20 Nov, 10:30", "Mon 23 Nov, 10:30");

        var reply = await SayAsync(chat, "timezone Europe/Berlin");

        Assert.Contains("Europe/Berlin (UTC+01:00)", reply);
        AssertNext(reply, "Thu 19 Nov, 10:30", "Fri 20 Nov, 10:30", "Mon 23 Nov, 10:30");
        Assert.Equal("Europe/Berlin", Factory.Rows("SELECT time_zone FROM schedules")[0][0]);
        var id = ScheduleId();
        var berlin = new DateTimeOffset(2026, 11, 19, 9, 30, 0, TimeSpan.Zero);
        Assert.Equal(berlin, Assert.Single(await TriggersAsync(id)).NextFireTimeUtc);

        reply = await SayAsync(chat, "holidays add 2026-11-19 2026-11-20");
        AssertNext(reply, "Mon 23 Nov, 10:30", "Tue 24 Nov, 10:30", "Wed 25 Nov, 10:30");
        Assert.Equal(["2026-11-19", "2026-11-20"], Factory.Rows("SELECT day FROM schedule_holidays ORDER BY day").Select(r => (string)r[0]!));

        reply = await SayAsync(chat, "pause until 2026-11-25");
        Assert.Contains("Paused until Wed 25 Nov, 00:00", reply);
        AssertNext(reply, "Wed 25 Nov, 10:30", "Thu 26 Nov, 10:30", "Fri 27 Nov, 10:30");
        Assert.Equal(["2026-11-24T23:00:00.0000000+00:00", "manual"], Factory.Rows("SELECT paused_until, pause_reason FROM schedules")[0]);

        AssertNext(await SayAsync(chat, "resume"), "Mon 23 Nov, 10:30", "Tue 24 Nov, 10:30", "Wed 25 Nov, 10:30");
        AssertNext(await SayAsync(chat, "holidays remove 2026-11-19"), "Thu 19 Nov, 10:30", "Mon 23 Nov, 10:30", "Tue 24 Nov, 10:30");
        Assert.Contains("Fri 20 Nov", await SayAsync(chat, "holidays"));

        // Holidays and pauses are checked when a nudge is due: the trigger is the one the zone change made.
        Assert.Equal(berlin, Assert.Single(await TriggersAsync(id)).NextFireTimeUtc);
    }

    [Fact]
    public async Task TheNextNudgesReadDaylightSavingDaysAsQuartzFiresThem()
    {
        // Saturday 13 March 2027: New York springs forward on Sunday at 2:00, so 2:30 doesn't exist that day.
        Factory.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 13, 12, 0, 0, TimeSpan.Zero));
        var chat = await StartAsync();
        await SayAsync(chat, "timezone America/New_York");

        var reply = await SayAsync(chat, "schedule daily 2:30");

        // Once, at the end of the gap (3:00 EDT, 07:00 UTC), then 2:30 again.
        AssertNext(reply, "Sun 14 Mar, 03:00", "Mon 15 Mar, 02:30", "Tue 16 Mar, 02:30");
        Assert.Equal(new DateTimeOffset(2027, 3, 14, 7, 0, 0, TimeSpan.Zero), Assert.Single(await TriggersAsync(ScheduleId())).NextFireTimeUtc);
    }

    [Fact]
    public async Task WithoutDaysTheScheduleIsEveryDayAndTheReplySaysHowToKeepItToWorkdays()
    {
        var chat = await StartAsync();

        var reply = await SayAsync(chat, "schedule 10:30");

        Assert.Contains("every day, weekends too", reply);
        Assert.Contains("schedule weekdays 10:30", reply);
        AssertNext(reply, "Thu 19 Nov, 10:30", "Fri 20 Nov, 10:30", "Sat 21 Nov, 10:30");
        Assert.Equal("daily 10:30", Factory.Rows("SELECT spec FROM schedules")[0][0]);
    }

    [Fact]
    public async Task ThePlaygroundsOwnMinimumIntervalLetsANudgeComeEveryMinute()
    {
        var chat = await StartAsync();

        var reply = await SayAsync(chat, "schedule every 1m");

        AssertNext(reply, "Wed 18 Nov, 10:31", "Wed 18 Nov, 10:32", "Wed 18 Nov, 10:33");
        Assert.Equal("every 1m 00:00-23:59 daily", Factory.Rows("SELECT spec FROM schedules")[0][0]);
    }

    [Fact]
    public async Task TheMinimumIntervalKeepsNudgesApart()
    {
        Factory.Settings["Scheduling:PlaygroundMinimumInterval"] = "00:30:00";
        var chat = await StartAsync();

        // every 1425m 0:00-23:45 nudges at 23:45 and again at 0:00, 15 minutes later.
        foreach (var tooOften in new[] { "schedule every 10m", "schedule weekdays 10:00 10:15", "schedule daily 23:50 0:05", "schedule every 1425m 0:00-23:45" })
        {
            var reply = await SayAsync(chat, tooOften);
            Assert.Contains("That's too often", reply);
            Assert.Contains("at least 30 minutes apart", reply);
        }

        Assert.Equal(0L, Factory.Count("schedules"));
        AssertNext(await SayAsync(chat, "schedule every 30m 9:00-17:00 weekdays"), "Wed 18 Nov, 11:00", "Wed 18 Nov, 11:30", "Wed 18 Nov, 12:00");
    }

    [Fact]
    public async Task NudgeKindsAndJitterAreStoredAndShown()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30");

        Assert.Contains("floor stretches", await SayAsync(chat, "nudge stretches floor"));
        Assert.Contains("up to 10 minutes", await SayAsync(chat, "jitter 10m"));
        Assert.Contains("Jitter goes up to 60 minutes", await SayAsync(chat, "jitter 2h"));

        Assert.Equal(["floor", 10L], Factory.Rows("SELECT stretch_kinds, jitter_minutes FROM schedules")[0]);
        var shown = await SayAsync(chat, "schedule");
        Assert.Contains("Floor stretches", shown);
        Assert.Contains("Up to 10 minutes after each time", shown);
        Assert.Contains("Running", shown);

        Assert.Contains("Jitter off", await SayAsync(chat, "jitter off"));
        Assert.Contains("any stretch", await SayAsync(chat, "nudge stretches any"));
        Assert.Equal(["any", 0L], Factory.Rows("SELECT stretch_kinds, jitter_minutes FROM schedules")[0]);
    }

    [Theory]
    [InlineData("schedule weekdayz 10:30", "I didn't get that schedule", "schedule weekdays 10:30 15:00")]
    [InlineData("schedule weekdays 25:00", "That time doesn't exist", "schedule weekdays 10:30 15:00")]
    [InlineData("schedule every 90m 17:00-9:00", "The window runs backwards", "every 90m 9:00-17:00")]
    [InlineData("timezone Mars/Olympus", "I don't know that time zone", "timezone Europe/Berlin")]
    [InlineData("pause until 2020-01-01", "Nothing to pause", "schedule weekdays 10:30 15:00")]
    [InlineData("pause for ages", "I didn't get how long", "pause 1w")]
    [InlineData("holidays add 2020-01-01", "That day has passed", "holidays add 2026-12-24 2026-12-31")]
    [InlineData("holidays add someday", "I didn't get that date", "holidays add 2026-12-24 2026-12-31")]
    [InlineData("nudge stretches yoga", "Which stretches?", "nudge stretches desk")]
    [InlineData("jitter a bit", "I didn't get that jitter", "jitter 10m")]
    [InlineData("schedule restore", "Nothing to restore", "schedule")]
    public async Task MistakesGetAFriendlyReplyWithTheRightForm(string typed, string title, string example)
    {
        var chat = await StartAsync();

        var reply = await SayAsync(chat, typed);

        Assert.Contains(title, reply);
        Assert.Contains(example, reply);
        Assert.Equal(0L, Factory.Rows("SELECT COUNT(*) FROM schedules WHERE spec IS NOT NULL")[0][0]);
        Assert.Equal(0L, Factory.Count("QRTZ_TRIGGERS"));
    }

    [Theory]
    [InlineData("pause until 2026-11-01", "That date has passed")]
    [InlineData("pause until 2026-11-18", "That's today")]
    [InlineData("pause 2y", "That's a long pause")]
    [InlineData("pause until 2030-01-01", "That's a long pause")]
    public async Task AbsurdPausesGetAFriendlyReply(string typed, string title)
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30");

        var reply = await SayAsync(chat, typed);

        Assert.Contains(title, reply);
        Assert.Contains("pause 1w", reply);
        Assert.Null(Factory.Rows("SELECT paused_until FROM schedules")[0][0]);
    }

    [Fact]
    public async Task WithNoScheduleItSaysHowToSetOne()
    {
        var chat = await StartAsync();

        var reply = await SayAsync(chat, "schedule");

        Assert.Contains("No schedule yet", reply);
        Assert.Contains("schedule weekdays 10:30 15:00", reply);
        Assert.Equal(0L, Factory.Count("schedules"));
    }

    [Fact]
    public async Task RemindMeSetsAPersonalReminderInTheOneToOneChatAtThePersonsOwnTime()
    {
        var chat = await StartAsync(new User("u-grace", "Grace Hopper", "America/New_York"));

        var reply = await SayAsync(chat, "remind me weekdays 11:00", new User("u-grace", "Grace Hopper", "America/New_York"));

        Assert.Contains("Reminder set", reply);
        // 10:30 UTC is 5:30 in New York: today's 11:00 there is still to come.
        AssertNext(reply, "Wed 18 Nov, 11:00", "Thu 19 Nov, 11:00", "Fri 20 Nov, 11:00");
        var row = Assert.Single(Factory.Rows("SELECT id, owner_id, spec, setter_zone FROM schedules"));
        Assert.Equal(["u-grace", "weekdays 11:00", "America/New_York"], row[1..]);
        Assert.Equal(new DateTimeOffset(2026, 11, 18, 16, 0, 0, TimeSpan.Zero), Assert.Single(await TriggersAsync((string)row[0]!)).NextFireTimeUtc);

        Assert.Contains("Your reminder", await SayAsync(chat, "remind me", new User("u-grace", "Grace Hopper", "America/New_York")));
        Assert.Contains("Reminder off", await SayAsync(chat, "remind me off", new User("u-grace", "Grace Hopper", "America/New_York")));
        Assert.Equal(0L, Factory.Count("QRTZ_JOB_DETAILS"));
    }

    [Fact]
    public async Task AScheduleStoppedBecauseTheConversationWasGoneCanBeRestored()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30 15:00");
        var id = ScheduleId();
        // What the delivery side does when the platform says the conversation is gone.
        var store = Factory.Services.GetRequiredService<ScheduleStore>();
        var schedule = (await store.FindAsync(id, default))!;
        await store.StopConversationAsync(schedule.TenantId, schedule.ChannelId, schedule.ConversationId, "removed", default);
        await Factory.Services.GetRequiredService<ScheduleService>().SyncAsync(id, default);
        Assert.Empty(await TriggersAsync(id));

        var shown = await SayAsync(chat, "schedule");
        Assert.Contains("Stopped on Wed 18 Nov", shown);
        Assert.Contains("schedule restore", shown);
        Assert.DoesNotContain("Next nudges", shown);

        var reply = await SayAsync(chat, "schedule restore");

        Assert.Contains("Schedule restored", reply);
        AssertNext(reply, "Wed 18 Nov, 15:00", "Thu 19 Nov, 10:30", "Thu 19 Nov, 15:00");
        Assert.Equal(2, (await TriggersAsync(id)).Count);
        Assert.Null(Factory.Rows("SELECT stopped_at FROM schedules")[0][0]);
    }

    [Fact]
    public async Task AtStartAMissingJobOfARunningScheduleIsRecreatedAndExistingOnesAreLeftAlone()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30 15:00");
        var id = ScheduleId();
        var scheduler = await Factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.DeleteJob(NudgeJob.KeyFor(id));
        Assert.Empty(await TriggersAsync(id));

        await Factory.Services.GetRequiredService<ScheduleService>().EnsureJobsAsync(default);
        var recreated = await TriggersAsync(id);
        Assert.Equal(2, recreated.Count);

        Assert.Equal(0, await Factory.Services.GetRequiredService<ScheduleService>().EnsureJobsAsync(default));
        Assert.Equal(recreated.Select(t => t.Key), (await TriggersAsync(id)).Select(t => t.Key));
    }

    [Fact]
    public async Task ABareHourIsAskedAboutInsteadOfReadAsNightTime()
    {
        var chat = await StartAsync();

        var reply = await SayAsync(chat, "schedule weekdays 10:30 and 3");

        Assert.Contains("Morning or afternoon?", reply);
        Assert.Contains("(15:00)", reply);
        Assert.Equal(0L, Factory.Count("schedules"));
        AssertNext(await SayAsync(chat, "schedule weekdays 10:30 and 3pm"), "Wed 18 Nov, 15:00", "Thu 19 Nov, 10:30", "Thu 19 Nov, 15:00");
    }

    [Fact]
    public async Task HolidaysAreCappedPrunedAndTheCardShowsTheNextTenWithTheYearWhenItIsNotThisOne()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30");

        Assert.Contains("Fri 1 Jan 2027", await SayAsync(chat, "holidays add 1 jan"));
        // Spaced dots are a range: every day from the first to the last.
        Assert.Contains("8 holidays added", await SayAsync(chat, "holidays add 2026-12-24 .. 2026-12-31"));
        Assert.Equal(9L, Factory.Count("schedule_holidays"));

        var reply = await SayAsync(chat, "holidays add 2026-11-20 .. 2027-11-17");

        // 363 days, 9 of them already holidays: 363 in all, the next 10 shown and the rest counted.
        Assert.Equal(363L, Factory.Count("schedule_holidays"));
        Assert.Contains("Fri 20 Nov, Sat 21 Nov, Sun 22 Nov, Mon 23 Nov, Tue 24 Nov, Wed 25 Nov, Thu 26 Nov, Fri 27 Nov, Sat 28 Nov, Sun 29 Nov, +353 more", reply);
        Assert.DoesNotContain("Wed 17 Nov 2027", reply);
        AssertNext(reply, "Thu 19 Nov, 10:30", "Thu 18 Nov 2027, 10:30", "Fri 19 Nov 2027, 10:30");

        Assert.Contains("3 holidays added", await SayAsync(chat, "holidays add 2027-12-24 2027-12-27 2027-12-31"));
        var tooMany = await SayAsync(chat, "holidays add 2028-01-03");
        Assert.Contains("That's a lot of holidays", tooMany);
        Assert.Contains("that would make 367", tooMany);
        Assert.Contains("That's far ahead", await SayAsync(chat, "holidays add 2029-01-01"));
        Assert.Equal(366L, Factory.Count("schedule_holidays"));

        // Days that have passed are dropped the next time the schedule is saved.
        Factory.Clock.Advance(TimeSpan.FromDays(3));
        await SayAsync(chat, "jitter 5m");
        Assert.Equal(365L, Factory.Count("schedule_holidays"));
        Assert.Equal("2026-11-21", Factory.Rows("SELECT MIN(day) FROM schedule_holidays")[0][0]);
    }

    [Fact]
    public async Task PausedForNoAnswersThereAreNoNextNudgesUntilSomeoneTypesResume()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule every 1m");
        // What the firing side does after nudges in a row that nobody answered.
        await Factory.Services.GetRequiredService<ScheduleStore>().PauseAsync(ScheduleId(), Factory.Clock.GetUtcNow().AddYears(100), PauseReasons.Unanswered, default);

        var shown = await SayAsync(chat, "schedule");

        Assert.Contains("Paused until someone types", shown);
        Assert.Contains("resume", shown);
        Assert.DoesNotContain("Next nudges", shown);

        // A year's pause of every minute: the next nudges are the first minutes after it.
        AssertNext(await SayAsync(chat, "pause 52w"), "Wed 17 Nov 2027, 10:30", "Wed 17 Nov 2027, 10:31", "Wed 17 Nov 2027, 10:32");
    }

    [Fact]
    public async Task AtStartAJobWithOldTriggersOrATriggerInErrorIsRebuiltFromTheRow()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30 15:00");
        var id = ScheduleId();
        var service = Factory.Services.GetRequiredService<ScheduleService>();
        // As if "schedule mon 9:00" had been saved and its apply cut off: the row says one thing, Quartz another.
        await OldTriggersAsync(id, "mon 09:00");
        Assert.Equal("0 0 9 ? * MON", ((ICronTrigger)Assert.Single(await TriggersAsync(id))).CronExpressionString);

        Assert.Equal(1, await service.ReconcileAsync(default));

        Assert.Equal(["0 0 15 ? * MON,TUE,WED,THU,FRI", "0 30 10 ? * MON,TUE,WED,THU,FRI"], (await TriggersAsync(id)).Select(t => ((ICronTrigger)t).CronExpressionString).Order());
        Assert.Equal(0, await service.ReconcileAsync(default));

        // The same triggers, one of them in error: rebuilt too.
        Execute($"UPDATE QRTZ_TRIGGERS SET TRIGGER_STATE = 'ERROR' WHERE JOB_NAME = '{id}' AND TRIGGER_NAME = '{id}/1'");
        Assert.Equal(1, await service.ReconcileAsync(default));
        Assert.Equal(["WAITING", "WAITING"], Factory.Rows($"SELECT TRIGGER_STATE FROM QRTZ_TRIGGERS WHERE JOB_NAME = '{id}'").Select(r => (string)r[0]!));

        // A stopped schedule's job left behind is removed.
        await Factory.Services.GetRequiredService<ScheduleStore>().StopAsync(id, "removed", default);
        Assert.Equal(1, await service.ReconcileAsync(default));
        Assert.Empty(await TriggersAsync(id));
        Assert.Equal(0L, Factory.Count("QRTZ_JOB_DETAILS"));
    }

    [Fact]
    public async Task TypingTheSameScheduleAgainRebuildsTriggersThatDisagreeWithIt()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30 15:00");
        var id = ScheduleId();
        await OldTriggersAsync(id, "mon 09:00");

        AssertNext(await SayAsync(chat, "schedule weekdays 10:30 15:00"), "Wed 18 Nov, 15:00", "Thu 19 Nov, 10:30", "Thu 19 Nov, 15:00");

        Assert.Equal(["0 0 15 ? * MON,TUE,WED,THU,FRI", "0 30 10 ? * MON,TUE,WED,THU,FRI"], (await TriggersAsync(id)).Select(t => ((ICronTrigger)t).CronExpressionString).Order());
    }

    [Fact]
    public async Task AStopThatLandsWhileAChangeIsMadeIsNeverOverwritten()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30");
        var id = ScheduleId();
        var store = Factory.Services.GetRequiredService<ScheduleStore>();
        var service = Factory.Services.GetRequiredService<ScheduleService>();
        var schedule = (await store.FindAsync(id, default))!;

        // The bot is removed between the change's read and its write (delivery stops the schedule without the service's gate).
        var calls = 0;
        var result = await service.ChangeAsync(schedule.TenantId, schedule.ChannelId, schedule.ConversationId, string.Empty, s =>
        {
            if (calls++ == 0)
            {
                Task.Run(() => store.StopConversationAsync(s.TenantId, s.ChannelId, s.ConversationId, "conversation gone (403)", default)).GetAwaiter().GetResult();
            }

            return s with { Spec = "weekdays 10:30 15:00", StoppedAt = null, StoppedReason = null };
        }, reapply: true, default);

        Assert.NotNull(result.StoppedAt);
        Assert.Equal(["weekdays 10:30", "conversation gone (403)"], Factory.Rows("SELECT spec, stopped_reason FROM schedules")[0]);
        Assert.Empty(await TriggersAsync(id));
    }

    [Fact]
    public async Task APauseThatLandsWhileASettingChangesIsKeptAndTheSettingToo()
    {
        var chat = await StartAsync();
        await SayAsync(chat, "schedule weekdays 10:30");
        var id = ScheduleId();
        var store = Factory.Services.GetRequiredService<ScheduleStore>();
        var schedule = (await store.FindAsync(id, default))!;
        var until = Factory.Clock.GetUtcNow().AddYears(100);

        var calls = 0;
        await Factory.Services.GetRequiredService<ScheduleService>().ChangeAsync(schedule.TenantId, schedule.ChannelId, schedule.ConversationId, string.Empty, s =>
        {
            if (calls++ == 0)
            {
                Task.Run(() => store.PauseAsync(id, until, PauseReasons.Unanswered, default)).GetAwaiter().GetResult();
            }

            return s with { JitterMinutes = 10 };
        }, default);

        Assert.Equal(2, calls);
        Assert.Equal([10L, PauseReasons.Unanswered], Factory.Rows("SELECT jitter_minutes, pause_reason FROM schedules")[0]);
        Assert.Contains("Paused until someone types", await SayAsync(chat, "schedule"));
    }

    [Fact]
    public async Task WhenQuartzFailsTheChangeIsStoredTheReplyIsFriendlyAndTheTriggersFollowOnTheRetry()
    {
        var failing = new FailingSchedulers();
        Factory.ServiceChanges.Add(failing.Install);
        var chat = await StartAsync();
        failing.Fail = true;

        var reply = await SayAsync(chat, "schedule weekdays 10:30 15:00");

        Assert.Contains("Schedule set", reply);
        Assert.Equal("weekdays 10:30 15:00", Factory.Rows("SELECT spec FROM schedules")[0][0]);
        Assert.Equal(0L, Factory.Count("QRTZ_TRIGGERS"));
        var service = Factory.Services.GetRequiredService<ScheduleService>();
        Assert.Equal(1, service.FailedApplies);

        // The database frees up; the reconciler's next round applies the stored row.
        failing.Fail = false;
        var guard = Task.Delay(TimeSpan.FromSeconds(30));
        while (Factory.Count("QRTZ_TRIGGERS") < 2)
        {
            Assert.False(guard.IsCompleted, "the failed apply was never retried");
            Factory.Clock.Advance(TimeSpan.FromSeconds(15));
            await Task.Delay(5);
        }

        Assert.Equal(2, (await TriggersAsync(ScheduleId())).Count);
        Assert.Equal(0, service.FailedApplies);
    }

    private sealed class NoNudges : INudgeFiring
    {
        public Task FireAsync(string scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Gives the schedule's job the triggers of another spec, as an apply that never happened would leave them.</summary>
    private async Task OldTriggersAsync(string id, string spec)
    {
        var scheduler = await Factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.DeleteJob(NudgeJob.KeyFor(id));
        var old = ScheduleTriggers.Build(ScheduleText.ParseStored(spec)!.ToSpec("Europe/London"), id, NudgeJob.KeyFor(id), Factory.Clock);
        await scheduler.ScheduleJob(NudgeJob.For(id), old, ScheduleJobOptions.Replacing);
    }

    private void Execute(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Factory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The app's Quartz, which throws "database is locked" on changes while <see cref="Fail"/> is set.</summary>
    private sealed class FailingSchedulers
    {
        public volatile bool Fail;

        public void Install(IServiceCollection services)
        {
            var real = services.Last(d => d.ServiceType == typeof(ISchedulerFactory));
            services.Remove(real);
            services.AddSingleton<ISchedulerFactory>(provider => new Factory(
                (ISchedulerFactory)(real.ImplementationInstance ?? real.ImplementationFactory?.Invoke(provider) ?? ActivatorUtilities.CreateInstance(provider, real.ImplementationType!)),
                this));
        }

        private sealed class Factory(ISchedulerFactory inner, FailingSchedulers switchboard) : ISchedulerFactory
        {
            public async ValueTask<List<IScheduler>> GetAllSchedulers(CancellationToken cancellationToken = default) =>
                (await inner.GetAllSchedulers(cancellationToken)).Select(Wrap).ToList();

            public async ValueTask<IScheduler> GetScheduler(CancellationToken cancellationToken = default) => Wrap(await inner.GetScheduler(cancellationToken));

            public async ValueTask<IScheduler?> LookupScheduler(string schedName, CancellationToken cancellationToken = default) =>
                await inner.LookupScheduler(schedName, cancellationToken) is { } scheduler ? Wrap(scheduler) : null;

            private IScheduler Wrap(IScheduler scheduler)
            {
                var proxy = System.Reflection.DispatchProxy.Create<IScheduler, Failing>();
                ((Failing)(object)proxy).Set(scheduler, switchboard);
                return proxy;
            }
        }

        public class Failing : System.Reflection.DispatchProxy
        {
            private IScheduler _inner = null!;
            private FailingSchedulers _switchboard = null!;

            public void Set(IScheduler inner, FailingSchedulers switchboard) => (_inner, _switchboard) = (inner, switchboard);

            protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
            {
                if (_switchboard.Fail && targetMethod!.Name is "ScheduleJob" or "DeleteJob" or "DeleteJobs" or "ScheduleJobs")
                {
                    throw new Microsoft.Data.Sqlite.SqliteException("SQLite Error 5: 'database is locked'.", 5);
                }

                try
                {
                    return targetMethod!.Invoke(_inner, args);
                }
                catch (System.Reflection.TargetInvocationException exception) when (exception.InnerException is not null)
                {
                    throw exception.InnerException;
                }
            }
        }
    }

    private async Task<DirectLineClient> StartAsync(User? user = null)
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        // First contact gets the welcome; the tests read what comes after it.
        await chat.SayAsync("hi", user);
        await chat.PollAsync();
        return chat;
    }

    /// <summary>Everything the bot answered, card text and message text alike.</summary>
    private static async Task<string> SayAsync(DirectLineClient chat, string text, User? user = null)
    {
        await chat.SayAsync(text, user);
        var replies = await chat.RepliesAsync();
        Assert.NotEmpty(replies);
        return string.Join("\n", replies.Select(r => DirectLineClient.CardOf(r) is { } card ? CardReader.AllText(card) : DirectLineClient.TextOf(r)));
    }

    private static void AssertNext(string reply, params string[] next)
    {
        Assert.Contains("Next nudges", reply);
        var shown = reply.Split('\n').Where(l => l.StartsWith("• ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
        Assert.Equal(next, shown);
    }

    private string ScheduleId() => (string)Assert.Single(Factory.Rows("SELECT id FROM schedules"))[0]!;

    private async Task<IReadOnlyList<ITrigger>> TriggersAsync(string scheduleId)
    {
        var scheduler = await Factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        return await scheduler.GetTriggersOfJob(NudgeJob.KeyFor(scheduleId));
    }
}
