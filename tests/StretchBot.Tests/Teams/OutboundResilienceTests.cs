using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>The Bot Connector misbehaves the ways Teams documents; replies still arrive, or stop cleanly.</summary>
public sealed class OutboundResilienceTests : TeamsTest
{
    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings["Teams:OutboundRetryDelay"] = "00:00:00.050";
        factory.Settings["Teams:OutboundAttemptTimeout"] = "00:00:01";
    }

    [Fact]
    public async Task A429IsRetriedAfterTheRetryAfterItGives()
    {
        Fake.Script(new FakeReply(429, """{"error":{"code":"Throttled","message":"Too many requests"}}""", RetryAfter: TimeSpan.FromSeconds(1)));

        await Teams.SendAsync(Help());

        var attempts = await AttemptsAsync(2);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {(attempts[1].At - attempts[0].At).TotalMilliseconds:0} ms");
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

        var attempts = await AttemptsAsync(3);
        Assert.Equal(3, attempts.Count);
    }

    [Fact]
    public async Task AConnectorThatHangsIsAbandonedAfterTheTimeoutAndTriedAgain()
    {
        Fake.Script(new FakeReply(201, """{"id":"late"}""", Hang: TimeSpan.FromSeconds(30)));

        await Teams.SendAsync(Help());

        var attempts = await AttemptsAsync(2, TimeSpan.FromSeconds(10));
        // The 1 s timeout runs from when the client starts the attempt; the fake stamps the attempt when it has read it,
        // which on a busy machine can be a few hundred ms later (a new connection, a token). So the gap between the two
        // arrivals is a little under 1 s at worst, and far above the 50 ms an immediate retry would give.
        var gap = attempts[1].At - attempts[0].At;
        Assert.InRange(gap.TotalSeconds, 0.5, 5);
    }

    [Fact]
    public async Task ConnectorErrorsThatWontHealAreNotRetried()
    {
        Fake.Script(new FakeReply(400, """{"error":{"code":"BadArgument","message":"nope"}}"""));

        await Teams.SendAsync(Help());

        await Task.Delay(500);
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task GivingUpAfterTheRetriesLeavesTheBotWorking()
    {
        Fake.Script(Enumerable.Repeat(new FakeReply(503), 4).ToArray());
        await Teams.SendAsync(Help());
        await AttemptsAsync(4);
        await Task.Delay(300);
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
        await Fake.WaitForAsync(r => r.Method == "POST");
        Fake.Script(new FakeReply(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = "The bot is not part of the conversation roster." } }.ToJsonString()));

        var message = TeamsClient.Fixture("installationUpdate-add-team.json");
        message["type"] = "message";
        message["text"] = "stretch";
        message["id"] = "1700000000009";
        await Teams.SendAsync(message);

        await WaitUntilAsync(() => Factory.Rows("SELECT gone_reason FROM installs")[0][0] is string);
        Assert.Equal(code, (string?)Factory.Rows("SELECT gone_reason FROM installs")[0][0]);
        await Task.Delay(300);
        Assert.Equal(2, Fake.Requests.Count);

        // Installed again: it's back, and says hello again.
        await Teams.SendAsync(TeamsClient.Fixture("installationUpdate-add-team.json"));
        await WaitUntilAsync(() => Factory.Rows("SELECT gone_at FROM installs")[0][0] is null);
        await WaitUntilAsync(() => Fake.Requests.Count == 3);
    }

    [Fact]
    public async Task TheBotsTokenIsFetchedOnceAndReusedUntilItNearlyExpires()
    {
        // A slow token endpoint: the three replies, sent by parallel background workers, all wait for the first token.
        Fake.TokenDelay = TimeSpan.FromMilliseconds(300);
        await Teams.SendAsync(Help());
        await Teams.SendAsync(Help("stats"));
        await Teams.SendAsync(Help("leaderboard"));

        await AttemptsAsync(3);
        Assert.Equal(1, Fake.TokenRequests);
        Assert.All(Fake.Requests, r => Assert.Equal("Bearer bot-token-1", r.Authorization));
    }

    private static JsonObject Help(string text = "help") => TeamsClient.ChannelMessage(text, TeamsUser.Ada);

    private async Task<List<ConnectorRequest>> AttemptsAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = Fake.Now + (timeout ?? TimeSpan.FromSeconds(10));
        while (Fake.Requests.Count < count && Fake.Now < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(Fake.Requests.Count >= count, $"only {Fake.Requests.Count} of {count} attempts reached the connector");
        return Fake.Requests.OrderBy(r => r.At).ToList();
    }
}
