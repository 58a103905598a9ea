namespace StretchBot.Scheduling;

/// <summary>
/// When a conversation's nudges are due, in its own time zone: fixed times of day on some days of the week
/// ("weekdays 10:30 15:00", "mon wed fri 11:00"), or every so often inside a daily window ("every 90m 9:00-17:00
/// mon-fri"). Built only through <see cref="At"/> and <see cref="Every"/>, which refuse a spec that could not fire.
/// </summary>
public abstract class ScheduleSpec
{
    public static readonly IReadOnlySet<DayOfWeek> Weekdays = new SortedSet<DayOfWeek>
    {
        DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday,
    };

    private protected ScheduleSpec(IEnumerable<DayOfWeek> days, string timeZoneId)
    {
        Days = new SortedSet<DayOfWeek>(days ?? throw new ArgumentNullException(nameof(days)));
        if (Days.Count == 0)
        {
            throw new ArgumentException("A schedule needs at least one day of the week.", nameof(days));
        }

        if (Days.Any(d => !Enum.IsDefined(d)))
        {
            throw new ArgumentOutOfRangeException(nameof(days), "Not a day of the week.");
        }

        // IANA ids (and Windows ids, which .NET maps) resolve here; a spec never carries a zone this machine lacks.
        if (string.IsNullOrWhiteSpace(timeZoneId) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone))
        {
            throw new ArgumentException($"'{timeZoneId}' is not a known time zone id.", nameof(timeZoneId));
        }

        TimeZoneId = timeZoneId;
        TimeZone = zone;
    }

    /// <summary>The days nudges fall on, by the calendar of <see cref="TimeZone"/>.</summary>
    public IReadOnlySet<DayOfWeek> Days { get; }

    /// <summary>The id as the person wrote it (IANA or Windows), kept for display and storage.</summary>
    public string TimeZoneId { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>Fixed times of day ("weekdays 10:30 15:00"). Times are whole minutes; duplicates collapse.</summary>
    public static AtTimes At(IEnumerable<DayOfWeek> days, IEnumerable<TimeOnly> times, string timeZoneId) => new(days, times, timeZoneId);

    /// <summary>Every <paramref name="interval"/> from <paramref name="from"/> up to and including <paramref name="until"/> ("every 90m 9:00-17:00").</summary>
    public static EveryInterval Every(TimeSpan interval, TimeOnly from, TimeOnly until, IEnumerable<DayOfWeek> days, string timeZoneId) =>
        new(interval, from, until, days, timeZoneId);

    public sealed class AtTimes : ScheduleSpec
    {
        internal AtTimes(IEnumerable<DayOfWeek> days, IEnumerable<TimeOnly> times, string timeZoneId)
            : base(days, timeZoneId)
        {
            Times = new SortedSet<TimeOnly>(times ?? throw new ArgumentNullException(nameof(times)));
            if (Times.Count == 0)
            {
                throw new ArgumentException("A schedule needs at least one time of day.", nameof(times));
            }

            if (Times.Any(t => t.Second != 0 || t.Millisecond != 0 || t.Microsecond != 0))
            {
                throw new ArgumentException("Times of day are whole minutes.", nameof(times));
            }
        }

        /// <summary>Local times of day, earliest first.</summary>
        public IReadOnlySet<TimeOnly> Times { get; }
    }

    public sealed class EveryInterval : ScheduleSpec
    {
        internal EveryInterval(TimeSpan interval, TimeOnly from, TimeOnly until, IEnumerable<DayOfWeek> days, string timeZoneId)
            : base(days, timeZoneId)
        {
            if (interval <= TimeSpan.Zero || interval.Ticks % TimeSpan.TicksPerMinute != 0 || interval >= TimeSpan.FromDays(1))
            {
                throw new ArgumentOutOfRangeException(nameof(interval), "The interval is a whole number of minutes, under a day.");
            }

            if (from.Second != 0 || until.Second != 0 || from.Millisecond != 0 || until.Millisecond != 0)
            {
                throw new ArgumentException("Window ends are whole minutes.", nameof(from));
            }

            // A window that wraps past midnight would put a nudge on a day the spec does not name.
            if (until <= from)
            {
                throw new ArgumentException("The window ends after it starts, on the same day.", nameof(until));
            }

            Interval = interval;
            From = from;
            Until = until;
        }

        public TimeSpan Interval { get; }

        /// <summary>The first nudge of each day.</summary>
        public TimeOnly From { get; }

        /// <summary>The last moment a nudge may fall on (inclusive): 9:00-17:00 every 2h fires at 17:00 too.</summary>
        public TimeOnly Until { get; }
    }
}
