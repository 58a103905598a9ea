using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// A stretch in a Slack channel, as people use it: /stretch posts the shared prompt; Start opens a person's own
/// walkthrough as an ephemeral message, advanced in place through its response_url; Done is counted once and the
/// channel message's tally follows with chat.update.
/// </summary>
public sealed class SlackWalkthroughTests : SlackTest
{
    [Fact]
    public async Task StartNextBackAndDoneWalkOnePersonThroughAndTheChannelTallyFollows()
    {
        await Slack.SlashAsync("stretch desk");
        await BackgroundWorkFinishedAsync();
        var card = Fake.Of("chat.postMessage").Single(p => SlackClient.Buttons(p).Any(b => (string?)b["action_id"] == "start"));
        var ts = Ts(card);

        // Start on the channel message: a new ephemeral message for this person alone, step 1.
        await Slack.ClickAsync(SlackClient.Click("start", Value(SlackClient.Button(card, "start")), messageTs: ts));
        await BackgroundWorkFinishedAsync();
        var step1 = Fake.Calls.Last(c => c.IsResponseUrl);
        Assert.Equal("ephemeral", step1["response_type"]);
        Assert.False((bool)step1.Json!["replace_original"]!);
        Assert.Contains("1 of", step1.AllText, StringComparison.Ordinal);

        // Next on that ephemeral message: it is replaced (ephemeral messages can't be chat.update'd).
        await Slack.ClickAsync(SlackClient.Click("next", Value(SlackClient.Button(step1, "next")), ephemeral: true));
        await BackgroundWorkFinishedAsync();
        var step2 = Fake.Calls.Last(c => c.IsResponseUrl);
        Assert.True((bool)step2.Json!["replace_original"]!);
        Assert.Contains("2 of", step2.AllText, StringComparison.Ordinal);

        // A double click on the same Next lands on the same step, not two further.
        await Slack.ClickAsync(SlackClient.Click("next", Value(SlackClient.Button(step1, "next")), ephemeral: true));
        await BackgroundWorkFinishedAsync();
        Assert.Contains("2 of", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);

        await Slack.ClickAsync(SlackClient.Click("back", Value(SlackClient.Button(step2, "back")), ephemeral: true));
        await BackgroundWorkFinishedAsync();
        Assert.Contains("1 of", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);

        await Slack.ClickAsync(SlackClient.Click("done", Value(SlackClient.Button(step2, "done")), ephemeral: true));
        await BackgroundWorkFinishedAsync();
        var done = Fake.Calls.Last(c => c.IsResponseUrl);
        Assert.True((bool)done.Json!["replace_original"]!);
        Assert.Equal(1, Factory.Count("completions"));

        // The shared message shows the tally: one chat.update of the channel message, no more.
        await SharedCardsIdleAsync();
        var update = Assert.Single(Fake.Of("chat.update"));
        Assert.Equal(SlackClient.Channel, update["channel"]);
        Assert.Equal(ts, update["ts"]);
        Assert.Contains("1 person", update.AllText, StringComparison.Ordinal);
        Assert.Equal("Bearer " + FakeSlack.BotToken, update.Authorization);
    }

    [Fact]
    public async Task DoneTwiceCountsOnceAndSaysSo()
    {
        await Slack.SlashAsync("stretch");
        await BackgroundWorkFinishedAsync();
        var card = Fake.Of("chat.postMessage").Single(p => SlackClient.Buttons(p).Any(b => (string?)b["action_id"] == "done"));
        var done = SlackClient.Click("done", Value(SlackClient.Button(card, "done")), messageTs: Ts(card));

        await Slack.ClickAsync(done);
        await Slack.ClickAsync(done);
        await BackgroundWorkFinishedAsync();

        Assert.Equal(1, Factory.Count("completions"));
        var answers = Fake.Calls.Where(c => c.IsResponseUrl).ToList();
        // The two clicks are handled side by side: whichever is second says it was already counted.
        Assert.Single(answers, a => a.AllText.Contains("already", StringComparison.OrdinalIgnoreCase));
        Assert.Single(answers, a => a.AllText.Contains("Nice work", StringComparison.Ordinal));
        Assert.All(answers, a => Assert.Equal("ephemeral", a["response_type"]));
    }

    [Fact]
    public async Task ADoneFromAnotherChannelOrWorkspaceCountsNothing()
    {
        await Slack.SlashAsync("stretch");
        await BackgroundWorkFinishedAsync();
        var card = Fake.Of("chat.postMessage").Single(p => SlackClient.Buttons(p).Any(b => (string?)b["action_id"] == "done"));
        var value = Value(SlackClient.Button(card, "done"));

        await Slack.ClickAsync(SlackClient.Click("done", value, channel: "C999"));
        await BackgroundWorkFinishedAsync();

        Assert.Equal(0, Factory.Count("completions"));
        Assert.Contains("couldn't count", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlashCommandsMatchTheChatCommandsAndAnswerThePersonAlone()
    {
        foreach (var (text, expected) in new[] { ("help", "stretch"), ("stats", "stretch"), ("leaderboard", "week"), ("schedule", "schedule"), ("stretches", "Stretches") })
        {
            await Slack.SlashAsync(text);
            await BackgroundWorkFinishedAsync();
            var answer = Fake.Calls.Last(c => c.IsResponseUrl);
            Assert.Equal("ephemeral", answer["response_type"]);
            Assert.Contains(expected, answer.AllText, StringComparison.OrdinalIgnoreCase);
        }

        // Only /stretch itself (and /stretch desk…) posts in the channel: a prompt everyone can do.
        Assert.Empty(Fake.Of("chat.postMessage"));
        await Slack.SlashAsync("desk");
        await BackgroundWorkFinishedAsync();
        Assert.Single(Fake.Of("chat.postMessage"));
    }

    [Fact]
    public async Task AStretchInAChannelTheBotIsntInStillReachesItThroughTheResponseUrl()
    {
        Fake.Responder = c => c.Method == "chat.postMessage" ? new FakeSlackReply(200, """{"ok":false,"error":"not_in_channel"}""") : null;

        await Slack.SlashAsync("stretch", channel: "C777");
        await BackgroundWorkFinishedAsync();

        var answer = Fake.Calls.Last(c => c.IsResponseUrl);
        Assert.Equal("in_channel", answer["response_type"]);
        Assert.Contains(SlackClient.Buttons(answer), b => (string?)b["action_id"] == "done");
        // Not the conversation's fault: it isn't marked gone.
        Assert.Null(Factory.Rows("SELECT gone_at FROM installs WHERE conversation_id = 'C777'")[0][0]);
    }

    private static string Value(JsonObject button) => (string)button["value"]!;

    private static string Ts(SlackCall post) => post.AnsweredTs ?? throw new InvalidOperationException("chat.postMessage answered without a ts");
}
