using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Nudges;
using StretchBot.Tests.Infrastructure;
using StretchBot.Tests.Nudges;

namespace StretchBot.Tests.Slack;

/// <summary>
/// A schedule set with /stretch in a Slack channel posts its nudge there at the fire time (Quartz on the app's fake
/// clock); twenty people walk through it and click Done, some twice, some through a delivery Slack sent again: twenty
/// completions, and the channel message ends showing twenty with at most one chat.update per 5 seconds.
/// </summary>
public sealed class SlackScheduledNudgeTests : SlackTest
{
    private readonly NudgeTest.FiringProbe _fired = new();

    protected override void Configure(StretchBotFactory factory)
    {
        // Time passes in big steps here; no call on the wire should time out meanwhile.
        factory.Settings["Slack:OutboundAttemptTimeout"] = "01:00:00";
        factory.ServiceChanges.Add(services => _fired.Wrap(services));
    }

    [Fact]
    public async Task AScheduledNudgeIsPostedAtItsTimeAndTwentyPeopleAreCountedOnceEach()
    {
        var people = Enumerable.Range(1, 20).Select(i => $"U{i:000}").ToList();
        foreach (var person in people)
        {
            Fake.Users[person] = ($"Person {person[1..]}", "Europe/London");
        }

        // Wednesday 18 November 2026, 10:30 in London (UTC+0): the next weekday 10:45 is in a quarter of an hour.
        await Slack.SlashAsync("schedule weekdays 10:45");
        await BackgroundWorkFinishedAsync();
        Assert.Contains("10:45", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);
        Assert.Empty(Fake.Of("chat.postMessage"));

        var fire = new DateTimeOffset(2026, 11, 18, 10, 45, 0, TimeSpan.Zero);
        var handled = _fired.Next(fire);
        Clock.AdvanceTo(fire);
        await handled.WaitAsync(TimeSpan.FromSeconds(30));
        await Factory.Services.GetRequiredService<NudgeDispatcher>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var nudge = Assert.Single(Fake.Of("chat.postMessage"));
        Assert.Equal(SlackClient.Channel, nudge["channel"]);
        Assert.Equal(TimeSpan.FromMinutes(15), nudge.At);
        Assert.Equal("sent", Factory.Rows("SELECT status FROM deliveries")[0][0]);
        var ts = nudge.AnsweredTs!;
        var start = (string)SlackClient.Button(nudge, "start")["value"]!;

        for (var i = 0; i < people.Count; i++)
        {
            var person = people[i];
            var responseUrl = $"https://hooks.slack.com/actions/T111/1/{person}";
            bool Mine(SlackCall c) => c.IsResponseUrl && c.Path == $"/actions/T111/1/{person}";
            await Slack.ClickAsync(SlackClient.Click("start", start, person, messageTs: ts, responseUrl: responseUrl));
            await BackgroundWorkFinishedAsync();
            var step = Fake.Calls.Last(Mine);
            while (SlackClient.Buttons(step).Any(b => (string?)b["action_id"] == "next"))
            {
                await Slack.ClickAsync(SlackClient.Click("next", (string)SlackClient.Button(step, "next")["value"]!, person, ephemeral: true, responseUrl: responseUrl));
                await BackgroundWorkFinishedAsync();
                step = Fake.Calls.Last(Mine);
            }

            var done = SlackClient.Click("done", (string)SlackClient.Button(step, "done")["value"]!, person, ephemeral: true, responseUrl: responseUrl);
            await Slack.ClickAsync(done);
            if (i % 5 == 0)
            {
                // A second click on the same Done.
                await Slack.ClickAsync(done);
            }

            if (i % 7 == 3)
            {
                // The same click delivered again, as a retry.
                await Slack.PostAsync("application/x-www-form-urlencoded", "payload=" + Uri.EscapeDataString(done.ToJsonString()), retryNum: 1);
            }

            await BackgroundWorkFinishedAsync();
            Assert.Contains(Fake.Calls.Where(Mine), c => c.AllText.Contains("Nice work", StringComparison.Ordinal));
            // People click over a few minutes, not all at once.
            Clock.Advance(TimeSpan.FromSeconds(2));
        }

        await SharedCardsIdleAsync();
        Assert.Equal(20L, Factory.Rows("SELECT COUNT(*) FROM completions")[0][0]);
        Assert.Equal(20L, Factory.Rows("SELECT COUNT(DISTINCT user_id) FROM completions")[0][0]);

        var updates = Fake.Of("chat.update").Where(u => u["ts"] == ts).ToList();
        Assert.NotEmpty(updates);
        Assert.Contains("20 people", updates[^1].AllText, StringComparison.Ordinal);
        for (var i = 1; i < updates.Count; i++)
        {
            Assert.True(updates[i].At - updates[i - 1].At >= TimeSpan.FromSeconds(5), $"updates {i - 1} and {i} came {(updates[i].At - updates[i - 1].At).TotalSeconds:0.0} s apart");
        }

        // Twenty people over about 40 seconds: a handful of updates, never one per click.
        Assert.InRange(updates.Count, 2, 10);
    }
}
