using StretchBot.Conversation;
using StretchBot.Stats;

namespace StretchBot.Core.Tests.Conversation;

public sealed class StreaksTests
{
    private static DateOnly D(string day) => DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void NoStretchesIsNoStreak() => Assert.Equal(0, Streaks.Current([], D("2026-11-18")));

    [Fact]
    public void ConsecutiveWorkingDaysCount() =>
        Assert.Equal(3, Streaks.Current([D("2026-11-16"), D("2026-11-17"), D("2026-11-18")], D("2026-11-18")));

    [Fact]
    public void TodayWithoutAStretchYetDoesNotBreakTheStreak() =>
        Assert.Equal(2, Streaks.Current([D("2026-11-16"), D("2026-11-17")], D("2026-11-18")));

    [Fact]
    public void AMissedWorkingDayBreaksIt() =>
        Assert.Equal(1, Streaks.Current([D("2026-11-16"), D("2026-11-18")], D("2026-11-18")));

    [Fact]
    public void AWeekendDoesNotBreakIt() =>
        // Thursday, Friday, (weekend), Monday.
        Assert.Equal(3, Streaks.Current([D("2026-11-19"), D("2026-11-20"), D("2026-11-23")], D("2026-11-23")));

    [Fact]
    public void OnAMondayMorningFridaysStreakStillStands() =>
        Assert.Equal(2, Streaks.Current([D("2026-11-19"), D("2026-11-20")], D("2026-11-23")));

    [Fact]
    public void AWeekendStretchNeitherCountsNorBreaks() =>
        Assert.Equal(2, Streaks.Current([D("2026-11-20"), D("2026-11-21"), D("2026-11-23")], D("2026-11-23")));

    [Theory]
    [InlineData("2026-11-16", "2026-11-16")] // Monday
    [InlineData("2026-11-18", "2026-11-16")]
    [InlineData("2026-11-22", "2026-11-16")] // Sunday belongs to the week that began on Monday
    [InlineData("2026-11-23", "2026-11-23")]
    public void WeeksStartOnMonday(string day, string monday) => Assert.Equal(D(monday), TimeZones.WeekStart(D(day)));

    [Theory]
    [InlineData("Europe/Berlin", "Europe/Berlin")]
    [InlineData("W. Europe Standard Time", "W. Europe Standard Time")]
    [InlineData("Mars/Olympus_Mons", "UTC")]
    [InlineData(null, "UTC")]
    public void UnknownTimeZonesFallBack(string? id, string expected) =>
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById(expected).Id, TimeZones.Resolve(id, TimeZoneInfo.Utc).Id);
}
