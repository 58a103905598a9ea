using StretchBot.Conversation;

namespace StretchBot.Stats;

public static class Streaks
{
    /// <summary>
    /// Consecutive working days (Monday to Friday) with at least one stretch, counted back from today.
    /// Non-working days never break a streak, and today without a stretch yet doesn't either: the day isn't over.
    /// </summary>
    public static int Current(IReadOnlyCollection<DateOnly> daysWithStretches, DateOnly today)
    {
        var days = daysWithStretches as IReadOnlySet<DateOnly> ?? daysWithStretches.ToHashSet();
        var day = today;
        if (!days.Contains(day))
        {
            day = day.AddDays(-1);
        }

        var streak = 0;
        for (var guard = 0; guard < 800; guard++, day = day.AddDays(-1))
        {
            if (!TimeZones.IsWorkingDay(day))
            {
                continue;
            }

            if (!days.Contains(day))
            {
                break;
            }

            streak++;
        }

        return streak;
    }
}
