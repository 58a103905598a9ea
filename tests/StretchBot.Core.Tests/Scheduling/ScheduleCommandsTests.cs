using StretchBot.Conversation;
using StretchBot.Scheduling;

namespace StretchBot.Core.Tests.Scheduling;

/// <summary>What people type after the scheduling commands, read into requests: every form, and mistakes said kindly.</summary>
public sealed class ScheduleCommandsTests
{
    private static readonly DateOnly Today = new(2026, 11, 18);

    [Theory]
    [InlineData("weekdays 10:30 15:00", "weekdays 10:30 15:00", true)]
    [InlineData("weekdays 10:30 and 15:00", "weekdays 10:30 15:00", true)]
    [InlineData("Weekdays at 10.30, 15.00", "weekdays 10:30 15:00", true)]
    [InlineData("weekdays 10:30am 3pm", "weekdays 10:30 15:00", true)]
    [InlineData("weekdays 10:30 3 pm", "weekdays 10:30 15:00", true)]
    [InlineData("mon-fri 15h 10h30", "weekdays 10:30 15:00", true)]
    [InlineData("mon to fri 1030 1500", "weekdays 10:30 15:00", true)]
    [InlineData("mon wed fri 11:00", "mon wed fri 11:00", true)]
    [InlineData("a stretch break on weekdays at 10:30 please", "weekdays 10:30", true)]
    [InlineData("Monday, Wednesday and Friday at 11am", "mon wed fri 11:00", true)]
    [InlineData("mondays 9:00", "mon 09:00", true)]
    [InlineData("weekends noon", "weekends 12:00", true)]
    [InlineData("daily 9:00", "daily 09:00", true)]
    [InlineData("every day 9:00", "daily 09:00", true)]
    [InlineData("fri-mon 9:00", "mon fri sat sun 09:00", true)]
    [InlineData("10:30 15:00", "daily 10:30 15:00", false)]
    [InlineData("12am", "daily 00:00", false)]
    [InlineData("12pm", "daily 12:00", false)]
    [InlineData("every 90m 9:00-17:00 mon-fri", "every 90m 09:00-17:00 weekdays", true)]
    [InlineData("every 90 minutes from 9:00 to 17:00 on weekdays", "every 90m 09:00-17:00 weekdays", true)]
    [InlineData("every 1h30 9am-5pm weekdays", "every 90m 09:00-17:00 weekdays", true)]
    [InlineData("every 1.5h 9 - 17 weekdays", "every 90m 09:00-17:00 weekdays", true)]
    [InlineData("every hour between 9 and 17 mon-fri", "every 60m 09:00-17:00 weekdays", true)]
    [InlineData("every 2 hours 8:00–18:00 mon-fri", "every 120m 08:00-18:00 weekdays", true)]
    [InlineData("every 1m", "every 1m 00:00-23:59 daily", false)]
    [InlineData("every 45m weekends", "every 45m 00:00-23:59 weekends", true)]
    public void ReadsEveryFormIntoOneCanonicalText(string typed, string canonical, bool daysGiven)
    {
        var shape = ScheduleText.Parse(typed, out var mistake, out var days);

        Assert.Null(mistake);
        Assert.NotNull(shape);
        Assert.Equal(canonical, shape.Text);
        Assert.Equal(daysGiven, days);
        // The stored text reads back to the same schedule (the firing side parses it).
        Assert.Equal(canonical, ScheduleText.ParseStored(shape.Text)!.Text);
    }

    [Fact]
    public void TheCanonicalTextBuildsTheSpecInTheZone()
    {
        var spec = ScheduleText.ParseStored("every 90m 09:00-17:00 weekdays")!.ToSpec("Europe/Berlin");

        var every = Assert.IsType<ScheduleSpec.EveryInterval>(spec);
        Assert.Equal(TimeSpan.FromMinutes(90), every.Interval);
        Assert.Equal(new TimeOnly(9, 0), every.From);
        Assert.Equal(new TimeOnly(17, 0), every.Until);
        Assert.Equal(ScheduleSpec.Weekdays, every.Days);
        Assert.Equal("Europe/Berlin", every.TimeZoneId);
    }

    [Theory]
    [InlineData("weekdays 10:30 15:00", "Weekdays (Mon–Fri) at 10:30 and 15:00")]
    [InlineData("mon wed fri 11:00", "Mon, Wed and Fri at 11:00")]
    [InlineData("tue 9:00", "Tuesdays at 09:00")]
    [InlineData("every 90m 9:00-17:00 mon-fri", "Every 90 minutes from 09:00 to 17:00, weekdays (mon–fri)")]
    [InlineData("every 2h", "Every 2 hours all day, every day")]
    public void DescribesTheScheduleInWords(string typed, string words) =>
        Assert.Equal(words, ScheduleText.Parse(typed, out _, out _)!.Words);

    [Theory]
    [InlineData("weekdays 25:00", "That time doesn't exist", "25:00")]
    [InlineData("weekdays 10:75", "That time doesn't exist", "10:75")]
    [InlineData("weekdays 13pm", "That time doesn't exist", "13pm")]
    [InlineData("someday 10:00", "I didn't get that schedule", "someday")]
    [InlineData("weekdays", "What time?", null)]
    [InlineData("every 9:00-17:00", "How often?", null)]
    [InlineData("every 2 9:00-17:00", "How often?", null)]
    [InlineData("every 90m 10:00 11:00", "Times or an interval, not both", null)]
    [InlineData("every 90m 17:00-9:00", "The window runs backwards", null)]
    [InlineData("every 24h", "That interval is too long", null)]
    [InlineData("weekdays 9:00-17:00", "A window needs an interval", null)]
    public void MistakesSayWhatIsWrong(string typed, string title, string? echo)
    {
        var shape = ScheduleText.Parse(typed, out var mistake, out _);

        Assert.Null(shape);
        Assert.Equal(title, mistake!.Title);
        Assert.Equal(echo, mistake.Echo);
    }

    [Fact]
    public void AScheduleMistakeShowsTheRightFormAndQuotesThePersonAsTheirs()
    {
        var request = Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Schedule, "weekdayz 10:30", Today));

        Assert.Equal("I didn't get that schedule", request.Title);
        Assert.Contains(request.Text.Parts, p => p.Kind == SaidKind.Theirs && p.Text == "weekdayz");
        Assert.Contains("schedule weekdays 10:30 15:00", request.Hint.ToString());
    }

    [Theory]
    [InlineData("", typeof(ShowSchedule))]
    [InlineData("show", typeof(ShowSchedule))]
    [InlineData("off", typeof(ScheduleOff))]
    [InlineData("Stop", typeof(ScheduleOff))]
    [InlineData("restore", typeof(RestoreSchedule))]
    [InlineData("weekdays 10:30", typeof(SetSchedule))]
    public void ScheduleSubcommands(string typed, Type request) =>
        Assert.IsType(request, ScheduleCommands.Parse(CommandKind.Schedule, typed, Today));

    [Theory]
    [InlineData("Europe/Berlin", "Europe/Berlin")]
    [InlineData("europe/berlin", "Europe/Berlin")]
    [InlineData("America/New York", "America/New_York")]
    [InlineData("W. Europe Standard Time", "Europe/Berlin")]
    [InlineData("India Standard Time", "Asia/Calcutta")]
    [InlineData("utc", "UTC")]
    public void TimeZonesAreIanaOrWindowsIds(string typed, string stored)
    {
        var request = Assert.IsType<SetTimeZone>(ScheduleCommands.Parse(CommandKind.TimeZone, typed, Today));

        // Windows ids map to the IANA id the machine knows (Asia/Calcutta and Asia/Kolkata are the same zone).
        Assert.True(stored == request.ZoneId || TimeZoneInfo.FindSystemTimeZoneById(stored).HasSameRules(TimeZoneInfo.FindSystemTimeZoneById(request.ZoneId!)), request.ZoneId);
    }

    [Fact]
    public void AnUnknownTimeZoneGetsExamples()
    {
        var request = Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.TimeZone, "Mars/Olympus", Today));

        Assert.Contains(request.Text.Parts, p => p.Kind == SaidKind.Theirs && p.Text == "Mars/Olympus");
        Assert.Contains("timezone Europe/Berlin", request.Hint.ToString());
        Assert.IsType<ShowTimeZone>(ScheduleCommands.Parse(CommandKind.TimeZone, "", Today));
        Assert.Equal(new SetTimeZone(null), ScheduleCommands.Parse(CommandKind.TimeZone, "reset", Today));
    }

    [Theory]
    [InlineData("1w", 7 * 24 * 60)]
    [InlineData("3d", 3 * 24 * 60)]
    [InlineData("for 2 weeks", 14 * 24 * 60)]
    [InlineData("a week", 7 * 24 * 60)]
    [InlineData("2h", 120)]
    [InlineData("90 minutes", 90)]
    public void PauseForALength(string typed, int minutes) =>
        Assert.Equal(new PauseFor(TimeSpan.FromMinutes(minutes)), ScheduleCommands.Parse(CommandKind.Pause, typed, Today));

    [Theory]
    [InlineData("until 2026-12-01", 2026, 12, 1)]
    [InlineData("until 1.12.2026", 2026, 12, 1)]
    [InlineData("till 1 dec", 2026, 12, 1)]
    [InlineData("until Dec 1", 2026, 12, 1)]
    [InlineData("until 2 jan", 2027, 1, 2)]
    public void PauseUntilADate(string typed, int year, int month, int day) =>
        Assert.Equal(new PauseUntil(new DateOnly(year, month, day)), ScheduleCommands.Parse(CommandKind.Pause, typed, Today));

    [Theory]
    [InlineData("")]
    [InlineData("forever and ever")]
    [InlineData("until someday")]
    [InlineData("1 fortnight")]
    public void PauseMistakesShowTheForm(string typed)
    {
        var request = Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Pause, typed, Today));

        Assert.Contains("pause 1w", request.Hint.ToString());
    }

    [Fact]
    public void PauseUntilADayName() =>
        Assert.Equal(new PauseUntilDay(DayOfWeek.Monday), ScheduleCommands.Parse(CommandKind.Pause, "until monday", Today));

    [Fact]
    public void HolidaysAcceptListsAndRanges()
    {
        var list = Assert.IsType<AddHolidays>(ScheduleCommands.Parse(CommandKind.Holidays, "add 2026-12-24 2026-12-31", Today));
        Assert.Equal([new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 31)], list.Days);

        foreach (var range in new[] { "add 2026-12-24..2026-12-27", "add 2026-12-24 to 2026-12-27", "add 2026-12-24 - 2026-12-27", "add 24 dec 2026 to 27 dec 2026" })
        {
            var added = ScheduleCommands.Parse(CommandKind.Holidays, range, Today);
            Assert.Equal([new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 26), new DateOnly(2026, 12, 27)], Assert.IsType<AddHolidays>(added).Days);
        }

        Assert.IsType<ShowHolidays>(ScheduleCommands.Parse(CommandKind.Holidays, "", Today));
        Assert.Equal([new DateOnly(2026, 12, 24)], Assert.IsType<RemoveHolidays>(ScheduleCommands.Parse(CommandKind.Holidays, "remove 2026-12-24", Today)).Days);
        Assert.Empty(Assert.IsType<RemoveHolidays>(ScheduleCommands.Parse(CommandKind.Holidays, "remove all", Today)).Days);
    }

    [Theory]
    [InlineData("2026-12-24")]
    [InlineData("add")]
    [InlineData("add christmas")]
    [InlineData("add 2026-12-31..2026-12-24")]
    [InlineData("add 2026-01-01..2028-01-01")]
    [InlineData("add 2026-02-30")]
    public void HolidayMistakesShowTheForm(string typed)
    {
        var request = Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Holidays, typed, Today));

        Assert.Contains("holidays add 2026-12-24", request.Hint.ToString());
    }

    [Theory]
    [InlineData("stretches desk", "desk")]
    [InlineData("stretches floor", "floor")]
    [InlineData("stretches any", "any")]
    [InlineData("desk", "desk")]
    [InlineData("", null)]
    public void NudgeStretchKinds(string typed, string? kinds) =>
        Assert.Equal(new SetStretchKinds(kinds), ScheduleCommands.Parse(CommandKind.Nudge, typed, Today));

    [Fact]
    public void NudgeKindsMistake() =>
        Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Nudge, "stretches yoga", Today));

    [Theory]
    [InlineData("10m", 10)]
    [InlineData("10", 10)]
    [InlineData("15 minutes", 15)]
    [InlineData("off", 0)]
    [InlineData("", null)]
    public void Jitter(string typed, int? minutes) =>
        Assert.Equal(new SetJitter(minutes), ScheduleCommands.Parse(CommandKind.Jitter, typed, Today));

    [Fact]
    public void JitterMistake() =>
        Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Jitter, "a bit", Today));

    [Fact]
    public void RemindMe()
    {
        var set = Assert.IsType<SetReminder>(ScheduleCommands.Parse(CommandKind.Remind, "me weekdays 11:00", Today));
        Assert.Equal("weekdays 11:00", set.Shape.Text);
        Assert.IsType<ReminderOff>(ScheduleCommands.Parse(CommandKind.Remind, "me off", Today));
        Assert.IsType<ShowReminder>(ScheduleCommands.Parse(CommandKind.Remind, "me", Today));
        Assert.IsType<ScheduleMistakeRequest>(ScheduleCommands.Parse(CommandKind.Remind, "me sometimes", Today));
    }

    [Theory]
    [InlineData("schedule weekdays 10:30", CommandKind.Schedule)]
    [InlineData("timezone Europe/Berlin", CommandKind.TimeZone)]
    [InlineData("pause 1w", CommandKind.Pause)]
    [InlineData("resume", CommandKind.Resume)]
    [InlineData("holidays add 2026-12-24", CommandKind.Holidays)]
    [InlineData("nudge stretches floor", CommandKind.Nudge)]
    [InlineData("jitter 10m", CommandKind.Jitter)]
    [InlineData("remind me weekdays 11:00", CommandKind.Remind)]
    public void TheCommandWordsAreKnown(string text, CommandKind kind)
    {
        var command = Commands.Parse(text);

        Assert.Equal(kind, command.Kind);
        Assert.True(ScheduleCommands.IsScheduling(command.Kind));
    }

    [Theory]
    [InlineData("what is our schedule")]
    [InlineData("show me the schedule")]
    public void ASentenceAboutTheScheduleShowsIt(string text)
    {
        var command = Commands.Parse(text);

        Assert.Equal(CommandKind.Schedule, command.Kind);
        Assert.IsType<ShowSchedule>(ScheduleCommands.Parse(command.Kind, command.Typed.Length > 0 ? command.Typed : command.Argument, Today));
    }

    [Fact]
    public void ChangingWordsInsideASentenceChangeNothing() =>
        Assert.NotEqual(CommandKind.Pause, Commands.Parse("let's not pause now").Kind);
}
