using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Quartz.Extensibility;
using StretchBot.Scheduling;

namespace StretchBot.Core.Tests.Scheduling;

/// <summary>
/// The fire times of the triggers a schedule becomes, as Quartz itself computes them (each trigger's
/// GetFireTimeAfter, walked), against UTC instants written out by hand from each zone's offsets.
/// </summary>
public sealed class ScheduleTriggerTests
{
    private static readonly JobKey Job = new("nudge", "stretch-schedules");
    private static readonly DayOfWeek[] EveryDay = Enum.GetValues<DayOfWeek>();

    // Every window below runs Thursday to Tuesday (local), around the weekend the zone changes its clocks: two working
    // days on the old offset, the weekend, two on the new one. Asia/Kolkata has no daylight saving: its instant stays.
    public static TheoryData<string, string, string, string[]> WeekdaysAt1030 => new()
    {
        // New York: EST -5 until Sun 8 Mar 2026 02:00, EDT -4 until Sun 1 Nov 2026 02:00.
        { "America/New_York", "2026-03-05", "2026-03-11", ["2026-03-05T15:30Z", "2026-03-06T15:30Z", "2026-03-09T14:30Z", "2026-03-10T14:30Z"] },
        { "America/New_York", "2026-10-29", "2026-11-04", ["2026-10-29T14:30Z", "2026-10-30T14:30Z", "2026-11-02T15:30Z", "2026-11-03T15:30Z"] },
        // Berlin: CET +1 until Sun 29 Mar 2026 02:00, CEST +2 until Sun 25 Oct 2026 03:00.
        { "Europe/Berlin", "2026-03-26", "2026-04-01", ["2026-03-26T09:30Z", "2026-03-27T09:30Z", "2026-03-30T08:30Z", "2026-03-31T08:30Z"] },
        { "Europe/Berlin", "2026-10-22", "2026-10-28", ["2026-10-22T08:30Z", "2026-10-23T08:30Z", "2026-10-26T09:30Z", "2026-10-27T09:30Z"] },
        // Lord Howe moves its clocks by 30 minutes: +11 until Sun 5 Apr 2026 02:00, +10:30 until Sun 4 Oct 2026 02:00.
        // 10:30 at +11 is 23:30 UTC the evening before; at +10:30 it is midnight UTC.
        { "Australia/Lord_Howe", "2026-04-02", "2026-04-08", ["2026-04-01T23:30Z", "2026-04-02T23:30Z", "2026-04-06T00:00Z", "2026-04-07T00:00Z"] },
        { "Australia/Lord_Howe", "2026-10-01", "2026-10-07", ["2026-10-01T00:00Z", "2026-10-02T00:00Z", "2026-10-04T23:30Z", "2026-10-05T23:30Z"] },
        // Santiago changes at local midnight: -3 until Sun 5 Apr 2026 00:00 (back to Sat 23:00), -4 until Sun 6 Sep 2026
        // 00:00 (on to 01:00).
        { "America/Santiago", "2026-04-02", "2026-04-08", ["2026-04-02T13:30Z", "2026-04-03T13:30Z", "2026-04-06T14:30Z", "2026-04-07T14:30Z"] },
        { "America/Santiago", "2026-09-03", "2026-09-09", ["2026-09-03T14:30Z", "2026-09-04T14:30Z", "2026-09-07T13:30Z", "2026-09-08T13:30Z"] },
        // Kolkata: +5:30 all year, across New York's and Berlin's spring weekends alike.
        { "Asia/Kolkata", "2026-03-05", "2026-03-11", ["2026-03-05T05:00Z", "2026-03-06T05:00Z", "2026-03-09T05:00Z", "2026-03-10T05:00Z"] },
        { "Asia/Kolkata", "2026-03-26", "2026-04-01", ["2026-03-26T05:00Z", "2026-03-27T05:00Z", "2026-03-30T05:00Z", "2026-03-31T05:00Z"] },
    };

    [Theory]
    [MemberData(nameof(WeekdaysAt1030))]
    public void WeekdaysAt1030FiresOncePerWorkingDayAtTheLocalTimeAcrossClockChanges(string zone, string fromLocalDay, string untilLocalDay, string[] expectedUtc)
    {
        var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], zone);
        var (from, until) = LocalDays(zone, fromLocalDay, untilLocalDay);

        var triggers = ScheduleTriggers.Build(spec, "team-a", Job, At(from));

        Assert.Single(triggers);
        Assert.Equal(expectedUtc.Select(Utc), FireTimes(triggers, from, until));
    }

    [Fact]
    public void WeekdaysAt1030SkipsEveryWeekendAndFiresEveryWorkingDayForAYear()
    {
        // The grid above checks each change; this checks nothing else goes astray between them, in every zone.
        foreach (var zone in new[] { "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata" })
        {
            var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], zone);
            var (from, until) = LocalDays(zone, "2026-01-01", "2027-01-01");

            var fires = FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until);

            var localDays = fires.Select(f => TimeZoneInfo.ConvertTime(f, spec.TimeZone)).ToList();
            Assert.All(localDays, local => Assert.Equal(new TimeSpan(10, 30, 0), local.TimeOfDay));
            Assert.All(localDays, local => Assert.DoesNotContain(local.DayOfWeek, new[] { DayOfWeek.Saturday, DayOfWeek.Sunday }));
            // 2026 has 261 working days (Mon-Fri); each fires exactly once.
            Assert.Equal(261, localDays.Select(l => DateOnly.FromDateTime(l.DateTime)).Distinct().Count());
            Assert.Equal(261, fires.Count);
        }
    }

    [Fact]
    public void TwoTimesOnDifferentMinutesAreTwoCronTriggersThatTogetherFireBothTimesEachDay()
    {
        var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(15, 0), new TimeOnly(10, 30)], "Europe/Berlin");
        var (from, until) = LocalDays("Europe/Berlin", "2026-03-27", "2026-03-31");

        var triggers = ScheduleTriggers.Build(spec, "team-a", Job, At(from));

        Assert.Equal(["0 30 10 ? * MON,TUE,WED,THU,FRI", "0 0 15 ? * MON,TUE,WED,THU,FRI"], triggers.Cast<ICronTrigger>().Select(t => t.CronExpressionString));
        Assert.All(triggers.Cast<ICronTrigger>(), t => Assert.Equal("Europe/Berlin", t.TimeZone.Id));
        Assert.Equal(["team-a/1", "team-a/2"], triggers.Select(t => t.Key.Name));
        Assert.All(triggers, t => Assert.Equal(Job, t.JobKey));
        // Friday on CET, Monday on CEST.
        Assert.Equal(
            new[] { "2026-03-27T09:30Z", "2026-03-27T14:00Z", "2026-03-30T08:30Z", "2026-03-30T13:00Z" }.Select(Utc),
            FireTimes(triggers, from, until));
    }

    [Fact]
    public void TimesSharingTheirMinutesShareOneTrigger()
    {
        var spec = ScheduleSpec.At([DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Friday], [new(9, 0), new(11, 0), new(14, 0)], "Europe/Berlin");

        var trigger = Assert.Single(ScheduleTriggers.Build(spec, "team-a", Job, At(Utc("2026-03-02T00:00Z"))));

        Assert.Equal("0 0 9,11,14 ? * MON,WED,FRI", ((ICronTrigger)trigger).CronExpressionString);
    }

    [Fact]
    public void AFixedTimeInASpringForwardGapFiresOnceAtTheEndOfTheGap()
    {
        // New York skips 02:00-03:00 on Sun 8 Mar 2026: 02:30 does not exist that day, and fires at 03:00 EDT.
        var spec = ScheduleSpec.At(EveryDay, [new TimeOnly(2, 30)], "America/New_York");
        var (from, until) = LocalDays("America/New_York", "2026-03-07", "2026-03-10");

        Assert.Equal(
            new[] { "2026-03-07T07:30Z", "2026-03-08T07:00Z", "2026-03-09T06:30Z" }.Select(Utc),
            FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until));
    }

    [Fact]
    public void AFixedTimeInAFallBackOverlapFiresOnceAtItsFirstOccurrence()
    {
        // New York lives 01:00-02:00 twice on Sun 1 Nov 2026 (EDT, then EST): 01:30 fires at 05:30 UTC only.
        var spec = ScheduleSpec.At(EveryDay, [new TimeOnly(1, 30)], "America/New_York");
        var (from, until) = LocalDays("America/New_York", "2026-10-31", "2026-11-03");

        Assert.Equal(
            new[] { "2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z" }.Select(Utc),
            FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until));
    }

    public static TheoryData<string, string, string[]> Every90MinutesFrom9To17 => new()
    {
        // The window's local times hold on the change days themselves; only the UTC instants move.
        { "America/New_York", "2026-03-08", ["2026-03-08T13:00Z", "2026-03-08T14:30Z", "2026-03-08T16:00Z", "2026-03-08T17:30Z", "2026-03-08T19:00Z", "2026-03-08T20:30Z"] },
        { "America/New_York", "2026-11-01", ["2026-11-01T14:00Z", "2026-11-01T15:30Z", "2026-11-01T17:00Z", "2026-11-01T18:30Z", "2026-11-01T20:00Z", "2026-11-01T21:30Z"] },
        { "Europe/Berlin", "2026-03-29", ["2026-03-29T07:00Z", "2026-03-29T08:30Z", "2026-03-29T10:00Z", "2026-03-29T11:30Z", "2026-03-29T13:00Z", "2026-03-29T14:30Z"] },
        { "Australia/Lord_Howe", "2026-04-05", ["2026-04-04T22:30Z", "2026-04-05T00:00Z", "2026-04-05T01:30Z", "2026-04-05T03:00Z", "2026-04-05T04:30Z", "2026-04-05T06:00Z"] },
        { "America/Santiago", "2026-09-06", ["2026-09-06T12:00Z", "2026-09-06T13:30Z", "2026-09-06T15:00Z", "2026-09-06T16:30Z", "2026-09-06T18:00Z", "2026-09-06T19:30Z"] },
    };

    [Theory]
    [MemberData(nameof(Every90MinutesFrom9To17))]
    public void Every90MinutesFrom9To17FiresAtTheWindowsLocalTimesOnTheDayTheClocksChange(string zone, string localDay, string[] expectedUtc)
    {
        var spec = ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(9, 0), new(17, 0), EveryDay, zone);
        var (from, until) = LocalDays(zone, localDay, DateOnly.Parse(localDay, CultureInfo.InvariantCulture).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        var trigger = Assert.Single(ScheduleTriggers.Build(spec, "team-a", Job, At(from)));

        Assert.IsAssignableFrom<IDailyTimeIntervalTrigger>(trigger);
        Assert.Equal(expectedUtc.Select(Utc), FireTimes([trigger], from, until));
    }

    [Fact]
    public void Every90MinutesMonToFriSkipsTheWeekendAndRestartsAtNineEachDay()
    {
        var spec = ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(9, 0), new(17, 0), ScheduleSpec.Weekdays, "Europe/Berlin");
        var (from, until) = LocalDays("Europe/Berlin", "2026-03-27", "2026-03-31");

        var fires = FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until);

        // Friday on CET (+1), Monday on CEST (+2): 9:00, 10:30, 12:00, 13:30, 15:00, 16:30 each day, nothing at the weekend.
        Assert.Equal(
            new[]
            {
                "2026-03-27T08:00Z", "2026-03-27T09:30Z", "2026-03-27T11:00Z", "2026-03-27T12:30Z", "2026-03-27T14:00Z", "2026-03-27T15:30Z",
                "2026-03-30T07:00Z", "2026-03-30T08:30Z", "2026-03-30T10:00Z", "2026-03-30T11:30Z", "2026-03-30T13:00Z", "2026-03-30T14:30Z",
            }.Select(Utc),
            fires);
    }

    // No zone above changes its clocks inside 9:00-17:00, so the windows below are put around the change itself to pin
    // what an interval does there. The decision: an interval is real time (two nudges are never closer than it), stepped
    // from the window's start; a step that lands in a gap fires once, at the end of the gap, and the day's later steps
    // keep the real interval from it; a step in an overlap fires at its first occurrence, and a local time is only
    // reached again in the repeated hour when the real interval lands there again (an interval under the overlap's length).

    [Fact]
    public void AnIntervalStepInASpringForwardGapFiresOnceAtTheEndOfTheGapAndTheNextStepsKeepTheInterval()
    {
        // New York, Sun 8 Mar 2026, every 90m 0:30-6:00: 0:30 EST, then 02:00 does not exist: 03:00 EDT, 04:30, 06:00.
        var spec = ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(0, 30), new(6, 0), EveryDay, "America/New_York");
        var (from, until) = LocalDays("America/New_York", "2026-03-08", "2026-03-09");

        Assert.Equal(
            new[] { "2026-03-08T05:30Z", "2026-03-08T07:00Z", "2026-03-08T08:30Z", "2026-03-08T10:00Z" }.Select(Utc),
            FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until));
    }

    [Fact]
    public void AnIntervalStepInAFallBackOverlapFiresOnceAtItsFirstOccurrenceAndTheNextStepsKeepTheInterval()
    {
        // New York, Sun 1 Nov 2026, every 90m 0:00-6:00: 0:00 EDT, 1:30 EDT (not again at 1:30 EST), then 90 real minutes
        // on: 2:00 EST, 3:30, 5:00.
        var spec = ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(0, 0), new(6, 0), EveryDay, "America/New_York");
        var (from, until) = LocalDays("America/New_York", "2026-11-01", "2026-11-02");

        Assert.Equal(
            new[] { "2026-11-01T04:00Z", "2026-11-01T05:30Z", "2026-11-01T07:00Z", "2026-11-01T08:30Z", "2026-11-01T10:00Z" }.Select(Utc),
            FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until));
    }

    [Fact]
    public void AnIntervalShorterThanTheOverlapReachesTheRepeatedTimeTwiceButNeverCloserThanTheInterval()
    {
        // Lord Howe goes back from 02:00 +11 to 01:30 +10:30 on Sun 5 Apr 2026: every 30m 1:00-3:00 fires at 01:30 in
        // both passes, 30 real minutes apart, then on through 3:00.
        var spec = ScheduleSpec.Every(TimeSpan.FromMinutes(30), new(1, 0), new(3, 0), EveryDay, "Australia/Lord_Howe");
        var (from, until) = LocalDays("Australia/Lord_Howe", "2026-04-05", "2026-04-06");

        var fires = FireTimes(ScheduleTriggers.Build(spec, "team-a", Job, At(from)), from, until);

        Assert.Equal(
            new[] { "2026-04-04T14:00Z", "2026-04-04T14:30Z", "2026-04-04T15:00Z", "2026-04-04T15:30Z", "2026-04-04T16:00Z", "2026-04-04T16:30Z" }.Select(Utc),
            fires);
        Assert.All(fires.Zip(fires.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(30), pair.Second - pair.First));
    }

    [Fact]
    public void NothingFiresBeforeTheStart()
    {
        // Built at 10:31 on a Wednesday in Berlin: the day's 10:30 has gone, the first nudge is Thursday's.
        var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], "Europe/Berlin");
        var start = Utc("2026-11-18T09:31Z");

        var trigger = Assert.Single(ScheduleTriggers.Build(spec, "team-a", Job, At(start)));

        Assert.Equal(Utc("2026-11-19T09:30Z"), trigger.GetFireTimeAfter(start.AddSeconds(-1)));
    }

    [Fact]
    public void TheFirstFireTimeIsTheNextAfterTheGivenClocksNowNotTheMachines()
    {
        // Quartz computes a trigger's first fire time when it is scheduled, moving one in the past to after "now": the
        // trigger's own clock says when now is. Built on a clock years behind the machine's, it starts there, not today.
        var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], "Europe/Berlin");

        var trigger = (IOperableTrigger)Assert.Single(ScheduleTriggers.Build(spec, "team-a", Job, At(Utc("2020-06-03T09:00Z"))));

        Assert.Equal(Utc("2020-06-04T08:30Z"), trigger.ComputeFirstFireTimeUtc(null));
    }

    [Fact]
    public void AnIntervalScheduleBuiltMidWindowKeepsTheWindowsGrid()
    {
        // Set at 10:31 in Berlin: the next nudge is 12:00 (on the 9:00 + 90m grid), not 10:31 or 12:01.
        var spec = ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(9, 0), new(17, 0), ScheduleSpec.Weekdays, "Europe/Berlin");

        var trigger = (IOperableTrigger)Assert.Single(ScheduleTriggers.Build(spec, "team-a", Job, At(Utc("2026-11-18T09:31Z"))));

        Assert.Equal(Utc("2026-11-18T11:00Z"), trigger.ComputeFirstFireTimeUtc(null));
    }

    [Fact]
    public void EveryMissedTimeIsHandedToTheJobToBeRecorded()
    {
        var atTimes = ScheduleTriggers.Build(ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], "Europe/Berlin"), "a", Job, At(Utc("2026-11-18T00:00Z")));
        var every = ScheduleTriggers.Build(ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(9, 0), new(17, 0), ScheduleSpec.Weekdays, "Europe/Berlin"), "b", Job, At(Utc("2026-11-18T00:00Z")));

        // The job records each one (skipped as late past the threshold); Quartz itself neither drops nor replays them.
        Assert.Equal(CronTriggerMisfireInstruction.IgnoreMisfires, ((ICronTrigger)Assert.Single(atTimes)).MisfireInstruction);
        Assert.Equal(DailyTimeIntervalTriggerMisfireInstruction.IgnoreMisfires, ((IDailyTimeIntervalTrigger)Assert.Single(every)).MisfireInstruction);
    }

    [Fact]
    public void ASpecThatCouldNotFireIsRefused()
    {
        Assert.Throws<ArgumentException>(() => ScheduleSpec.At([], [new TimeOnly(10, 30)], "Europe/Berlin"));
        Assert.Throws<ArgumentException>(() => ScheduleSpec.At(ScheduleSpec.Weekdays, [], "Europe/Berlin"));
        Assert.Throws<ArgumentException>(() => ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], "Mars/Olympus_Mons"));
        Assert.Throws<ArgumentException>(() => ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30, 15)], "Europe/Berlin"));
        Assert.Throws<ArgumentException>(() => ScheduleSpec.Every(TimeSpan.FromMinutes(90), new(17, 0), new(9, 0), ScheduleSpec.Weekdays, "Europe/Berlin"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScheduleSpec.Every(TimeSpan.Zero, new(9, 0), new(17, 0), ScheduleSpec.Weekdays, "Europe/Berlin"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScheduleSpec.Every(TimeSpan.FromSeconds(90), new(9, 0), new(17, 0), ScheduleSpec.Weekdays, "Europe/Berlin"));
    }

    [Fact]
    public void AWindowsTimeZoneIdWorksLikeItsIanaZone()
    {
        var windows = ScheduleTriggers.Build(ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], "W. Europe Standard Time"), "a", Job, At(Utc("2026-03-26T00:00Z")));
        var iana = ScheduleTriggers.Build(ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30)], "Europe/Berlin"), "b", Job, At(Utc("2026-03-26T00:00Z")));

        var (from, until) = (Utc("2026-03-26T00:00Z"), Utc("2026-04-01T00:00Z"));
        Assert.Equal(FireTimes(iana, from, until), FireTimes(windows, from, until));
    }

    private static FakeTimeProvider At(DateTimeOffset now) => new(now);

    /// <summary>Every fire of the triggers in [from, until), earliest first, as Quartz computes them.</summary>
    private static List<DateTimeOffset> FireTimes(IEnumerable<ITrigger> triggers, DateTimeOffset from, DateTimeOffset until)
    {
        var fires = new List<DateTimeOffset>();
        foreach (var trigger in triggers)
        {
            var after = from.AddSeconds(-1);
            while (trigger.GetFireTimeAfter(after) is { } next && next < until)
            {
                fires.Add(next.ToUniversalTime());
                after = next;
                Assert.True(fires.Count < 10_000, "runaway trigger");
            }
        }

        fires.Sort();
        return fires;
    }

    /// <summary>Local midnight of the first day to local midnight of the last, in the zone, as instants.</summary>
    private static (DateTimeOffset From, DateTimeOffset Until) LocalDays(string zone, string firstDay, string endDay)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        DateTimeOffset Midnight(string day)
        {
            var local = DateTime.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            // Santiago's midnight can fall in its gap; an hour either way is well clear of every time tested.
            var offset = tz.IsInvalidTime(local) ? tz.GetUtcOffset(local.AddHours(1)) : tz.GetUtcOffset(local);
            return new DateTimeOffset(local, offset);
        }

        return (Midnight(firstDay), Midnight(endDay));
    }

    private static DateTimeOffset Utc(string instant) =>
        DateTimeOffset.ParseExact(instant, "yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
