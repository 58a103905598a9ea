using System.Globalization;
using System.Text.RegularExpressions;

namespace StretchBot.Scheduling;

/// <summary>
/// When nudges are due, without a zone: fixed <see cref="Times"/> on <see cref="Days"/>, or every
/// <see cref="Interval"/> from <see cref="From"/> to <see cref="Until"/>. <see cref="Text"/> is its canonical text,
/// stored in schedules.spec, and <see cref="ScheduleText.Parse"/> reads it back to the same shape.
/// </summary>
public sealed record ScheduleShape(IReadOnlyList<DayOfWeek> Days, IReadOnlyList<TimeOnly> Times, TimeSpan? Interval, TimeOnly From, TimeOnly Until)
{
    public static readonly TimeOnly EndOfDay = new(23, 59);

    public bool IsEvery => Interval is not null;

    /// <summary>The spec in a zone (an IANA or Windows id this machine knows).</summary>
    public ScheduleSpec ToSpec(string timeZoneId) => Interval is { } interval
        ? ScheduleSpec.Every(interval, From, Until, Days, timeZoneId)
        : ScheduleSpec.At(Days, Times, timeZoneId);

    /// <summary>The shortest time between two nudges (over midnight too: 23:50 and 0:05): what the minimum interval is checked against.</summary>
    public TimeSpan ShortestGap => Interval is { } every
        // The window's last nudge and the next day's first are neighbours too: every 1425m 0:00-23:45 is 15 minutes apart at midnight.
        ? new[] { every, TimeSpan.FromDays(1) - LastInWindow(every) }.Min()
        : Times.Count < 2 ? TimeSpan.FromDays(1) : Times.Zip(Times.Skip(1), (a, b) => b - a).Append(TimeSpan.FromDays(1) - (Times[^1] - Times[0])).Min();

    /// <summary>How long after the window's start its last nudge falls (whole steps of the interval that fit).</summary>
    private TimeSpan LastInWindow(TimeSpan every) => every * Math.Floor((Until - From) / every);

    /// <summary>The canonical text: "weekdays 10:30 15:00", "mon wed fri 11:00", "every 90m 09:00-17:00 weekdays".</summary>
    public string Text => Interval is { } every
        ? $"every {(int)every.TotalMinutes}m {Clock(From)}-{Clock(Until)} {ScheduleText.DaysText(Days)}"
        : $"{ScheduleText.DaysText(Days)} {string.Join(' ', Times.Select(Clock))}";

    /// <summary>In words, for people: "Weekdays (Mon–Fri) at 10:30 and 15:00", "Every 90 minutes from 9:00 to 17:00, every day".</summary>
    public string Words => Interval is { } every
        ? $"Every {ScheduleText.Duration(every)} {(From == TimeOnly.MinValue && Until == EndOfDay ? "all day" : $"from {Clock(From)} to {Clock(Until)}")}, {ScheduleText.DaysWords(Days).ToLowerInvariant()}"
        : $"{ScheduleText.DaysWords(Days)} at {ScheduleText.List(Times.Select(Clock).ToList())}";

    private static string Clock(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>Why a schedule text could not be read, in our words; <see cref="Echo"/> is the person's word, shown where the problem says {0}.</summary>
public sealed record ScheduleMistake(string Title, string Problem, string? Echo = null);

/// <summary>
/// Reads the "when" of a schedule as people type it: "weekdays 10:30 15:00", "mon wed fri 11:00", "every 90m
/// 9:00-17:00 mon-fri", forgiving about form (10:30, 10.30, 9am, 3pm, 15h, "and" and commas between times, day names
/// and ranges, weekdays, weekends, daily). Strict about meaning: an unknown word is a mistake, never skipped.
/// </summary>
public static partial class ScheduleText
{
    /// <summary>More times a day than this is not a stretch break any more.</summary>
    public const int MaxTimes = 24;

    private static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    private static readonly Dictionary<string, DayOfWeek> DayNames = new(StringComparer.Ordinal)
    {
        ["mo"] = DayOfWeek.Monday, ["mon"] = DayOfWeek.Monday, ["monday"] = DayOfWeek.Monday, ["mondays"] = DayOfWeek.Monday,
        ["tu"] = DayOfWeek.Tuesday, ["tue"] = DayOfWeek.Tuesday, ["tues"] = DayOfWeek.Tuesday, ["tuesday"] = DayOfWeek.Tuesday, ["tuesdays"] = DayOfWeek.Tuesday,
        ["we"] = DayOfWeek.Wednesday, ["wed"] = DayOfWeek.Wednesday, ["weds"] = DayOfWeek.Wednesday, ["wednesday"] = DayOfWeek.Wednesday, ["wednesdays"] = DayOfWeek.Wednesday,
        ["th"] = DayOfWeek.Thursday, ["thu"] = DayOfWeek.Thursday, ["thur"] = DayOfWeek.Thursday, ["thurs"] = DayOfWeek.Thursday, ["thursday"] = DayOfWeek.Thursday, ["thursdays"] = DayOfWeek.Thursday,
        ["fr"] = DayOfWeek.Friday, ["fri"] = DayOfWeek.Friday, ["friday"] = DayOfWeek.Friday, ["fridays"] = DayOfWeek.Friday,
        ["sa"] = DayOfWeek.Saturday, ["sat"] = DayOfWeek.Saturday, ["saturday"] = DayOfWeek.Saturday, ["saturdays"] = DayOfWeek.Saturday,
        ["su"] = DayOfWeek.Sunday, ["sun"] = DayOfWeek.Sunday, ["sunday"] = DayOfWeek.Sunday, ["sundays"] = DayOfWeek.Sunday,
    };

    private static readonly Dictionary<string, DayOfWeek[]> DayGroups = new(StringComparer.Ordinal)
    {
        ["weekdays"] = Week[..5], ["weekday"] = Week[..5], ["workdays"] = Week[..5], ["workday"] = Week[..5], ["working-days"] = Week[..5],
        ["weekends"] = Week[5..], ["weekend"] = Week[5..],
        ["daily"] = Week, ["everyday"] = Week, ["day"] = Week, ["days"] = Week,
    };

    // Words that read naturally between the parts and change nothing: "at 10:30 and 15:00 on mon and fri".
    private static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "at", "on", "and", "&", "+", "from", "between", "only", "each", "of", "the", "a", "in", "for", "us", "please",
        // "schedule a stretch weekdays at 10:30": what is scheduled is always a stretch.
        "stretch", "stretches", "break", "breaks", "nudge", "nudges",
    };

    // Not "and": "wednesday and friday" is two days, not three.
    private static readonly HashSet<string> RangeWords = new(StringComparer.Ordinal) { "to", "until", "till", "til", "through", "thru", "-" };

    /// <summary>Reads a schedule. <paramref name="daysGiven"/> says whether the text named days (none means every day).</summary>
    public static ScheduleShape? Parse(string text, out ScheduleMistake? mistake, out bool daysGiven)
    {
        daysGiven = false;
        var tokens = Tokens(text);
        var days = new SortedSet<DayOfWeek>(Comparer<DayOfWeek>.Create((a, b) => Order(a).CompareTo(Order(b))));
        var times = new SortedSet<TimeOnly>();
        TimeSpan? interval = null;
        (TimeOnly From, TimeOnly Until)? window = null;

        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token == "every" || token == "each")
            {
                // "every day", "every monday", "every weekday" name days; "every 90m", "every hour" an interval.
                if (i + 1 < tokens.Count && (DayGroups.ContainsKey(tokens[i + 1]) || DayNames.ContainsKey(tokens[i + 1])))
                {
                    continue;
                }

                if (interval is not null)
                {
                    mistake = new ScheduleMistake("One interval is enough", "A schedule has one `every`.");
                    return null;
                }

                var (parsed, used) = ParseInterval(tokens, i + 1);
                if (parsed is null)
                {
                    mistake = new ScheduleMistake("How often?", "After `every`, say how often with a unit: `every 90m`, `every 2h`, `every hour`.");
                    return null;
                }

                interval = parsed;
                i += used;
                continue;
            }

            if (Filler.Contains(token))
            {
                continue;
            }

            if (DayGroups.TryGetValue(token, out var group))
            {
                days.UnionWith(group);
                daysGiven = true;
                continue;
            }

            if (DayRange(token) is { } range)
            {
                days.UnionWith(range);
                daysGiven = true;
                continue;
            }

            if (DayNames.TryGetValue(token, out var day))
            {
                // "mon to fri", "mon - fri", "mon through fri".
                if (i + 2 < tokens.Count && RangeWords.Contains(tokens[i + 1]) && DayNames.TryGetValue(tokens[i + 2], out var last))
                {
                    days.UnionWith(Between(day, last));
                    i += 2;
                }
                else
                {
                    days.Add(day);
                }

                daysGiven = true;
                continue;
            }

            if (BareHourIn(token) is { } bareInRange && TimeRange(token) is not null)
            {
                mistake = MorningOrAfternoon(bareInRange);
                return null;
            }

            if (TimeRange(token) is { } joined)
            {
                if (window is not null)
                {
                    mistake = new ScheduleMistake("One window is enough", "Give one daily window, for example `9:00-17:00`.");
                    return null;
                }

                window = joined;
                continue;
            }

            if (ParseTime(token) is { } time)
            {
                // "10:30 and 3" is not 3 in the morning: a bare 1 to 7 is refused rather than guessed (8 to 23 read as 24-hour).
                var endsAt = i + 2 < tokens.Count && (RangeWords.Contains(tokens[i + 1]) || (interval is not null && tokens[i + 1] == "and")) && ParseTime(tokens[i + 2]) is not null
                    ? tokens[i + 2]
                    : null;
                if ((BareHour(token) ?? (endsAt is null ? null : BareHour(endsAt))) is { } bare)
                {
                    mistake = MorningOrAfternoon(bare);
                    return null;
                }

                // "9:00 to 17:00", "between 9 and 17": a window when an interval asks for one.
                if (i + 2 < tokens.Count && RangeWords.Contains(tokens[i + 1]) && ParseTime(tokens[i + 2]) is { } end)
                {
                    if (window is not null)
                    {
                        mistake = new ScheduleMistake("One window is enough", "Give one daily window, for example `9:00-17:00`.");
                        return null;
                    }

                    window = (time, end);
                    i += 2;
                    continue;
                }

                if (interval is not null && window is null && i + 2 < tokens.Count && tokens[i + 1] == "and" && ParseTime(tokens[i + 2]) is { } and)
                {
                    window = (time, and);
                    i += 2;
                    continue;
                }

                times.Add(time);
                continue;
            }

            mistake = LooksLikeTime(token)
                ? new ScheduleMistake("That time doesn't exist", "There's no time {0}: times go from `0:00` to `23:59`, or `12am` to `11:59pm`.", token)
                : new ScheduleMistake("I didn't get that schedule", "I don't know a day or time called {0}.", token);
            return null;
        }

        var dayList = days.Count == 0 ? Week.ToList() : days.ToList();
        if (interval is { } every)
        {
            if (times.Count > 0)
            {
                mistake = new ScheduleMistake("Times or an interval, not both", "Use fixed times (`weekdays 10:30 15:00`) or an interval with a window (`every 90m 9:00-17:00`).");
                return null;
            }

            var (from, until) = window ?? (TimeOnly.MinValue, ScheduleShape.EndOfDay);
            if (until <= from)
            {
                mistake = new ScheduleMistake("The window runs backwards", "The window starts before it ends on the same day, for example `9:00-17:00`.");
                return null;
            }

            if (every >= TimeSpan.FromDays(1))
            {
                mistake = new ScheduleMistake("That interval is too long", "An interval is under a day; for once a day, give a time: `weekdays 10:30`.");
                return null;
            }

            mistake = null;
            return new ScheduleShape(dayList, [], every, from, until);
        }

        if (window is not null)
        {
            mistake = new ScheduleMistake("A window needs an interval", "A window like `9:00-17:00` goes with `every`: `every 90m 9:00-17:00`.");
            return null;
        }

        if (times.Count == 0)
        {
            mistake = new ScheduleMistake("What time?", "A schedule needs at least one time of day.");
            return null;
        }

        if (times.Count > MaxTimes)
        {
            mistake = new ScheduleMistake("That's a lot of nudges", $"Up to {MaxTimes} times a day.");
            return null;
        }

        mistake = null;
        return new ScheduleShape(dayList, times.ToList(), null, TimeOnly.MinValue, TimeOnly.MinValue);
    }

    /// <summary>Reads a stored canonical spec back; null only when the stored text is broken.</summary>
    public static ScheduleShape? ParseStored(string spec) => Parse(spec, out _, out _);

    /// <summary>A time of day as people type it: 10:30, 10.30, 9am, 3pm, 3:30pm, 15h, 15h30, 1030, noon.</summary>
    public static TimeOnly? ParseTime(string token)
    {
        switch (token)
        {
            case "noon" or "midday":
                return new TimeOnly(12, 0);
            case "midnight":
                return TimeOnly.MinValue;
        }

        var match = TimePattern().Match(token);
        if (!match.Success)
        {
            return null;
        }

        var hour = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        if (match.Groups["ap"].Success)
        {
            if (hour is < 1 or > 12)
            {
                return null;
            }

            var pm = match.Groups["ap"].Value.StartsWith('p');
            hour = (hour % 12) + (pm ? 12 : 0);
        }

        return hour is >= 0 and <= 23 && minute is >= 0 and <= 59 ? new TimeOnly(hour, minute) : null;
    }

    /// <summary>A length of time: 90m, 90 min, 2h, 1h30, 1.5h, 3d, 1w, "an hour". Returns it and how many tokens it took.</summary>
    public static (TimeSpan? Length, int Used) ParseLength(IReadOnlyList<string> tokens, int start)
    {
        if (start >= tokens.Count)
        {
            return (null, 0);
        }

        var first = tokens[start];
        if (first is "hour" or "hourly")
        {
            return (TimeSpan.FromHours(1), 1);
        }

        if (first is "day")
        {
            return (TimeSpan.FromDays(1), 1);
        }

        if (first is "week")
        {
            return (TimeSpan.FromDays(7), 1);
        }

        if (first is "month")
        {
            return (TimeSpan.FromDays(30), 1);
        }

        if ((first is "an" or "a") && start + 1 < tokens.Count && ParseLength(tokens, start + 1) is { Length: not null } one)
        {
            return (one.Length, one.Used + 1);
        }

        var combined = HoursMinutesPattern().Match(first);
        if (combined.Success)
        {
            return (TimeSpan.FromHours(int.Parse(combined.Groups["h"].Value, CultureInfo.InvariantCulture))
                + TimeSpan.FromMinutes(int.Parse(combined.Groups["m"].Value, CultureInfo.InvariantCulture)), 1);
        }

        var match = LengthPattern().Match(first);
        if (!match.Success)
        {
            return (null, 0);
        }

        var used = 1;
        var unit = match.Groups["u"].Value;
        if (unit.Length == 0 && start + 1 < tokens.Count && Unit(tokens[start + 1]) is not null)
        {
            unit = tokens[start + 1];
            used = 2;
        }

        if (Unit(unit) is not { } size || !double.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) || count <= 0 || count > 10_000)
        {
            return (null, 0);
        }

        // Whole minutes: 1.5h is 90 minutes, 0.1h is 6.
        var minutes = Math.Round(count * size.TotalMinutes);
        return minutes < 1 ? (null, 0) : (TimeSpan.FromMinutes(minutes), used);
    }

    private const int LeapYear = 2000;

    /// <summary>A date as people type it: 2026-12-24, 24.12.2026, 24/12/2026 (day first), "24 dec", "dec 24" (the next one from <paramref name="today"/>).</summary>
    public static DateOnly? ParseDate(string text, DateOnly today)
    {
        text = text.Trim().TrimEnd(',');
        string[] formats = ["yyyy-MM-dd", "yyyy-M-d", "d.M.yyyy", "d/M/yyyy", "d.M.yy", "d-M-yyyy", "d MMM yyyy", "d MMMM yyyy", "MMM d yyyy", "MMMM d yyyy", "MMM d, yyyy"];
        if (DateOnly.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var exact))
        {
            return exact;
        }

        // Without a year, read it in a leap year (a parse with no year would take the year from the system clock, and
        // 29 Feb would fail in three years of four), then place it on today's calendar: this year, or the next year the
        // day exists once it has passed.
        string[] yearless = ["d MMM", "d MMMM", "MMM d", "MMMM d", "d.M", "d.M."];
        foreach (var format in yearless)
        {
            if (DateOnly.TryParseExact(text + " " + LeapYear, format + " yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var inLeapYear))
            {
                for (var year = today.Year; year <= today.Year + 8 && year <= DateOnly.MaxValue.Year; year++)
                {
                    if (inLeapYear.Day <= DateTime.DaysInMonth(year, inLeapYear.Month) && new DateOnly(year, inLeapYear.Month, inLeapYear.Day) is var date && date >= today)
                    {
                        return date;
                    }
                }

                return null;
            }
        }

        return null;
    }

    /// <summary>A bare hour that could be morning or afternoon: "3" (not "3pm", "3:00", "15" or "03").</summary>
    private static int? BareHour(string token) => token.Length == 1 && token[0] is >= '1' and <= '7' ? token[0] - '0' : null;

    private static int? BareHourIn(string range)
    {
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? BareHour(range[..dash]) ?? BareHour(range[(dash + 1)..]) : null;
    }

    private static ScheduleMistake MorningOrAfternoon(int hour) => new(
        "Morning or afternoon?",
        $"Is {hour} in the afternoon or the morning? Did you mean `{hour}pm` ({hour + 12}:00) or `{hour}am`?");

    internal static string DaysText(IReadOnlyCollection<DayOfWeek> days) => Key(days) switch
    {
        "1111111" => "daily",
        "1111100" => "weekdays",
        "0000011" => "weekends",
        _ => string.Join(' ', Week.Where(days.Contains).Select(d => d.ToString()[..3].ToLowerInvariant())),
    };

    internal static string DaysWords(IReadOnlyCollection<DayOfWeek> days) => Key(days) switch
    {
        "1111111" => "Every day",
        "1111100" => "Weekdays (Mon–Fri)",
        "0000011" => "Weekends (Sat–Sun)",
        _ when days.Count == 1 => $"{days.First()}s",
        _ => List(Week.Where(days.Contains).Select(d => d.ToString()[..3]).ToList()),
    };

    /// <summary>"90 minutes", "2 hours", "1 hour 30 minutes".</summary>
    public static string Duration(TimeSpan length)
    {
        var hours = (int)length.TotalHours;
        var minutes = length.Minutes;
        var parts = new List<string>();
        if (length.Days > 0 && length.Hours == 0 && minutes == 0)
        {
            return length.Days == 7 ? "1 week" : length.Days == 1 ? "1 day" : $"{length.Days} days";
        }

        if (hours > 0 && minutes != 0 && length.TotalMinutes < 120)
        {
            return $"{(int)length.TotalMinutes} minutes";
        }

        if (hours > 0)
        {
            parts.Add(hours == 1 ? "1 hour" : $"{hours} hours");
        }

        if (minutes > 0 || parts.Count == 0)
        {
            parts.Add(minutes == 1 ? "1 minute" : $"{minutes} minutes");
        }

        return string.Join(' ', parts);
    }

    internal static string List(IReadOnlyList<string> items) => items.Count switch
    {
        0 => string.Empty,
        1 => items[0],
        _ => $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}",
    };

    /// <summary>Lower case, commas and semicolons as spaces, "9 am" as "9am", en and em dashes as hyphens.</summary>
    public static List<string> Tokens(string text)
    {
        var cleaned = text.ToLowerInvariant().Replace('–', '-').Replace('—', '-').Replace(',', ' ').Replace(';', ' ');
        // "9:00 - 17:00" reads as one window, like "9:00-17:00".
        cleaned = SpacedDash().Replace(cleaned, "-");
        var raw = cleaned.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToList();
        var tokens = new List<string>(raw.Count);
        foreach (var token in raw)
        {
            if (token is "am" or "pm" or "a.m." or "p.m." && tokens.Count > 0 && Digits().IsMatch(tokens[^1]))
            {
                tokens[^1] += token.Replace(".", string.Empty, StringComparison.Ordinal);
                continue;
            }

            if (token is "day" && tokens.Count > 0 && tokens[^1] is "every" or "each")
            {
                tokens[^1] = "daily";
                continue;
            }

            // ".." between two dates is a range ("2026-12-24 .. 2026-12-31"); trimmed like a full stop it would vanish.
            tokens.Add(token is ".." or "..." ? ".." : token.TrimEnd('.', '!', '?'));
        }

        return tokens.Where(t => t.Length > 0).ToList();
    }

    private static (TimeSpan? Interval, int Used) ParseInterval(List<string> tokens, int start) => ParseLength(tokens, start);

    private static TimeSpan? Unit(string unit) => unit switch
    {
        "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.FromMinutes(1),
        "h" or "hr" or "hrs" or "hour" or "hours" => TimeSpan.FromHours(1),
        "d" or "day" or "days" => TimeSpan.FromDays(1),
        "w" or "wk" or "wks" or "week" or "weeks" => TimeSpan.FromDays(7),
        "mo" or "month" or "months" => TimeSpan.FromDays(30),
        "y" or "yr" or "year" or "years" => TimeSpan.FromDays(365),
        _ => null,
    };

    private static IEnumerable<DayOfWeek>? DayRange(string token)
    {
        var dash = token.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && DayNames.TryGetValue(token[..dash], out var first) && DayNames.TryGetValue(token[(dash + 1)..], out var last)
            ? Between(first, last)
            : null;
    }

    private static (TimeOnly, TimeOnly)? TimeRange(string token)
    {
        var dash = token.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && ParseTime(token[..dash]) is { } from && ParseTime(token[(dash + 1)..]) is { } until ? (from, until) : null;
    }

    /// <summary>Fri-Mon wraps over the weekend, as people mean it.</summary>
    private static IEnumerable<DayOfWeek> Between(DayOfWeek first, DayOfWeek last)
    {
        for (var day = Order(first); ; day = (day + 1) % 7)
        {
            yield return Week[day];
            if (day == Order(last))
            {
                yield break;
            }
        }
    }

    private static int Order(DayOfWeek day) => ((int)day + 6) % 7;

    private static string Key(IReadOnlyCollection<DayOfWeek> days) => string.Concat(Week.Select(d => days.Contains(d) ? '1' : '0'));

    private static bool LooksLikeTime(string token) => token.Length > 0 && char.IsDigit(token[0]) && token.Any(c => c is ':' or '.' or 'h') || AmPm().IsMatch(token);

    [GeneratedRegex(@"^(?<h>\d{1,2})(?:[:.h](?<m>\d{2}))?h?(?<ap>am|pm|a|p)?$|^(?<h>\d{2})(?<m>\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^(?<n>\d{1,5}(?:\.\d{1,2})?)(?<u>[a-z]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex LengthPattern();

    [GeneratedRegex(@"^(?<h>\d{1,2})h(?<m>\d{1,2})m?$", RegexOptions.CultureInvariant)]
    private static partial Regex HoursMinutesPattern();

    [GeneratedRegex(@"^\d{1,2}(?:[:.]\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();

    [GeneratedRegex(@"\d(am|pm)$", RegexOptions.CultureInvariant)]
    private static partial Regex AmPm();

    [GeneratedRegex(@"\s+-\s+", RegexOptions.CultureInvariant)]
    private static partial Regex SpacedDash();
}
