using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>A team installs StretchBot, asks for a stretch in its channel, and thirty people click Done.</summary>
public sealed class ChannelScenarioTests : TeamsTest
{
    private static readonly TimeSpan UpdateInterval = TimeSpan.FromSeconds(5);

    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings["Teams:SharedCardUpdateInterval"] = UpdateInterval.ToString();
        // The test lets time pass for the shared card's interval; no call on the wire should time out meanwhile.
        factory.Settings["Teams:OutboundAttemptTimeout"] = "00:10:00";
    }

    [Fact]
    public async Task ThirtyPeopleClickDoneOnOneChannelCardAndTheSharedTallyKeepsUpWithoutFlooding()
    {
        // Install in the team channel: a welcome card there.
        var install = TeamsClient.Fixture("installationUpdate-add-team.json");
        install["recipient"] = new JsonObject { ["id"] = TeamsClient.BotId, ["name"] = "StretchBot" };
        await Teams.SendAsync(install);
        var welcome = await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Contains("Hi, I'm StretchBot", CardReader.AllText(welcome.Card));

        // "@StretchBot stretch" in a channel thread: the card is threaded under that message.
        var ask = TeamsClient.ChannelMessage("stretch", TeamsUser.Ada, rootId: "1700000000001", id: "1700000000001");
        await Teams.SendAsync(ask);
        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Equal($"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel + ";messageid=1700000000001")}/activities/1700000000001", posted.Path);
        var card = posted.Card!.AsObject();
        var done = DoneData(card);
        await BackgroundWorkFinishedAsync();
        Assert.Equal(1, Factory.Count("card_posts"));
        var cardId = Factory.Rows("SELECT json_extract(reference, '$.activityId') FROM card_posts")[0][0]!.ToString()!;

        // Thirty people: even ones click Done (Action.Execute), odd ones use the Submit fallback; every fifth clicks twice.
        var people = Enumerable.Range(1, 30).Select(i => new TeamsUser($"29:person-{i:00}", $"Person {i:00}")).ToList();
        var personal = new System.Collections.Concurrent.ConcurrentBag<(TeamsUser User, JsonObject Answer)>();
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (person, _) =>
        {
            var index = people.IndexOf(person) + 1;
            for (var click = 0; click < (index % 5 == 0 ? 2 : 1); click++)
            {
                if (index % 2 == 0)
                {
                    personal.Add((person, await Teams.InvokeAsync(TeamsClient.Execute(done, person, cardId, rootId: "1700000000001"))));
                }
                else
                {
                    await Teams.SendAsync(TeamsClient.Submit(done, person, cardId, rootId: "1700000000001"));
                }
            }
        });

        // 30 completions, one per person, whatever the number of clicks. The 18 Done replies in the card's thread go out
        // as Teams allows (7 a second, 8 in two), so time passes on the app's clock until they have.
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Equal(30, Factory.Count("completions"));
        Assert.Equal(30, (long)Factory.Rows("SELECT COUNT(DISTINCT user_id) FROM completions")[0][0]!);
        Assert.All(Factory.Rows("SELECT conversation_id, tenant_id FROM completions"), row => Assert.Equal([TeamsClient.Channel, TeamsClient.Tenant], row));

        // Execute clickers got their own Done card in the invoke answer; the second click says it was already counted.
        Assert.Equal(18, personal.Count);
        foreach (var (user, answer) in personal)
        {
            Assert.Equal(200, (int?)answer["statusCode"]);
            Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)answer["type"]);
            var text = CardReader.AllText(answer["value"]);
            Assert.Matches("Done ✓|Already counted ✓", text);
            if (text.Contains("Done ✓", StringComparison.Ordinal))
            {
                // "Nice work, Person!" with their streak and rank.
                Assert.Contains(user.Name.Split(' ')[0], text);
                Assert.Contains("day streak", text);
                Assert.Contains("this week", text);
            }
        }

        Assert.Equal(3, personal.Count(p => CardReader.AllText(p.Answer["value"]).Contains("Already counted", StringComparison.Ordinal)));

        // Submit clickers got their Done card as a reply in the card's thread.
        var submitReplies = await Fake.WaitForAsync(r => r.Method == "POST" && r.HasSummary("Done:"), 18);
        Assert.All(submitReplies, r => Assert.StartsWith($"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel + ";messageid=1700000000001")}/activities/", r.Path));

        // The shared card: updated in place, at most once per interval on the app's clock, and it ends showing 30.
        var final = (await PassTimeUntilAsync(Fake.Arrival(r => r.Method == "PUT" && CardReader.AllText(r.Card).Contains("30 people did this stretch", StringComparison.Ordinal))))[0];
        var puts = Fake.Requests.Where(r => r.Method == "PUT").OrderBy(r => r.At).ToList();
        Assert.Same(final, puts[^1]);
        Assert.All(puts, p => Assert.EndsWith($"/activities/{cardId}", p.Path));
        for (var i = 1; i < puts.Count; i++)
        {
            Assert.True(puts[i].At - puts[i - 1].At >= UpdateInterval, $"PUT {i} came {(puts[i].At - puts[i - 1].At).TotalSeconds:0.00} s after the one before");
        }

        Assert.InRange(puts.Count, 1, 3);
        // Each person who did it sees their own view on refresh; everyone else sees the tally.
        var refresh = final.Card!["refresh"]!;
        Assert.Equal(30, refresh["userIds"]!.AsArray().Count);
        Assert.Equal("refresh", (string?)refresh["action"]!["verb"]);

        // A clicker's client refreshing the shared card gets their own Done card back; someone else gets the shared card.
        var mine = await Teams.InvokeAsync(TeamsClient.Execute(refresh["action"]!["data"]!.AsObject(), people[0], cardId, rootId: "1700000000001", trigger: "automatic"));
        Assert.Contains("Done ✓", CardReader.AllText(mine["value"]));
        var someoneElse = await Teams.InvokeAsync(TeamsClient.Execute(refresh["action"]!["data"]!.AsObject(), TeamsUser.Grace, cardId, rootId: "1700000000001", trigger: "automatic"));
        Assert.Contains("30 people did this stretch", CardReader.AllText(someoneElse["value"]));
        Assert.Equal(30, Factory.Count("completions"));
    }

    internal static JsonObject DoneData(JsonNode card)
    {
        var execute = CardReader.Actions(card).First(a => (string?)a["type"] == "Action.Execute" && (string?)a["verb"] == "done");
        Assert.Equal("Action.Submit", (string?)execute["fallback"]!["type"]);
        return execute["data"]!.AsObject();
    }
}
