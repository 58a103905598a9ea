using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>A team installs StretchBot, asks for a stretch in its channel, and thirty people click Done.</summary>
public sealed class ChannelScenarioTests : TeamsTest
{
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
        await WaitUntilAsync(() => Factory.Count("card_posts") == 1);
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

        // 30 completions, one per person, whatever the number of clicks.
        await WaitUntilAsync(() => Factory.Count("completions") == 30);
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
        var submitReplies = await WaitForCountAsync(r => r.Method == "POST" && r.HasSummary("Done:"), 18);
        Assert.All(submitReplies, r => Assert.StartsWith($"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel + ";messageid=1700000000001")}/activities/", r.Path));

        // The shared card: updated in place, at most once per 5 s, and it ends showing 30.
        var final = await WaitForPutShowingAsync(cardId, "30 people did this stretch");
        var puts = Fake.Requests.Where(r => r.Method == "PUT").OrderBy(r => r.At).ToList();
        Assert.All(puts, p => Assert.EndsWith($"/activities/{cardId}", p.Path));
        for (var i = 1; i < puts.Count; i++)
        {
            Assert.True(puts[i].At - puts[i - 1].At >= TimeSpan.FromSeconds(4.9), $"PUT {i} came {(puts[i].At - puts[i - 1].At).TotalSeconds:0.00} s after the one before");
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

    private async Task<ConnectorRequest> WaitForPutShowingAsync(string cardId, string text)
    {
        var deadline = Fake.Now + TimeSpan.FromSeconds(20);
        while (Fake.Now < deadline)
        {
            var last = Fake.Requests.Where(r => r.Method == "PUT").OrderBy(r => r.At).LastOrDefault();
            if (last is not null && CardReader.AllText(last.Card).Contains(text, StringComparison.Ordinal))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No PUT of card {cardId} showed \"{text}\".");
    }

    private async Task<List<ConnectorRequest>> WaitForCountAsync(Func<ConnectorRequest, bool> match, int count)
    {
        await WaitUntilAsync(() => Fake.Requests.Count(match) >= count);
        return Fake.Requests.Where(match).ToList();
    }

    internal static JsonObject DoneData(JsonNode card)
    {
        var execute = CardReader.Actions(card).First(a => (string?)a["type"] == "Action.Execute" && (string?)a["verb"] == "done");
        Assert.Equal("Action.Submit", (string?)execute["fallback"]!["type"]);
        return execute["data"]!.AsObject();
    }
}
