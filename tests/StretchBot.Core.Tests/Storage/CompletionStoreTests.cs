using System.Globalization;
using StretchBot.Conversation;
using StretchBot.Stats;
using StretchBot.Stretching;

namespace StretchBot.Core.Tests.Storage;

/// <summary>The completion store on a real SQLite file.</summary>
public sealed class CompletionStoreTests : SqliteFileTest
{
    [Theory]
    [InlineData("en-GB")]
    [InlineData("th-TH")] // Buddhist calendar: 2026 is 2569 there
    [InlineData("fa-IR")] // Persian calendar
    public async Task DatesAreStoredTheSameWhateverTheServersCulture(string culture)
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var store = new CompletionStore(Database);
            var where = new Where("msteams", "t", "c1");
            var monday = new DateOnly(2026, 11, 16);
            foreach (var (prompt, user, day) in new[] { ("p1", "ada", monday), ("p2", "ada", monday.AddDays(2)), ("p2", "grace", monday.AddDays(6)) })
            {
                Assert.True(await store.RecordAsync(new StretchCompleted(
                    new Prompt(prompt, "t", "msteams", "c1", "cat-cow", PromptKind.OnDemand, user), where, new Who(user, user),
                    new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero), day), CancellationToken.None));
            }

            var ada = await store.DoneStatsAsync(where, "ada", "p2", monday, CancellationToken.None);
            Assert.Equal((2, 2, 1, 2), (ada.Total, ada.WeekCount, ada.Rank, ada.PromptCount));
            Assert.Equal([monday.AddDays(2), monday], ada.Days);
            Assert.Equal(2, (await store.DoneStatsAsync(where, "grace", "p2", monday, CancellationToken.None)).Rank);

            var board = await store.LeaderboardAsync(where, monday, 10, CancellationToken.None);
            Assert.Equal([("ada", 2), ("grace", 1)], board.Select(r => (r.UserId, r.Count)));
            Assert.Empty(await store.LeaderboardAsync(where, monday.AddDays(7), 10, CancellationToken.None));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
