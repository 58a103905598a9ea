using System.Text.RegularExpressions;
using StretchBot.Conversation;

namespace StretchBot.Scheduling;

/// <summary>What a person asked of the schedule: read strictly out of their words, acted on by <see cref="ScheduleConversation"/>.</summary>
public abstract record ScheduleRequest
{
    /// <summary>Whether it changes something (and so needs permission where only owners may change schedules).</summary>
    public virtual bool Changes => true;
}

public sealed record ShowSchedule : ScheduleRequest
{
    public override bool Changes => false;
}

public sealed record SetSchedule(ScheduleShape Shape, bool DaysGiven) : ScheduleRequest;

public sealed record ScheduleOff : ScheduleRequest;

public sealed record RestoreSchedule : ScheduleRequest;

public sealed record ShowTimeZone : ScheduleRequest
{
    public override bool Changes => false;
}

/// <param name="ZoneId">A zone id this machine knows (IANA where there is one), or null to go back to the zone of who set the schedule.</param>
public sealed record SetTimeZone(string? ZoneId) : ScheduleRequest;

public sealed record PauseFor(TimeSpan Length) : ScheduleRequest;

public sealed record PauseUntil(DateOnly Date) : ScheduleRequest;

/// <summary>"pause until friday": the next such day after today, in the schedule's zone.</summary>
public sealed record PauseUntilDay(DayOfWeek Day) : ScheduleRequest;

public sealed record ResumeSchedule : ScheduleRequest;

public sealed record ShowHolidays : ScheduleRequest
{
    public override bool Changes => false;
}

public sealed record AddHolidays(IReadOnlyList<DateOnly> Days) : ScheduleRequest;

/// <param name="Days">The days to remove; empty means all of them.</param>
public sealed record RemoveHolidays(IReadOnlyList<DateOnly> Days) : ScheduleRequest;

/// <param name="Kinds">desk, floor, gym or any; null shows the current setting.</param>
public sealed record SetStretchKinds(string? Kinds) : ScheduleRequest
{
    public override bool Changes => Kinds is not null;
}

/// <param name="Minutes">0 turns jitter off; null shows the current setting.</param>
public sealed record SetJitter(int? Minutes) : ScheduleRequest
{
    public override bool Changes => Minutes is not null;
}

public sealed record ShowReminder : ScheduleRequest
{
    public override bool Changes => false;
}

public sealed record SetReminder(ScheduleShape Shape, bool DaysGiven) : ScheduleRequest;

public sealed record ReminderOff : ScheduleRequest;

/// <summary>What was typed can't be read: the reply says what is wrong and shows the right form with an example.</summary>
public sealed record ScheduleMistakeRequest(string Title, Said Text, Said Hint) : ScheduleRequest
{
    public override bool Changes => false;
}

/// <summary>Reads the scheduling commands (schedule, timezone, pause, resume, holidays, nudge, jitter, remind me).</summary>
public static partial class ScheduleCommands
{
    /// <summary>Holidays at once: a year of days is plenty, and a typo like 2026..2062 is not a holiday.</summary>
    public const int MaxHolidays = 366;

    public const string ScheduleExamples = "For example `schedule weekdays 10:30 15:00`, `schedule mon wed fri 11:00` or `schedule every 90m 9:00-17:00 mon-fri`.";

    public static bool IsScheduling(CommandKind kind) => kind is CommandKind.Schedule or CommandKind.TimeZone or CommandKind.Pause or CommandKind.Resume
        or CommandKind.Holidays or CommandKind.Nudge or CommandKind.Jitter or CommandKind.Remind;

    /// <param name="kind">The command word's kind.</param>
    /// <param name="typed">The rest of the text as typed (case kept: zone ids).</param>
    /// <param name="today">Today where the schedule lives, for dates written without a year.</param>
    public static ScheduleRequest Parse(CommandKind kind, string typed, DateOnly today)
    {
        var text = Said.OneLine(typed).Trim();
        var tokens = ScheduleText.Tokens(text);
        return kind switch
        {
            CommandKind.Schedule => Schedule(text, tokens),
            CommandKind.TimeZone => TimeZone(text),
            CommandKind.Pause => Pause(tokens, today),
            CommandKind.Resume => tokens.Count == 0 || tokens is ["schedule" or "nudges" or "now"] ? new ResumeSchedule() : Mistake("Just `resume`", "`resume` starts the nudges again, right away.", "Type `resume`."),
            // "24 dec - 31 dec" and "2026-12-24 .. 2026-12-31" are ranges: spaced, the dash or dots stand alone as "to".
            CommandKind.Holidays => Holidays(ScheduleText.Tokens(SpacedRange().Replace(text, " to ")), today),
            CommandKind.Nudge => Kinds(tokens),
            CommandKind.Jitter => Jitter(tokens),
            CommandKind.Remind => Reminder(tokens),
            _ => new ShowSchedule(),
        };
    }

    private static ScheduleRequest Schedule(string text, List<string> tokens)
    {
        switch (tokens)
        {
            case []:
            case ["show" or "status" or "info" or "list" or "?"]:
                return new ShowSchedule();
            case ["off" or "stop" or "none" or "clear" or "cancel" or "disable" or "delete" or "remove"]:
                return new ScheduleOff();
            case ["restore" or "restart" or "back" or "undo"]:
                return new RestoreSchedule();
        }

        var shape = ScheduleText.Parse(text, out var mistake, out var daysGiven);
        return shape is null ? Mistake(mistake!, "Type `schedule` and then the days and times. " + ScheduleExamples) : new SetSchedule(shape, daysGiven);
    }

    private static ScheduleRequest Reminder(List<string> tokens)
    {
        // "remind me weekdays 11:00": the "me" is part of the command, not the schedule.
        var rest = tokens is ["me", ..] ? tokens[1..] : tokens;
        switch (rest)
        {
            case []:
            case ["show" or "status" or "?"]:
                return new ShowReminder();
            case ["off" or "stop" or "none" or "clear" or "cancel" or "never" or "disable"]:
                return new ReminderOff();
        }

        var shape = ScheduleText.Parse(string.Join(' ', rest), out var mistake, out var daysGiven);
        return shape is null ? Mistake(mistake!, "Type `remind me` and then the days and times, for example `remind me weekdays 11:00`.") : new SetReminder(shape, daysGiven);
    }

    private static ScheduleRequest TimeZone(string text)
    {
        var id = text.Trim().Trim('"', '\'', '`');
        if (id.Length == 0 || id.Equals("show", StringComparison.OrdinalIgnoreCase))
        {
            return new ShowTimeZone();
        }

        if (id.ToLowerInvariant() is "reset" or "auto" or "default" or "off" or "clear" or "mine")
        {
            return new SetTimeZone(null);
        }

        return ZoneIds.Find(id) is { } zone
            ? new SetTimeZone(zone)
            : new ScheduleMistakeRequest("I don't know that time zone", $"There's no time zone called \"{id}\".",
                "Use an IANA name such as `timezone Europe/Berlin`, `timezone America/New_York` or `timezone Asia/Kolkata`.");
    }

    private static ScheduleRequest Pause(List<string> tokens, DateOnly today)
    {
        const string Form = "Type `pause 1w`, `pause 3d` or `pause until 2026-12-01`; `resume` starts again.";
        var rest = tokens is ["for", ..] ? tokens[1..] : tokens;
        if (rest.Count == 0)
        {
            return Mistake("For how long?", "Say how long to pause the nudges.", Form);
        }

        if (rest[0] is "until" or "till" or "til" or "to")
        {
            var when = string.Join(' ', rest.Skip(1));
            if (rest.Count == 2 && DayOfWeekOf(rest[1]) is { } day)
            {
                return new PauseUntilDay(day);
            }

            return ScheduleText.ParseDate(when, today) is { } date
                ? new PauseUntil(date)
                : new ScheduleMistakeRequest("I didn't get that date", $"I couldn't read \"{when}\" as a date.", Form);
        }

        var (length, used) = ScheduleText.ParseLength(rest, 0);
        if (length is null || used != rest.Count)
        {
            return new ScheduleMistakeRequest("I didn't get how long", $"I couldn't read \"{string.Join(' ', rest)}\" as a length of time.", Form);
        }

        return new PauseFor(length.Value);
    }

    private static ScheduleRequest Holidays(List<string> tokens, DateOnly today)
    {
        const string Form = "Type `holidays add 2026-12-24 2026-12-31`, a range like `holidays add 2026-12-24..2026-12-31`, or `holidays remove 2026-12-24`.";
        if (tokens.Count == 0 || tokens is ["show" or "list"])
        {
            return new ShowHolidays();
        }

        var remove = tokens[0] is "remove" or "delete" or "del" or "rm" or "drop" or "clear";
        if (!remove && tokens[0] is not ("add" or "set" or "+"))
        {
            return Mistake("Add or remove?", "Say whether to add or remove holidays.", Form);
        }

        var rest = tokens.Skip(1).ToList();
        if (remove && (rest.Count == 0 && tokens[0] == "clear" || rest is ["all"]))
        {
            return new RemoveHolidays([]);
        }

        var days = new SortedSet<DateOnly>();
        for (var i = 0; i < rest.Count; i++)
        {
            var token = rest[i];
            if (token is "and" or "&" or "on")
            {
                continue;
            }

            // 2026-12-24..2026-12-31, 2026-12-24 to 2026-12-31, 2026-12-24-2026-12-31, 24 dec 2026 to 27 dec 2026.
            var (from, until) = SplitRange(token);
            DateOnly? first, last;
            if (until is null)
            {
                first = TakeDate(rest, ref i, today, out from);
                last = first;
                if (first is not null && i + 2 < rest.Count && rest[i + 1] is "to" or "until" or "till" or "through" or "thru" or "-" or "..")
                {
                    i += 2;
                    last = TakeDate(rest, ref i, today, out var typedUntil);
                    until = typedUntil;
                }
            }
            else
            {
                first = ScheduleText.ParseDate(from, today);
                last = ScheduleText.ParseDate(until, today);
            }

            if (first is null || last is null)
            {
                return new ScheduleMistakeRequest("I didn't get that date", $"I couldn't read \"{(first is null ? from : until)}\" as a date.", Form);
            }

            if (last < first)
            {
                return new ScheduleMistakeRequest("That range runs backwards", $"\"{token}\" ends before it starts.", Form);
            }

            if (last.Value.DayNumber - first.Value.DayNumber >= MaxHolidays)
            {
                return Mistake("That's a long holiday", $"Up to {MaxHolidays} days at once; to stop the nudges for good, type `schedule off`.", Form);
            }

            for (var day = first.Value; day <= last.Value; day = day.AddDays(1))
            {
                days.Add(day);
            }
        }

        if (days.Count == 0)
        {
            return Mistake("Which days?", "Give the dates, year first.", Form);
        }

        if (days.Count > MaxHolidays)
        {
            return Mistake("That's a lot of holidays", $"Up to {MaxHolidays} at once.", Form);
        }

        return remove ? new RemoveHolidays(days.ToList()) : new AddHolidays(days.ToList());
    }

    private static ScheduleRequest Kinds(List<string> tokens)
    {
        const string Form = "Type `nudge stretches desk` (the default), `nudge stretches floor` or `nudge stretches any`.";
        var rest = tokens.Where(t => t is not ("stretches" or "stretch" or "kinds" or "kind" or "with" or "only" or "type" or "types")).ToList();
        return rest switch
        {
            [] => new SetStretchKinds(null),
            ["desk" or "desks" or "office" or "chair" or "sitting" or "seated"] => new SetStretchKinds("desk"),
            ["floor" or "mat" or "floors"] => new SetStretchKinds("floor"),
            ["gym"] => new SetStretchKinds("gym"),
            ["any" or "all" or "anything" or "everything" or "every" or "mixed"] => new SetStretchKinds("any"),
            _ => new ScheduleMistakeRequest("Which stretches?", $"I don't know stretches for \"{string.Join(' ', rest)}\".", Form),
        };
    }

    private static ScheduleRequest Jitter(List<string> tokens)
    {
        const string Form = "Type `jitter 10m` so nudges land up to 10 minutes later, or `jitter off`.";
        switch (tokens)
        {
            case []:
                return new SetJitter(null);
            case ["off" or "none" or "0" or "0m" or "no" or "stop"]:
                return new SetJitter(0);
        }

        var (length, used) = ScheduleText.ParseLength(tokens, 0);
        if (length is null && tokens.Count == 1 && int.TryParse(tokens[0], out var bare) && bare is > 0 and <= 1440)
        {
            length = TimeSpan.FromMinutes(bare);
            used = 1;
        }

        return length is null || used != tokens.Count
            ? new ScheduleMistakeRequest("I didn't get that jitter", $"I couldn't read \"{string.Join(' ', tokens)}\" as minutes.", Form)
            : new SetJitter((int)length.Value.TotalMinutes);
    }

    /// <summary>The longest date starting at <paramref name="i"/> ("24 dec 2026" is three tokens); moves i to its last token.</summary>
    private static DateOnly? TakeDate(List<string> tokens, ref int i, DateOnly today, out string typed)
    {
        for (var length = Math.Min(3, tokens.Count - i); length >= 1; length--)
        {
            typed = string.Join(' ', tokens.Skip(i).Take(length));
            if (ScheduleText.ParseDate(typed, today) is { } date)
            {
                i += length - 1;
                return date;
            }
        }

        typed = tokens[i];
        return null;
    }

    private static (string From, string? Until) SplitRange(string token)
    {
        var dots = token.IndexOf("..", StringComparison.Ordinal);
        if (dots > 0)
        {
            return (token[..dots], token[(dots + 2)..]);
        }

        var iso = IsoRange().Match(token);
        return iso.Success ? (iso.Groups[1].Value, iso.Groups[2].Value) : (token, null);
    }

    private static DayOfWeek? DayOfWeekOf(string word) => word switch
    {
        "mon" or "monday" => DayOfWeek.Monday,
        "tue" or "tues" or "tuesday" => DayOfWeek.Tuesday,
        "wed" or "wednesday" => DayOfWeek.Wednesday,
        "thu" or "thur" or "thurs" or "thursday" => DayOfWeek.Thursday,
        "fri" or "friday" => DayOfWeek.Friday,
        "sat" or "saturday" => DayOfWeek.Saturday,
        "sun" or "sunday" => DayOfWeek.Sunday,
        _ => null,
    };

    private static ScheduleMistakeRequest Mistake(string title, string text, string hint) => new(title, text, hint);

    private static ScheduleMistakeRequest Mistake(ScheduleMistake mistake, string hint)
    {
        Said text;
        if (mistake.Echo is { } echo && mistake.Problem.IndexOf("{0}", StringComparison.Ordinal) is var at and >= 0)
        {
            // Our words around theirs: the literal parts are ours, the one formatted part is the person's.
            text = new Said(mistake.Problem.Length, 1);
            text.AppendLiteral(mistake.Problem[..at] + "\"");
            text.AppendFormatted(echo);
            text.AppendLiteral("\"" + mistake.Problem[(at + 3)..]);
        }
        else
        {
            text = mistake.Problem;
        }

        return new ScheduleMistakeRequest(mistake.Title, text, hint);
    }

    [GeneratedRegex(@"^(\d{4}-\d{1,2}-\d{1,2})-(\d{4}-\d{1,2}-\d{1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoRange();

    [GeneratedRegex(@"\s+(?:-|–|—|\.{2,3})\s+|(?<=\d)\s*\.{2,3}\s*(?=\d)", RegexOptions.CultureInvariant)]
    private static partial Regex SpacedRange();
}

/// <summary>Time zone ids as people type them: IANA in any case, with spaces for underscores, or Windows ids.</summary>
public static class ZoneIds
{
    private static readonly Lazy<Dictionary<string, string>> Known = new(() =>
    {
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones())
        {
            ids.TryAdd(zone.Id, zone.Id);
        }

        return ids;
    });

    /// <summary>The id to store for what was typed (IANA where the machine has one), or null when unknown.</summary>
    public static string? Find(string typed)
    {
        var id = typed.Trim();
        if (id.Length is 0 or > 64)
        {
            return null;
        }

        if (id.Equals("utc", StringComparison.OrdinalIgnoreCase) || id.Equals("gmt", StringComparison.OrdinalIgnoreCase))
        {
            return "UTC";
        }

        foreach (var candidate in new[] { id, id.Replace(' ', '_') })
        {
            if (Known.Value.TryGetValue(candidate, out var known))
            {
                return known;
            }

            if (TimeZoneInfo.TryConvertWindowsIdToIanaId(candidate, out var iana) && TimeZoneInfo.TryFindSystemTimeZoneById(iana, out _))
            {
                return iana;
            }

            if (TimeZoneInfo.TryFindSystemTimeZoneById(candidate, out var zone))
            {
                return zone.HasIanaId ? zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var converted) ? converted : zone.Id;
            }
        }

        return null;
    }
}
