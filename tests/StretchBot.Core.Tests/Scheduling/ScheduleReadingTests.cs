using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Conversation;
using StretchBot.Scheduling;

namespace StretchBot.Core.Tests.Scheduling;

/// <summary>Readings that used to go wrong: spaced holiday ranges, dates without a year, bare hours, the overnight gap, a long search.</summary>
public sealed class ScheduleReadingTests
{
    private static readonly DateOnly Today = new(2026, 11, 18);

    [Theory]
    [InlineData("add 2026-12-24 .. 2026-12-31")]
    [InlineData("add 2026-12-24..2026-12-31")]
    [InlineData("add 2026-12-24 to 2026-12-31")]
    [InlineData("add 2026-12-24 - 2026-12-31")]
    [InlineData("add 2026-12-24 – 2026-12-31")]
    [InlineData("add 24 dec - 31 dec")]
    [InlineData("add 24 dec .. 31 dec")]
    [InlineData("add 24.12.2026 .. 31.12.2026")]
    [InlineData("add 24 dec through 31 dec")]
    public void SpacedRangesAddEveryDayOfTheRange(string typed)
    {
        var added = Assert.IsType<AddHolidays>(ScheduleCommands.Parse(CommandKind.Holidays, typed, Today));

        Assert.Equal(Enumerable.Range(24, 8).Select(d => new DateOnly(2026, 12, d)), added.Days);
    }

    [Theory]
    // Read against the given today, never the machine's clock: in 2028 "29 feb" is this year's, in 2027 it is 2028's.
    [InlineData("2028-01-10", "29 feb", "2028-02-29")]
    [InlineData("2027-01-10", "29 feb", "2028-02-29")]
    [InlineData("2027-03-01", "29.2", "2028-02-29")]
    [InlineData("2031-03-01", "1 feb", "2032-02-01")]
    [InlineData("2031-01-15", "feb 1", "2031-02-01")]
    [InlineData("2031-01-15", "15 jan", "2031-01-15")]
    [InlineData("2031-01-15", "14.1.", "2032-01-14")]
    public void DatesWithoutAYearAreTheNextOneFromToday(string today, string typed, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ScheduleText.ParseDate(typed, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("30 feb")]
    [InlineData("31.4")]
    [InlineData("32 dec")]
    public void ImpossibleDatesWithoutAYearAreNotDatesAndNeverThrow(string typed) =>
        Assert.Null(ScheduleText.ParseDate(typed, new DateOnly(2027, 1, 10)));

    [Fact]
    public void TwentyNinthOfFebruaryAsAHolidayInANonLeapYearIsTheNextLeapDay() =>
        Assert.Equal([new DateOnly(2028, 2, 29)], Assert.IsType<AddHolidays>(ScheduleCommands.Parse(CommandKind.Holidays, "add 29 feb", new DateOnly(2027, 1, 10))).Days);

    [Theory]
    [InlineData("weekdays 10:30 and 3", "3")]
    [InlineData("weekdays 10:30 3", "3")]
    [InlineData("daily 1", "1")]
    [InlineData("mon 7", "7")]
    [InlineData("every 2h 9-5", "5")]
    [InlineData("every hour 9 to 5", "5")]
    [InlineData("every hour between 9 and 5", "5")]
    public void ABareHourThatCouldBeMorningOrAfternoonIsAskedAbout(string typed, string hour)
    {
        var request = Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Schedule, typed, Today));

        Assert.Equal("Morning or afternoon?", request.Title);
        var h = int.Parse(hour, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"`{h}pm` ({h + 12}:00) or `{h}am`", request.Text.ToString());
    }

    [Theory]
    [InlineData("weekdays 10:30 and 3pm", "weekdays 10:30 15:00")]
    [InlineData("weekdays 10:30 and 3:00", "weekdays 03:00 10:30")]
    [InlineData("weekdays 10:30 and 15", "weekdays 10:30 15:00")]
    [InlineData("weekdays 8 and 17", "weekdays 08:00 17:00")]
    [InlineData("weekdays 03", "weekdays 03:00")]
    [InlineData("every 1.5h 9 - 17 weekdays", "every 90m 09:00-17:00 weekdays")]
    public void HoursThatSayWhichTheyAreStayTheirOwn(string typed, string canonical) =>
        Assert.Equal(canonical, Assert.IsType<SetSchedule>(ScheduleCommands.Parse(CommandKind.Schedule, typed, Today)).Shape.Text);

    [Theory]
    // 23:45 and the next day's 0:00 are 15 minutes apart.
    [InlineData("every 1425m 0:00-23:45", 15)]
    [InlineData("every 90m 9:00-17:00", 90)]
    [InlineData("every 60m 0:00-23:59", 60)]
    [InlineData("every 700m 0:00-23:59", 40)]
    [InlineData("daily 23:50 0:05", 15)]
    public void TheShortestGapCountsTheNightBetweenTheWindowsLastNudgeAndTheNextDaysFirst(string typed, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), ScheduleText.Parse(typed, out _, out _)!.ShortestGap);

    [Fact]
    public void TheNextNudgesOfEveryMinuteBehindAYearsPauseAndAYearOfHolidaysComeQuickly()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 10, 30, 0, TimeSpan.Zero));
        var service = Service(clock);
        var pausedUntil = clock.GetUtcNow().AddDays(364);
        var holidays = Enumerable.Range(364, 366).Select(d => Today.AddDays(d)).ToList();
        var schedule = Schedule("every 1m 00:00-23:59 daily", holidays) with { PausedUntil = pausedUntil, PauseReason = PauseReasons.Manual };

        var next = service.NextNudges(schedule, 3);

        // Past the pause and the holidays that follow it: the first minute of the day after the last holiday (London).
        var first = new DateTimeOffset(Today.AddDays(730).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        Assert.Equal([first, first.AddMinutes(1), first.AddMinutes(2)], next);
        // Found at all: the search stops after a bounded number of steps, and a minute-by-minute walk over the pause
        // and the holidays (over a million minutes) would have found nothing. It jumps over both.
    }

    [Fact]
    public void PausedUntilSomeoneSaysResumeThereAreNoNextNudges()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 10, 30, 0, TimeSpan.Zero));
        var schedule = Schedule("every 1m 00:00-23:59 daily", []) with { PausedUntil = DateTimeOffset.MaxValue, PauseReason = PauseReasons.Unanswered };

        Assert.Empty(Service(clock).NextNudges(schedule, 3));
    }

    [Fact]
    public void HolidaysAreSkippedAndAPauseStartsTheSearch()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 10, 30, 0, TimeSpan.Zero));
        var schedule = Schedule("weekdays 10:30 15:00", [new DateOnly(2026, 11, 19)]);

        Assert.Equal(
            [At(18, 15, 0), At(20, 10, 30), At(20, 15, 0)],
            Service(clock).NextNudges(schedule, 3));
        Assert.Equal(
            [At(23, 10, 30), At(23, 15, 0), At(24, 10, 30)],
            Service(clock).NextNudges(schedule with { PausedUntil = At(23, 10, 30), PauseReason = PauseReasons.Manual }, 3));

        static DateTimeOffset At(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);
    }

    private static ScheduleService Service(TimeProvider clock) =>
        new(null!, null!, clock, Options.Create(new StretchBotOptions { DefaultTimeZone = "Europe/London" }), NullLogger<ScheduleService>.Instance);

    private static Schedule Schedule(string spec, IReadOnlyList<DateOnly> holidays) =>
        new("s_test", "t", "local", "c", string.Empty, spec, "Europe/London", null, "desk", 0, null, null, null, null, null, holidays);
}
