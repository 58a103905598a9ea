using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Delivery;
using StretchBot.Tests.Infrastructure;
using Quartz;
using StretchBot.Tests.Nudges;

namespace StretchBot.Tests.Teams;

/// <summary>
/// The channel card holds up when many click: the shared card is an overview with the tally, Start gives each person
/// their own walkthrough with the step kept on the server, and neither a tally update nor a refresh ever puts anyone
/// part-way through back to step 1.
/// </summary>
public sealed class WalkthroughTests : NudgeTest
{
    private const string UserRootId = "1700000000001";

    // The thread the card is in: the user's message for an on-demand card, the card itself for a scheduled nudge.
    private string RootId = UserRootId;
    private const string StretchName = "cat and cow";
    // Cat and cow, asked for by name; a scheduled nudge's stretch is the fair pick's (read from the card's prompt).
    private int Steps = 5;
    private string Name = "Cat and cow";
    private static readonly TimeSpan UpdateInterval = TimeSpan.FromSeconds(5);

    protected override void Configure(StretchBotFactory factory)
    {
        base.Configure(factory);
        factory.Settings["Teams:SharedCardUpdateInterval"] = UpdateInterval.ToString();
        // Time passes for the shared card's interval; no call on the wire should time out meanwhile.
        factory.Settings["Teams:OutboundAttemptTimeout"] = "00:10:00";
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TwentyPeopleClickWhileOthersArePartWayAndNobodyPartWayIsEverPutBackToTheStart(bool scheduled)
    {
        var (overview, cardId) = scheduled ? await ScheduledCardAsync() : await PostCardAsync();

        // The shared card is the overview: what, where, cautions, the tally, and Start / Done / Later. No steps on it,
        // so there is nothing on it a re-sent card could reset.
        var text = CardReader.AllText(overview);
        Assert.Contains(Name, text);
        Assert.Contains("Stretches", text);
        Assert.Contains("Where", text);
        Assert.DoesNotContain("Step 1 of", text);
        foreach (var verb in new[] { "start", "done", "later" })
        {
            var button = ExecuteButton(overview, verb);
            Assert.Equal("Action.Submit", (string?)button["fallback"]!["type"]);
            Assert.Equal(verb, (string?)button["fallback"]!["data"]!["action"]);
            Assert.Equal(verb, (string?)button["data"]!["action"]);
        }

        var people = Enumerable.Range(1, 20).Select(i => new TeamsUser($"29:person-{i:00}", $"Person {i:00}")).ToList();
        // Part-way: 1-6 start and go on to step 2, 3 or 4. Done from the overview: 7-13 (7 and 9 twice, 13 through the
        // Submit fallback). Through the walkthrough to Done: 14-20 (15 twice, 20 through the Submit fallback).
        var partWay = people.Take(6).ToList();
        var expectedStep = partWay.ToDictionary(p => p.Id, p => Math.Min(2 + (people.IndexOf(p) % 3), Steps));
        var answers = new ConcurrentBag<(TeamsUser User, string What, JsonObject Answer)>();
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (person, _) =>
        {
            var index = people.IndexOf(person) + 1;
            if (index <= 6)
            {
                var card = await StartAsync(overview, person, cardId);
                Assert.Contains($"Step 1 of {Steps}", CardReader.AllText(card));
                var first = card;
                while (StepOf(card) < expectedStep[person.Id])
                {
                    card = await ClickAsync(card, "next", person, cardId);
                }

                if (index == 1)
                {
                    // A double click on step 1's Next lands on step 2 again, never further.
                    Assert.Equal(2, StepOf(await ClickAsync(first, "next", person, cardId)));
                }
            }
            else if (index <= 13)
            {
                for (var click = 0; click < (index is 7 or 9 ? 2 : 1); click++)
                {
                    if (index == 13)
                    {
                        await Teams.SendAsync(TeamsClient.Submit(ExecuteButton(overview, "done")["fallback"]!["data"]!.AsObject(), person, cardId, RootId));
                    }
                    else
                    {
                        answers.Add((person, "overview done", await Teams.InvokeAsync(TeamsClient.Execute(Data(overview, "done"), person, cardId, RootId))));
                    }
                }
            }
            else
            {
                var card = await StartAsync(overview, person, cardId);
                while (StepOf(card) < Steps)
                {
                    card = await ClickAsync(card, "next", person, cardId);
                }

                Assert.Contains($"Step {Steps} of {Steps}", CardReader.AllText(card));
                Assert.DoesNotContain(CardReader.Actions(card), a => (string?)a["verb"] == "next");
                for (var click = 0; click < (index == 15 ? 2 : 1); click++)
                {
                    if (index == 20)
                    {
                        await Teams.SendAsync(TeamsClient.Submit(ExecuteButton(card, "done")["fallback"]!["data"]!.AsObject(), person, cardId, RootId));
                    }
                    else
                    {
                        answers.Add((person, "walkthrough done", await Teams.InvokeAsync(TeamsClient.Execute(Data(card, "done"), person, cardId, RootId))));
                    }
                }
            }
        });

        // 14 finished, once each however many clicks and from whichever card; 6 are part-way, their steps on the server.
        await BackgroundWorkFinishedAsync();
        Assert.Equal(14, Factory.Count("completions"));
        Assert.Equal(14, (long)Factory.Rows("SELECT COUNT(DISTINCT user_id) FROM completions")[0][0]!);
        foreach (var person in partWay)
        {
            Assert.Equal((long)expectedStep[person.Id], Factory.Rows($"SELECT step FROM walkthroughs WHERE user_id = '{person.Id}'")[0][0]);
        }

        Assert.Equal(3, answers.Count(a => CardReader.Texts(a.Answer["value"])[0] == "Already counted ✓"));
        Assert.All(answers, a => Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)a.Answer["type"]));

        // The tally is put on the shared card in place; the last update shows 14 and lists everyone whose own view
        // must come back: the six part-way and the fourteen who finished.
        var tally = (await PassTimeUntilAsync(Fake.Arrival(r => r.Method == "PUT" && CardReader.AllText(r.Card).Contains("14 people did this stretch", StringComparison.Ordinal))))[0];
        await PassTimeUntilAsync(Factory.Services.GetRequiredService<SharedCardUpdates>().WhenIdleAsync());
        Assert.Same(tally, Fake.Requests.Where(r => r.Method == "PUT").OrderBy(r => r.At).Last());
        var refresh = tally.Card!["refresh"]!;
        Assert.Equal("Action.Execute", (string?)refresh["action"]!["type"]);
        Assert.Equal("refresh", (string?)refresh["action"]!["verb"]);
        var listed = refresh["userIds"]!.AsArray().Select(u => (string)u!).ToList();
        Assert.InRange(listed.Count, 1, 60);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(people.Select(p => p.Id).Order(), listed.Order());

        // The re-sent card reaches every client; each part-way person's client refreshes it automatically and gets
        // their own current step back from the server: not step 1, not the overview.
        foreach (var person in partWay)
        {
            var mine = await RefreshAsync(tally.Card!, person, cardId);
            Assert.Equal(expectedStep[person.Id], StepOf(mine));
            Assert.DoesNotContain(CardReader.Actions(mine), a => (string?)a["verb"] == "start");
            // Teams refreshes a view at most once a minute: when it skips one, Start on the overview brings the
            // person back to exactly the same step.
            Assert.Equal(expectedStep[person.Id], StepOf(await StartAsync(tally.Card!, person, cardId)));
        }

        // Someone who finished gets their Done card; someone who never clicked sees the overview with the tally.
        Assert.Contains("Done ✓", CardReader.AllText(await RefreshAsync(tally.Card!, people[7], cardId)));
        var bystander = await RefreshAsync(tally.Card!, TeamsUser.Grace, cardId);
        Assert.Contains("14 people did this stretch", CardReader.AllText(bystander));
        Assert.NotNull(ExecuteButton(bystander, "start"));

        // The part-way people finish: 20 completions, and the last update of the shared card says 20.
        foreach (var person in partWay)
        {
            var card = await StartAsync(tally.Card!, person, cardId);
            while (StepOf(card) < Steps)
            {
                card = await ClickAsync(card, "next", person, cardId);
            }

            Assert.Contains("Done ✓", CardReader.AllText(await ClickAsync(card, "done", person, cardId)));
        }

        var final = (await PassTimeUntilAsync(Fake.Arrival(r => r.Method == "PUT" && CardReader.AllText(r.Card).Contains("20 people did this stretch", StringComparison.Ordinal))))[0];
        await PassTimeUntilAsync(Factory.Services.GetRequiredService<SharedCardUpdates>().WhenIdleAsync());
        Assert.Equal(20, Factory.Count("completions"));
        var puts = Fake.Requests.Where(r => r.Method == "PUT").OrderBy(r => r.At).ToList();
        Assert.Same(final, puts[^1]);
        Assert.All(puts, p => Assert.EndsWith($"/activities/{cardId}", p.Path));
        Assert.All(puts, p => Assert.InRange(p.Card!["refresh"]!["userIds"]!.AsArray().Count, 1, 60));
        for (var i = 1; i < puts.Count; i++)
        {
            Assert.True(puts[i].At - puts[i - 1].At >= UpdateInterval, $"PUT {i} came {(puts[i].At - puts[i - 1].At).TotalSeconds:0.00} s after the one before");
        }

        Assert.Equal(people.Select(p => p.Id).Order(), final.Card!["refresh"]!["userIds"]!.AsArray().Select(u => (string)u!).Order());
        Assert.Equal(1, Factory.Count("card_posts"));
    }

    [Fact]
    public async Task BeyondSixtyClickersThePeoplePartWayAreListedForRefreshAheadOfThoseWhoFinished()
    {
        var (overview, cardId) = await PostCardAsync();
        // Five start early and stay part-way; a minute later sixty people click Done from the overview.
        var early = Enumerable.Range(1, 5).Select(i => new TeamsUser($"29:early-{i:00}", $"Early {i:00}")).ToList();
        foreach (var person in early)
        {
            await ClickAsync(await StartAsync(overview, person, cardId), "next", person, cardId);
        }

        Clock.Advance(TimeSpan.FromMinutes(1));
        var finishers = Enumerable.Range(1, 60).Select(i => new TeamsUser($"29:done-{i:00}", $"Done {i:00}")).ToList();
        await Parallel.ForEachAsync(finishers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (person, _) =>
            await Teams.InvokeAsync(TeamsClient.Execute(Data(overview, "done"), person, cardId, RootId)));
        await BackgroundWorkFinishedAsync();

        var tally = (await PassTimeUntilAsync(Fake.Arrival(r => r.Method == "PUT" && CardReader.AllText(r.Card).Contains("60 people did this stretch", StringComparison.Ordinal))))[0];

        // Teams refreshes at most 60 listed people: the five part-way keep their step, whoever finished last makes room.
        var listed = tally.Card!["refresh"]!["userIds"]!.AsArray().Select(u => (string)u!).ToList();
        Assert.Equal(60, listed.Count);
        Assert.All(early, p => Assert.Contains(p.Id, listed));
        Assert.Equal(55, listed.Count(finishers.Select(f => f.Id).Contains));
        foreach (var person in early)
        {
            Assert.Equal(2, StepOf(await RefreshAsync(tally.Card!, person, cardId)));
        }
    }

    [Fact]
    public async Task AWalkthroughCardIsThePersonsOwnAndRefreshesForThemAlone()
    {
        var (overview, cardId) = await PostCardAsync();

        var answer = await Teams.InvokeAsync(TeamsClient.Execute(Data(overview, "start"), TeamsUser.Grace, cardId, RootId));

        Assert.Equal(200, (int?)answer["statusCode"]);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)answer["type"]);
        var card = answer["value"]!;
        Assert.Equal("1.5", (string?)card["version"]);
        Assert.Equal([TeamsUser.Grace.Id], card["refresh"]!["userIds"]!.AsArray().Select(u => (string)u!));
        Assert.Equal("refresh", (string?)card["refresh"]!["action"]!["verb"]);
        // Next carries the step this card shows, as a number, for the server to move on from.
        Assert.Equal(1, (int)ExecuteButton(card, "next")["data"]!["step"]!);
        Assert.Equal("Action.Submit", (string?)ExecuteButton(card, "next")["fallback"]!["type"]);
        // Every card of the walk passes the official renderer and our lint, and stays under 28 KB.
        var middle = await ClickAsync(card, "next", TeamsUser.Grace, cardId);
        var last = middle;
        while (StepOf(last) < Steps)
        {
            last = await ClickAsync(last, "next", TeamsUser.Grace, cardId);
        }

        Assert.Equal(Steps - 1, StepOf(await ClickAsync(last, "back", TeamsUser.Grace, cardId)));
        var refreshed = await RefreshAsync(overview, TeamsUser.Grace, cardId);
        Assert.Equal(Steps - 1, StepOf(refreshed));
        await OfficialRenderer.AssertValidAsync(
            [("overview", overview), ("step 1", card.AsObject()), ("step 2", middle.AsObject()), ("last step", last.AsObject()), ("refreshed", refreshed.AsObject())],
            Factory.DataDirectory);

        // Nothing is posted to the channel for it.
        await BackgroundWorkFinishedAsync();
        Assert.Single(Fake.Requests, r => r.Method == "POST" && r.HasSummary("Stretch:"));
        Assert.DoesNotContain(Fake.Requests, r => r.Method == "PUT");
    }

    public static TheoryData<string, Action<JsonObject>> HostileSteps => new()
    {
        { "negative step", d => d["step"] = -1 },
        { "zero step", d => d["step"] = 0 },
        { "huge step", d => d["step"] = 1_000_000_000_000 },
        { "step past the stretch", d => d["step"] = 6 },
        { "step past any stretch", d => d["step"] = 51 },
        { "step as a string", d => d["step"] = "2" },
        { "fractional step", d => d["step"] = 2.5 },
        { "step as an object", d => d["step"] = new JsonObject { ["n"] = 2 } },
        { "no step", d => d.Remove("step") },
        { "unknown prompt", d => d["promptId"] = "p_00000000000000000000000000000000" },
        { "prompt id too long", d => d["promptId"] = (string)d["promptId"]! + new string('0', 40) },
        { "prompt id with markup", d => d["promptId"] = "p_1'; DROP TABLE walkthroughs; --" },
        { "prompt id as a number", d => d["promptId"] = 12 },
        { "another stretch", d => d["stretchId"] = "bar-hang" },
    };

    [Theory]
    [MemberData(nameof(HostileSteps))]
    public async Task HostileStepsAndPromptsGetAKindAnswerAndStoreNothing(string what, Action<JsonObject> spoil)
    {
        var (overview, cardId) = await PostCardAsync();
        var next = Data(overview, "start");
        next["action"] = "next";
        next["step"] = 1;
        spoil(next);

        var answer = await Teams.InvokeAsync(TeamsClient.Execute(next, TeamsUser.Grace, cardId, RootId));

        Assert.True((int?)answer["statusCode"] == 200, what);
        Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
        Assert.Matches("^I couldn't (find that step|open that stretch)\\. ", (string?)answer["value"]);
        Assert.Equal(0, Factory.Count("walkthroughs"));
        Assert.Equal(0, Factory.Count("completions"));
    }

    [Fact]
    public async Task AStartFromAnotherTenantOrConversationOpensNothing()
    {
        var (overview, cardId) = await PostCardAsync();
        var elsewhere = TeamsClient.Execute(Data(overview, "start"), TeamsUser.Grace, cardId, RootId);
        elsewhere["conversation"]!["tenantId"] = "00000000-0000-0000-0000-0000000000aa";
        elsewhere["channelData"]!["tenant"]!["id"] = "00000000-0000-0000-0000-0000000000aa";
        var otherChannel = TeamsClient.Execute(Data(overview, "start"), TeamsUser.Grace, cardId, RootId);
        otherChannel["conversation"]!["id"] = "19:someotherchannel@thread.tacv2;messageid=1";
        // Data that isn't an object at all is refused with the body (strict reading); a refresh from elsewhere opens nothing.
        var noData = TeamsClient.Execute(Data(overview, "start"), TeamsUser.Grace, cardId, RootId);
        noData["value"]!["action"]!["data"] = "start";
        var refresh = TeamsClient.Execute(Data(overview, "refresh"), TeamsUser.Grace, cardId, RootId, trigger: "automatic");
        refresh["value"]!["action"]!["verb"] = "refresh";
        refresh["conversation"]!["tenantId"] = "00000000-0000-0000-0000-0000000000aa";
        refresh["channelData"]!["tenant"]!["id"] = "00000000-0000-0000-0000-0000000000aa";

        using (var refused = await Teams.PostAsync(noData))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        }

        foreach (var invoke in new[] { elsewhere, otherChannel, refresh })
        {
            var answer = await Teams.InvokeAsync(invoke);
            Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
            Assert.StartsWith("I couldn't", (string?)answer["value"]);
        }

        Assert.Equal(0, Factory.Count("walkthroughs"));
        Assert.Equal(0, Factory.Count("completions"));
    }

    [Fact]
    public async Task TheStartFallbackForOldClientsRepliesWithTheirOwnStepInTheThread()
    {
        var (overview, cardId) = await PostCardAsync();
        var start = ExecuteButton(overview, "start")["fallback"]!["data"]!.AsObject();

        await Teams.SendAsync(TeamsClient.Submit(start, TeamsUser.Grace, cardId, RootId));

        var reply = await Fake.WaitForAsync(r => r.Method == "POST" && r.HasSummary("Step 1 of"));
        Assert.StartsWith($"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel + ";messageid=" + RootId)}/activities/", reply.Path);
        Assert.Contains($"Step 1 of {Steps}", CardReader.AllText(reply.Card));
        await BackgroundWorkFinishedAsync();
        // The reply is not the shared card: tally updates still go to the card that was posted.
        Assert.Equal(cardId, Factory.Rows("SELECT json_extract(reference, '$.activityId') FROM card_posts")[0][0]!.ToString());
        Assert.Equal(1L, Factory.Rows($"SELECT step FROM walkthroughs WHERE user_id = '{TeamsUser.Grace.Id}'")[0][0]);
    }

    /// <summary>
    /// The bot installed in a team, `schedule weekdays 10:45` said in the channel, the clock moved to the fire time:
    /// the nudge is a new post in the channel (its own thread), the overview with the scheduled heading.
    /// </summary>
    private async Task<(JsonObject Overview, string CardId)> ScheduledCardAsync()
    {
        await InstallAsync();
        await Teams.SendAsync(TeamsClient.ChannelMessage("schedule weekdays 10:45 please", TeamsUser.Ada, rootId: UserRootId, id: UserRootId));
        var answer = await Fake.WaitForAsync(r => r.Method == "POST" && CardReader.AllText(r.Card).Contains("10:45", StringComparison.Ordinal));
        await BackgroundWorkFinishedAsync();
        var scheduleId = (string)Factory.Rows("SELECT id FROM schedules")[0][0]!;
        var scheduler = await Factory.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        var trigger = Assert.Single(await scheduler.GetTriggersOfJob(StretchBot.Scheduling.NudgeJob.KeyFor(scheduleId)));
        var due = trigger.NextFireTimeUtc!.Value;
        Assert.InRange(due - Clock.GetUtcNow(), TimeSpan.Zero, TimeSpan.FromDays(3));
        Assert.Contains("Next nudges", CardReader.AllText(answer.Card));

        await FireAtAsync(due);
        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await DeliveriesFinishedAsync();
        Assert.Matches("Time for a .+ stretch", CardReader.AllText(posted.Card));
        // A new post in the channel itself, not a reply in someone's thread.
        Assert.DoesNotContain("messageid", posted.Path, StringComparison.Ordinal);
        var cardId = Factory.Rows("SELECT json_extract(reference, '$.activityId') FROM card_posts")[0][0]!.ToString()!;
        Assert.Equal(["sent", cardId], Factory.Rows("SELECT status, message_id FROM deliveries")[0].Select(v => v?.ToString()));
        RootId = cardId;
        var stretch = Factory.Services.GetRequiredService<StretchBot.Catalog.StretchCatalog>().Find((string)Factory.Rows("SELECT stretch_id FROM prompts")[0][0]!)!;
        Assert.Contains(StretchBot.Catalog.StretchPlace.Desk, stretch.Places);
        (Steps, Name) = (stretch.Steps.Count, stretch.Name);
        Assert.InRange(Steps, 3, 50);
        return (posted.Card!.AsObject(), cardId);
    }

    private async Task<(JsonObject Overview, string CardId)> PostCardAsync()
    {
        await Teams.SendAsync(TeamsClient.ChannelMessage($"stretch {StretchName}", TeamsUser.Ada, rootId: RootId, id: RootId));
        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await BackgroundWorkFinishedAsync();
        var cardId = Factory.Rows("SELECT json_extract(reference, '$.activityId') FROM card_posts")[0][0]!.ToString()!;
        return (posted.Card!.AsObject(), cardId);
    }

    private async Task<JsonNode> StartAsync(JsonNode overview, TeamsUser person, string cardId) =>
        await ClickAsync(overview, "start", person, cardId);

    /// <summary>Clicks the Action.Execute with this verb on the card, as the person; returns the card Teams shows them.</summary>
    private async Task<JsonNode> ClickAsync(JsonNode card, string verb, TeamsUser person, string cardId)
    {
        var answer = await Teams.InvokeAsync(TeamsClient.Execute(Data(card, verb), person, cardId, RootId));
        Assert.True((string?)answer["type"] == "application/vnd.microsoft.card.adaptive", $"{verb} gave {answer.ToJsonString()}");
        return answer["value"]!;
    }

    /// <summary>The automatic refresh Teams sends for a listed person when the card is shown again.</summary>
    private async Task<JsonNode> RefreshAsync(JsonNode card, TeamsUser person, string cardId)
    {
        var action = card["refresh"]!["action"]!;
        var invoke = TeamsClient.Execute(action["data"]!.AsObject(), person, cardId, RootId, trigger: "automatic");
        invoke["value"]!["action"]!["verb"] = (string?)action["verb"];
        var answer = await Teams.InvokeAsync(invoke);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)answer["type"]);
        return answer["value"]!;
    }

    private static JsonObject ExecuteButton(JsonNode card, string verb) =>
        CardReader.Actions(card).First(a => (string?)a["type"] == "Action.Execute" && (string?)a["verb"] == verb);

    private static JsonObject Data(JsonNode card, string verb) => verb == "refresh"
        ? card["refresh"]!["action"]!["data"]!.DeepClone().AsObject()
        : ExecuteButton(card, verb)["data"]!.DeepClone().AsObject();

    /// <summary>The step a walkthrough card shows ("Step 3 of 5"); 0 when it shows none.</summary>
    private static int StepOf(JsonNode card)
    {
        var match = System.Text.RegularExpressions.Regex.Match(CardReader.AllText(card), @"Step (\d+) of (\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
