using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>Every card the Teams channel sends (posts, invoke answers, shared-card updates) passes the official renderer.</summary>
public sealed class TeamsCardTests : TeamsTest
{
    [Fact]
    public async Task EveryCardSentToTeamsPassesTheOfficialRendererAndOurLint()
    {
        var cards = new List<(string Name, JsonObject Card)>();
        var install = TeamsClient.Fixture("installationUpdate-add-team.json");
        await Teams.SendAsync(install);
        await Fake.WaitForAsync(r => r.Method == "POST");

        foreach (var text in new[] { "stretch", "stretches", "stats", "leaderboard", "help" })
        {
            await Teams.SendAsync(TeamsClient.ChannelMessage(text, TeamsUser.Ada));
        }

        // Finished, not only sent: the stretch card's post is stored, so a Done click can update it in place.
        await BackgroundWorkFinishedAsync();
        Assert.True(Fake.Requests.Count(r => r.Method == "POST") >= 7);
        var stretch = Fake.Requests.First(r => r.HasSummary("Stretch:"));
        var done = ChannelScenarioTests.DoneData(stretch.Card!);
        var answer = await Teams.InvokeAsync(TeamsClient.Execute(done, TeamsUser.Grace, "1"));
        cards.Add(("invoke answer: done", answer["value"]!.AsObject()));
        var again = await Teams.InvokeAsync(TeamsClient.Execute(done, TeamsUser.Grace, "1"));
        cards.Add(("invoke answer: already counted", again["value"]!.AsObject()));
        var put = await Fake.WaitForAsync(r => r.Method == "PUT");

        foreach (var request in Fake.Requests.Where(r => r.Card is not null))
        {
            cards.Add(($"{request.Method} {request.Body!["summary"]}", request.Card!.AsObject()));
        }

        Assert.Contains(cards, c => c.Name.StartsWith("PUT Stretch:", StringComparison.Ordinal));
        Assert.NotNull(put.Card!["refresh"]);
        await OfficialRenderer.AssertValidAsync(cards, Factory.DataDirectory);
    }
}
