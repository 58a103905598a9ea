using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Nudges;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// The app as a client of Slack's Web API: errors that mean the bot is gone mark the conversation, a 429's Retry-After
/// holds the workspace, people's names and zones come from users.info (asked once), Later comes back in a DM, and the
/// App Home shows a person's own stats and the schedules of the channels they are in.
/// </summary>
public sealed class SlackWebApiTests : SlackTest
{
    protected override void Configure(StretchBotFactory factory) =>
        factory.Settings["Slack:OutboundAttemptTimeout"] = "01:00:00";

    [Fact]
    public async Task ChannelNotFoundMarksTheConversationGone()
    {
        Fake.Responder = c => c.Method == "chat.postMessage" && c["channel"] == "C404" ? new FakeSlackReply(200, SlackClient.FixtureText("error_response.json")) : null;
        var mention = SlackClient.Envelope(new JsonObject { ["type"] = "app_mention", ["user"] = SlackClient.User, ["text"] = $"<@{FakeSlack.BotUserId}> stretch", ["ts"] = "1.000001", ["channel"] = "C404", ["event_ts"] = "1.000001" }, "EvGONE1");

        await Slack.EventAsync(mention);
        await PassTimeUntilBackgroundWorkFinishedAsync();

        var row = Factory.Rows("SELECT gone_at, gone_reason FROM installs WHERE conversation_id = 'C404'").Single();
        Assert.NotNull(row[0]);
        Assert.Contains("channel_not_found", (string)row[1]!, StringComparison.Ordinal);
        // The turn stopped at the first refusal: one attempt, not one per message.
        Assert.Single(Fake.Of("chat.postMessage"));
    }

    [Fact]
    public async Task ATokenSlackSaysIsRevokedIsForgottenAndNothingMoreIsTriedWithIt()
    {
        Fake.Responder = c => c.Method == "chat.postMessage" ? new FakeSlackReply(200, """{"ok":false,"error":"token_revoked"}""") : null;

        await Slack.SlashAsync("stretch");
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Single(Fake.Of("chat.postMessage"));
        Assert.NotNull(Factory.Rows("SELECT gone_at FROM installs WHERE conversation_id = 'C111'")[0][0]);

        Fake.Responder = null;
        await Slack.SlashAsync("stretch", channel: "C222");
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Single(Fake.Of("chat.postMessage"));
        Assert.Contains("isn't installed", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A429HoldsTheWorkspaceForItsRetryAfterAndTheCallIsMadeAgain()
    {
        var limited = 0;
        Fake.Responder = c => c.Method == "chat.postMessage" && Interlocked.Increment(ref limited) == 1
            ? new FakeSlackReply(429, SlackClient.FixtureText("rate_limited_response.json"), RetryAfter: TimeSpan.FromSeconds(3))
            : null;

        await Slack.SlashAsync("stretch");
        await PassTimeUntilBackgroundWorkFinishedAsync();

        var posts = Fake.Of("chat.postMessage");
        Assert.Equal(2, posts.Count);
        Assert.True(posts[1].At - posts[0].At >= TimeSpan.FromSeconds(3), $"retried after {(posts[1].At - posts[0].At).TotalSeconds:0.0} s");
        Assert.Equal(1, Factory.Count("card_posts"));
    }

    [Fact]
    public async Task NamesAndTimeZonesComeFromUsersInfoAskedOnce()
    {
        Fake.Users["U777"] = ("Grace Hopper", "America/New_York");

        await Slack.SlashAsync("schedule weekdays 10:45", user: "U777");
        await BackgroundWorkFinishedAsync();
        await Slack.SlashAsync("schedule", user: "U777");
        await BackgroundWorkFinishedAsync();

        Assert.Single(Fake.Of("users.info"));
        Assert.Contains("America/New_York", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);
        Assert.Equal("Grace Hopper", Factory.Rows("SELECT display_name FROM people WHERE user_id = 'U777'")[0][0]);
        Assert.Equal("America/New_York", Factory.Rows("SELECT setter_zone FROM schedules")[0][0]);
    }

    [Fact]
    public async Task LaterBringsTheStretchBackInTheirDm()
    {
        await Slack.SlashAsync("stretch");
        await BackgroundWorkFinishedAsync();
        var card = Fake.Of("chat.postMessage").Single();

        await Slack.ClickAsync(SlackClient.Click("later", (string)SlackClient.Button(card, "later")["value"]!, messageTs: card.AnsweredTs));
        await BackgroundWorkFinishedAsync();
        Assert.Contains("Later it is", Fake.Calls.Last(c => c.IsResponseUrl).AllText, StringComparison.Ordinal);

        Clock.Advance(TimeSpan.FromMinutes(15));
        await Factory.Services.GetRequiredService<NudgeDispatcher>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var open = Assert.Single(Fake.Of("conversations.open"));
        Assert.Equal(SlackClient.User, open["users"]);
        var back = Fake.Of("chat.postMessage").Last();
        Assert.Equal("D" + SlackClient.User, back["channel"]);
        Assert.Contains(SlackClient.Buttons(back), b => (string?)b["action_id"] == "done");
    }

    [Fact]
    public async Task GiveMeAStretchOnTheHomeTabAnswersInTheirDm()
    {
        var click = SlackClient.Click("stretch", "{}");
        click["container"] = new JsonObject { ["type"] = "view", ["view_id"] = "V0PKB1ZFV" };
        click.Remove("channel");
        click.Remove("message");
        click.Remove("response_url");
        click["view"] = new JsonObject { ["id"] = "V0PKB1ZFV", ["type"] = "home" };

        await Slack.ClickAsync(click);
        await PassTimeUntilBackgroundWorkFinishedAsync();

        Assert.Equal(SlackClient.User, Assert.Single(Fake.Of("conversations.open"))["users"]);
        var card = Assert.Single(Fake.Of("chat.postMessage"), p => SlackClient.Buttons(p).Any(b => (string?)b["action_id"] == "done"));
        Assert.Equal("D" + SlackClient.User, card["channel"]);
        Assert.DoesNotContain(Fake.Calls, c => c.IsResponseUrl);
    }

    [Fact]
    public async Task OpeningTheHomeTabFirstDoesNotUseUpTheWelcomeAndItsSafetyAdvice()
    {
        var home = SlackClient.Fixture("event_app_home_opened.inner.json");
        home["user"] = SlackClient.User;
        await Slack.EventAsync(SlackClient.Envelope(home, "EvHOMEFIRST"));
        await BackgroundWorkFinishedAsync();
        Assert.Single(Fake.Of("views.publish"));
        Assert.Equal(0, Factory.Count("people"));

        await Slack.SlashAsync("stats");
        await BackgroundWorkFinishedAsync();

        var first = Fake.Calls.First(c => c.IsResponseUrl);
        Assert.Contains("When to see the doctor", first.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHomeTabShowsTheirStatsTheWeekAndOnlyTheSchedulesOfTheirChannels()
    {
        await Slack.SlashAsync("schedule weekdays 10:45", channel: "C111");
        await Slack.SlashAsync("schedule weekdays 16:20", channel: "C222");
        await Slack.SlashAsync("stretch", channel: "C111");
        await PassTimeUntilBackgroundWorkFinishedAsync();
        var card = Fake.Of("chat.postMessage").Single(p => SlackClient.Buttons(p).Any());
        await Slack.ClickAsync(SlackClient.Click("done", (string)SlackClient.Button(card, "done")["value"]!, messageTs: card.AnsweredTs));
        await BackgroundWorkFinishedAsync();
        Fake.UserChannels[SlackClient.User] = ["C111", "C999"];

        var home = SlackClient.Fixture("event_app_home_opened.inner.json");
        home["user"] = SlackClient.User;
        await Slack.EventAsync(SlackClient.Envelope(home, "EvHOME9"));
        await BackgroundWorkFinishedAsync();

        var publish = Assert.Single(Fake.Of("views.publish"));
        var text = publish.AllText;
        Assert.Contains("Ada", text, StringComparison.Ordinal);
        Assert.Contains("10:45", text, StringComparison.Ordinal);
        Assert.DoesNotContain("16:20", text, StringComparison.Ordinal);
        Assert.Single(Fake.Of("users.conversations"));
    }
}
