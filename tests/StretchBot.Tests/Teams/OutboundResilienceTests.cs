using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>The Bot Connector misbehaves the ways Teams documents; replies still arrive, or stop cleanly.</summary>
public sealed class OutboundResilienceTests : TeamsTest
{
    // On the app's fake clock: an attempt is abandoned only when a test lets this much time pass during it.
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(10);

    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings["Teams:OutboundRetryDelay"] = "00:00:00.050";
        factory.Settings["Teams:OutboundAttemptTimeout"] = AttemptTimeout.ToString();
    }

    [Fact]
    public async Task A429IsRetriedAfterTheRetryAfterItGives()
    {
        Fake.Script(new FakeReply(429, """{"error":{"code":"Throttled","message":"Too many requests"}}""", RetryAfter: TimeSpan.FromSeconds(1)));

        await Teams.SendAsync(Help());
        await Fake.WaitForAsync(_ => true);

        // The backoff alone would retry after about 50 ms; only the Retry-After makes it wait a second.
        var attempts = await PassTimeUntilAsync(Fake.Arrival(_ => true, 2));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(1), $"retried after {(attempts[1].At - attempts[0].At).TotalMilliseconds:0} ms");
        Assert.Equal(attempts[0].Path, attempts[1].Path);
        Assert.Equal(attempts[0].Body!.ToJsonString(), attempts[1].Body!.ToJsonString());
    }

    [Theory]
    [InlineData(503)]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(412)]
    public async Task TransientFailuresAreRetriedWithBackoff(int status)
    {
        Fake.Script(new FakeReply(status, """{"error":{"code":"ServiceError","message":"try again"}}"""), new FakeReply(status));

        await Teams.SendAsync(Help());
        await Fake.WaitForAsync(_ => true);

        var attempts = await PassTimeUntilAsync(Fake.Arrival(_ => true, 3));
        Assert.True(attempts[1].At > attempts[0].At && attempts[2].At > attempts[1].At, "each retry waited for its backoff");
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Equal(3, Fake.Requests.Count);
    }

    [Fact]
    public async Task AConnectorThatHangsIsAbandonedAfterTheTimeoutAndTriedAgain()
    {
        Fake.Script(new FakeReply(201, """{"id":"late"}""", Hang: TimeSpan.FromMinutes(5)));

        await Teams.SendAsync(Help());
        var hanging = await Fake.WaitForAsync(_ => true);

        // The attempt's timeout started with it, before the request left; the connector never answers.
        Clock.Advance(AttemptTimeout);
        var attempts = await PassTimeUntilAsync(Fake.Arrival(_ => true, 2));

        Assert.Same(hanging, attempts[0]);
        Assert.True(attempts[1].At - attempts[0].At >= AttemptTimeout, $"tried again after {attempts[1].At - attempts[0].At}");
        Assert.Equal(attempts[0].Body!.ToJsonString(), attempts[1].Body!.ToJsonString());
    }

    [Fact]
    public async Task ConnectorErrorsThatWontHealAreNotRetried()
    {
        Fake.Script(new FakeReply(400, """{"error":{"code":"BadArgument","message":"nope"}}"""));

        await Teams.SendAsync(Help());

        // Time enough for every retry there could be: had it retried, the retries would be here.
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task GivingUpAfterTheRetriesLeavesTheBotWorking()
    {
        Fake.Script(Enumerable.Repeat(new FakeReply(503), 4).ToArray());
        await Teams.SendAsync(Help());
        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Equal(4, Fake.Requests.Count); // 1 + 3 retries, then it stops

        await Teams.SendAsync(Help("stretch"));
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
    }

    [Theory]
    [InlineData(403, "BotNotInConversationRoster")]
    [InlineData(404, "ConversationNotFound")]
    public async Task AConversationTheBotIsNoLongerInIsMarkedGoneWithoutRetrying(int status, string code)
    {
        await Teams.SendAsync(TeamsClient.Fixture("installationUpdate-add-team.json"));
        await BackgroundWorkFinishedAsync();
        Fake.Script(new FakeReply(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = "The bot is not part of the conversation roster." } }.ToJsonString()));

        var message = TeamsClient.Fixture("installationUpdate-add-team.json");
        message["type"] = "message";
        message["text"] = "stretch";
        message["id"] = "1700000000009";
        await Teams.SendAsync(message);

        await PassTimeUntilBackgroundWorkFinishedAsync();
        Assert.Equal(code, (string?)Factory.Rows("SELECT gone_reason FROM installs")[0][0]);
        Assert.Equal(2, Fake.Requests.Count);

        // Installed again: it's back, and says hello again.
        await Teams.SendAsync(TeamsClient.Fixture("installationUpdate-add-team.json"));
        await BackgroundWorkFinishedAsync();
        Assert.Null(Factory.Rows("SELECT gone_at FROM installs")[0][0]);
        Assert.Equal(3, Fake.Requests.Count);
    }

    [Fact]
    public async Task TheBotsTokenIsFetchedOnceForABurstOfSendsAndReused()
    {
        // Entra is slow with the first token: the three replies, sent by parallel background workers, all need it.
        Fake.HoldTokenAnswers();
        await Teams.SendAsync(Help());
        await Teams.SendAsync(Help("stats"));
        await Teams.SendAsync(Help("leaderboard"));
        await Fake.TokenRequested;

        Fake.ReleaseTokenAnswers();
        await Fake.WaitForAsync(_ => true, 3);
        await BackgroundWorkFinishedAsync();

        Assert.Equal(1, Fake.TokenRequests);
        Assert.Equal(3, Fake.Requests.Count);
        Assert.All(Fake.Requests, r => Assert.Equal("Bearer bot-token-1", r.Authorization));
    }

    [Fact]
    public async Task AFirstTokenSlowerThanTheAttemptTimeoutIsWaitedForNotFetchedAgain()
    {
        Fake.HoldTokenAnswers();
        await Teams.SendAsync(Help());
        await Fake.TokenRequested;

        // The attempt gives up waiting for the token; the token request goes on, and the retry waits for its answer.
        Clock.Advance(AttemptTimeout);
        Fake.ReleaseTokenAnswers();
        var reply = await PassTimeUntilAsync(Fake.Arrival(r => r.Method == "POST"));

        Assert.Equal("Bearer bot-token-1", reply[0].Authorization);
        await BackgroundWorkFinishedAsync();
        Assert.Equal(1, Fake.TokenRequests);
    }

    private static JsonObject Help(string text = "help") => TeamsClient.ChannelMessage(text, TeamsUser.Ada);
}
