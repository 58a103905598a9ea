using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

public sealed class InboundAuthenticationTests : TeamsTest
{
    private DateTimeOffset Now => Factory.Clock.GetUtcNow();

    [Fact]
    public async Task AValidConnectorTokenIsAcceptedAndTheReplyGoesOutWithTheBotsOwnToken()
    {
        using var response = await Teams.PostAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Equal("Bearer bot-token-1", reply.Authorization);
        Assert.Equal(1, Factory.Count("people"));
    }

    public static TheoryData<string> BadTokens => new()
    {
        "wrong issuer", "wrong audience", "no audience", "expired", "not yet valid", "unknown kid", "key not endorsed for msteams",
        "serviceurl mismatch", "missing header", "Basic scheme", "lowercase bearer", "three parts", "alg none", "HS256 with the public key", "garbage",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task EveryBadTokenGets401AndNothingIsStoredOrSent(string why)
    {
        var activity = TeamsClient.ChannelMessage("stretch", TeamsUser.Ada);
        string? authorization = why switch
        {
            "wrong issuer" => Bearer(Fake.Token(Now, issuer: "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/")),
            "wrong audience" => Bearer(Fake.Token(Now, audience: "00000000-1111-2222-3333-444444444444")),
            "no audience" => Bearer(Fake.Token(Now, audience: null)),
            // Past the 5 minutes of skew on either side.
            "expired" => Bearer(Fake.Token(Now, notBeforeOffset: TimeSpan.FromMinutes(-70))),
            "not yet valid" => Bearer(Fake.Token(Now, notBeforeOffset: TimeSpan.FromMinutes(6))),
            "unknown kid" => Bearer(Fake.Token(Now, key: Fake.UnpublishedKey)),
            "key not endorsed for msteams" => Bearer(Fake.Token(Now, key: Fake.EmulatorKey)),
            "serviceurl mismatch" => Bearer(Fake.Token(Now, serviceUrl: "https://evil.example.com/amer/")),
            "missing header" => null,
            "Basic scheme" => "Basic " + Convert.ToBase64String("app:secret"u8.ToArray()),
            "lowercase bearer" => "bearer " + Fake.Token(Now),
            "three parts" => "Bearer " + Fake.Token(Now) + " extra",
            "alg none" => Bearer(FakeBotFramework.UnsignedToken(Now)),
            "HS256 with the public key" => Bearer(Fake.PublicKeyHmacToken(Now)),
            "garbage" => "Bearer not.a.jwt",
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        };

        using var response = authorization is null
            ? await Teams.PostAsync(activity, noAuthorization: true)
            : await Teams.PostAsync(activity, authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Equal(0, Factory.Count("people"));
        Assert.Equal(0, Factory.Count("prompts"));
        await AssertNothingSentAsync();
    }

    [Fact]
    public async Task AnInvokeWithABadTokenIsRefusedBeforeAnythingIsCounted()
    {
        var invoke = TeamsClient.Execute(new JsonObject { ["action"] = "done", ["promptId"] = "p_0123456789abcdef0123456789abcdef" }, TeamsUser.Ada, "1");
        using var response = await Teams.PostAsync(invoke, Bearer(Fake.Token(Now, key: Fake.EmulatorKey)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Factory.Count("people"));
    }

    [Theory]
    [InlineData(-64)] // expired 4 minutes ago: inside the 5 minutes of skew
    [InlineData(4)] // valid from 4 minutes from now: inside the skew
    public async Task ClockSkewOfUpToFiveMinutesIsTolerated(int notBeforeMinutes)
    {
        using var response = await Teams.PostAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada), Bearer(Fake.Token(Now, notBeforeOffset: TimeSpan.FromMinutes(notBeforeMinutes))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheServiceUrlClaimIsComparedIgnoringCase()
    {
        using var response = await Teams.PostAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada), Bearer(Fake.Token(Now, serviceUrl: "HTTPS://SMBA.TrafficManager.NET/amer/")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha384)]
    [InlineData(SecurityAlgorithms.RsaSha512)]
    public async Task Rs384AndRs512AreAccepted(string algorithm)
    {
        using var response = await Teams.PostAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada), Bearer(Fake.Token(Now, algorithm: algorithm)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheSigningKeysAreFetchedOnceAndCached()
    {
        for (var i = 0; i < 5; i++)
        {
            using var response = await Teams.PostAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, Fake.KeyDocumentRequests);
    }

    private static string Bearer(string token) => "Bearer " + token;
}

public sealed class AuthenticationOffTests : AppTest
{
    [Fact]
    public async Task WithNoAppIdOnlyLoopbackCallersMayPostWithoutAToken()
    {
        var http = Factory.CreateClient();
        var activity = TeamsClient.Fixture("message-personal.json");
        activity["serviceUrl"] = "http://127.0.0.1:9/"; // nothing listens; replies fail quietly

        Factory.RemoteAddress = IPAddress.Parse("203.0.113.7");
        using (var remote = await Post(http, activity))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, remote.StatusCode);
        }

        Factory.RemoteAddress = IPAddress.Loopback;
        using (var local = await Post(http, activity))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }
    }

    private static Task<HttpResponseMessage> Post(HttpClient http, JsonObject activity) =>
        http.PostAsync("/api/messages", new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
}
