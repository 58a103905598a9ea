using System.Net;
using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// Every recorded Slack payload in ../shared/fixtures/slack, signed and posted to /slack/events as Slack would: the
/// app acknowledges at once and the fake Slack receives what it sends. Fixtures from other workspaces are moved to
/// the test's workspace (their team ids only); everything else is as recorded.
/// </summary>
public sealed class SlackFixtureTests : SlackTest
{
    [Fact]
    public async Task AnAppMentionIsAnsweredInItsChannelAfterTheWelcome()
    {
        var mention = InWorkspace(SlackClient.Fixture("event_app_mention.json"));
        mention["event"]!["text"] = $"<@{FakeSlack.BotUserId}> test";

        var response = await Slack.EventAsync(mention);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        await PassTimeUntilBackgroundWorkFinishedAsync();
        var posts = Fake.Of("chat.postMessage");
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal("C123", p["channel"]));
        Assert.All(posts, p => Assert.Equal("Bearer " + FakeSlack.BotToken, p.Authorization));
        // A newcomer gets the safety advice first; "test" is no command, so the reply says how to write one.
        Assert.Contains("StretchBot", posts[0].AllText, StringComparison.Ordinal);
        Assert.Contains("didn't get that", posts[1].AllText, StringComparison.Ordinal);
        // users.info gave the person's name for the leaderboard.
        Assert.Single(Fake.Of("users.info"), c => c["user"] == "U234");
        Assert.Equal("C123", Factory.Rows("SELECT conversation_id FROM installs")[0][0]);
    }

    [Fact]
    public async Task ARetriedOrRepeatedEventActsOnceAndANewEventStillActs()
    {
        var mention = InWorkspace(SlackClient.Fixture("event_app_mention.json"));
        mention["event"]!["text"] = $"<@{FakeSlack.BotUserId}> stats";

        await Slack.EventAsync(mention);
        await PassTimeUntilBackgroundWorkFinishedAsync();
        var first = Fake.Of("chat.postMessage").Count;
        // Slack didn't get our 200 in time and sends it again, twice; and once more with no retry header at all.
        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(mention, retryNum: 1)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(mention, retryNum: 2)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(mention)).StatusCode);
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Equal(first, Fake.Of("chat.postMessage").Count);

        // The same words in a new event (a new event_id) are a new message.
        mention["event_id"] = "EvNEW000001";
        await Slack.EventAsync(mention, retryNum: 1);
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Equal(first + 1, Fake.Of("chat.postMessage").Count);
    }

    [Fact]
    public async Task ADirectMessageIsAnsweredInTheDm()
    {
        var message = InWorkspace(SlackClient.Fixture("event_message_im.json"));
        message["event"]!["text"] = "stretch desk";

        await Slack.EventAsync(message);

        await PassTimeUntilBackgroundWorkFinishedAsync();
        var posts = Fake.Of("chat.postMessage");
        Assert.All(posts, p => Assert.Equal("D024BE91L", p["channel"]));
        Assert.Contains(posts, p => SlackClient.Buttons(p).Any(b => (string?)b["action_id"] == "done"));
        Assert.Equal("personal", Factory.Rows("SELECT conversation_type FROM installs WHERE conversation_id = 'D024BE91L'")[0][0]);
    }

    [Fact]
    public async Task MessagesFromBotsAndFromTheBotItselfAndEditsAreIgnored()
    {
        await Slack.EventAsync(InWorkspace(SlackClient.Fixture("event_message_bot.json")));

        var own = InWorkspace(SlackClient.Fixture("event_message_im.json"));
        own["event_id"] = "EvOWN";
        own["event"]!["user"] = FakeSlack.BotUserId;
        own["event"]!["text"] = "stretch";
        await Slack.EventAsync(own);

        var edit = InWorkspace(SlackClient.Fixture("event_message_im.json"));
        edit["event_id"] = "EvEDIT";
        edit["event"]!["subtype"] = "message_changed";
        await Slack.EventAsync(edit);

        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
        Assert.Equal(0, Factory.Count("people"));
    }

    [Fact]
    public async Task OpeningTheHomeTabPublishesTheirView()
    {
        Fake.Users["U061F7AUR"] = ("Grace Hopper", "America/New_York");
        var home = SlackClient.Envelope(SlackClient.Fixture("event_app_home_opened.inner.json"), "EvHOME1");

        await Slack.EventAsync(home);

        await BackgroundWorkFinishedAsync();
        var publish = Assert.Single(Fake.Of("views.publish"));
        Assert.Equal("U061F7AUR", publish["user_id"]);
        Assert.Equal("home", (string?)publish.Json!["view"]!["type"]);
        // The messages tab opening is not the home tab.
        var messages = SlackClient.Fixture("event_app_home_opened.inner.json");
        messages["tab"] = "messages";
        await Slack.EventAsync(SlackClient.Envelope(messages, "EvHOME2"));
        await BackgroundWorkFinishedAsync();
        Assert.Single(Fake.Of("views.publish"));
    }

    [Fact]
    public async Task TheBotJoiningAChannelStoresItAndSaysHelloOnceAndOthersJoiningDoNothing()
    {
        var someone = SlackClient.Envelope(SlackClient.Fixture("event_member_joined_channel.inner.json"), "EvJOIN1");
        await Slack.EventAsync(someone);
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);

        var bot = SlackClient.Fixture("event_member_joined_channel.inner.json");
        bot["user"] = FakeSlack.BotUserId;
        await Slack.EventAsync(SlackClient.Envelope(bot, "EvJOIN2"));
        await BackgroundWorkFinishedAsync();
        var hello = Assert.Single(Fake.Of("chat.postMessage"));
        Assert.Equal("C0698JE0H", hello["channel"]);
        Assert.Single(Fake.Of("conversations.info"));
        Assert.Equal("stretching-c0698je0h", Factory.Rows("SELECT name FROM installs WHERE conversation_id = 'C0698JE0H'")[0][0]);

        // Added again (a second event for the same join): no second hello.
        await Slack.EventAsync(SlackClient.Envelope(bot.DeepClone().AsObject(), "EvJOIN3"));
        await BackgroundWorkFinishedAsync();
        Assert.Single(Fake.Of("chat.postMessage"));
    }

    [Fact]
    public async Task TheRecordedSlashCommandPostsAStretchForTheChannel()
    {
        var response = await Slack.PostAsync("application/x-www-form-urlencoded", SlackClient.FixtureText("slash_command.txt"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await BackgroundWorkFinishedAsync();
        var card = Assert.Single(Fake.Of("chat.postMessage"), p => SlackClient.Buttons(p).Any(b => (string?)b["action_id"] == "done"));
        Assert.Equal("C111", card["channel"]);
        Assert.False(string.IsNullOrWhiteSpace(card["text"]), "a message with blocks carries fallback text");
        var done = SlackClient.Button(card, "done");
        var prompt = (string?)JsonNode.Parse((string)done["value"]!)!["p"];
        Assert.Equal(prompt, Factory.Rows("SELECT id FROM prompts")[0][0]);
        Assert.Equal("W111", Factory.Rows("SELECT user_id FROM people")[0][0]);
    }

    [Fact]
    public async Task TheRecordedClickOnAButtonThatIsntOursGetsAKindEphemeralReply()
    {
        var response = await Slack.ClickAsync(SlackClient.Fixture("block_actions.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await BackgroundWorkFinishedAsync();
        var reply = Fake.Calls.Last(c => c.IsResponseUrl);
        Assert.Equal("/actions/T111/111/xxx", reply.Path);
        Assert.Equal("ephemeral", reply["response_type"]);
        Assert.Contains("can't use that button", reply.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Of("chat.postMessage"), p => SlackClient.Buttons(p).Any());
    }

    /// <summary>A fixture from another workspace, moved to the test's (team ids only).</summary>
    private static JsonObject InWorkspace(JsonObject envelope)
    {
        envelope["team_id"] = FakeSlack.TeamId;
        envelope.Remove("enterprise_id");
        envelope.Remove("authorizations");
        if (envelope["event"] is JsonObject inner && inner.ContainsKey("team"))
        {
            inner["team"] = FakeSlack.TeamId;
        }

        return envelope;
    }
}
