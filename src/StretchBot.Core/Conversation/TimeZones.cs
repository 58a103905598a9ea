namespace StretchBot.Conversation;

public static class TimeZones
{
    /// <summary>Finds an IANA or Windows zone id; unknown or missing ids fall back, so a bad client value never breaks a turn.</summary>
    public static TimeZoneInfo Resolve(string? id, TimeZoneInfo fallback)
    {
        if (!string.IsNullOrWhiteSpace(id) && id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return zone;
        }

        return fallback;
    }

    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    public static bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
}
