using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Channels;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>Authenticated but broken requests get a clear 4xx, never a 500, and nothing stored is lost.</summary>
public sealed class TeamsBadInputTests : TeamsTest
{
    [Theory]
    [InlineData("{\"type\":\"message\",", "not valid JSON")]
    [InlineData("[1,2,3]", "JSON object")]
    [InlineData("{\"text\":\"hi\"}", "'type'")]
    [InlineData("{\"type\":\"message\",\"text\":42}", "'text' must be a string")]
    [InlineData("{\"type\":\"message\",\"from\":\"me\"}", "'from' must be an object")]
    [InlineData("{\"type\":\"message\",\"serviceUrl\":\"javascript:alert(1)\"}", "serviceUrl")]
    public async Task ABrokenActivityGets400WithAClearMessage(string body, string expected)
    {
        await SeedAsync();

        using var response = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("BadArgument", (string?)error["code"]);
        Assert.Contains(expected, (string?)error["message"]);
        Assert.Equal(1, Factory.Count("completions"));
    }

    [Fact]
    public async Task AnOversizedActivityGets413()
    {
        var activity = TeamsClient.ChannelMessage(new string('x', 300 * 1024), TeamsUser.Ada);

        using var response = await Teams.PostAsync(activity);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("MessageSizeTooBig", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
    }

    [Fact]
    public async Task OnlyPostIsAllowed()
    {
        using var response = await Http.GetAsync("/api/messages");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("messageReaction")]
    [InlineData("typing")]
    [InlineData("someEventTeamsAddsNextYear")]
    public async Task ActivityTypesWeDontUseAreAcknowledgedAndIgnored(string type)
    {
        var activity = TeamsClient.ChannelMessage("stretch", TeamsUser.Ada);
        activity["type"] = type;

        await Teams.SendAsync(activity);

        await AssertNothingSentAsync();
        Assert.Equal(0, Factory.Count("people"));
    }

    [Fact]
    public async Task AnInvokeWithoutAnActionGetsAnInvokeErrorNotA500()
    {
        var invoke = TeamsClient.Execute(new JsonObject { ["action"] = "done" }, TeamsUser.Ada, "1");
        invoke["value"] = new JsonObject { ["trigger"] = "manual" };

        var answer = await Teams.InvokeAsync(invoke);

        Assert.Equal(400, (int?)answer["statusCode"]);
        Assert.Equal("application/vnd.microsoft.error", (string?)answer["type"]);
    }

    [Fact]
    public async Task AnActionThatIsNotExecuteIsNotSupported()
    {
        var invoke = TeamsClient.Execute(new JsonObject { ["action"] = "done" }, TeamsUser.Ada, "1");
        invoke["value"]!["action"]!["type"] = "Action.Submit";

        var answer = await Teams.InvokeAsync(invoke);

        Assert.Equal(400, (int?)answer["statusCode"]);
        Assert.Equal("NotSupported", (string?)answer["value"]!["code"]);
    }

    [Fact]
    public async Task OtherInvokesGet200WithNoBody()
    {
        var invoke = TeamsClient.Execute(new JsonObject(), TeamsUser.Ada, "1");
        invoke["name"] = "task/fetch";

        using var response = await Teams.PostAsync(invoke);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ADoneForAPromptFromAnotherTenantCountsNothing()
    {
        var done = await SeedAsync();
        var invoke = TeamsClient.Execute(done, TeamsUser.Grace, "1");
        invoke["conversation"]!["tenantId"] = "00000000-0000-0000-0000-0000000000aa";
        invoke["channelData"]!["tenant"]!["id"] = "00000000-0000-0000-0000-0000000000aa";

        var answer = await Teams.InvokeAsync(invoke);

        Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
        Assert.Contains("couldn't count that one", (string?)answer["value"]);
        Assert.Equal(1, Factory.Count("completions"));
    }

    [Fact]
    public async Task MentionsAndMarkupAreStrippedBeforeTheCommandIsRead()
    {
        var activity = TeamsClient.ChannelMessage("x", TeamsUser.Grace);
        activity["text"] = "<p><at>StretchBot</at>&nbsp;stretch&nbsp;desk</p>";

        await Teams.SendAsync(activity);

        var card = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Contains("desk", CardReader.AllText(card.Card), StringComparison.OrdinalIgnoreCase);
        // clientInfo's time zone is kept for the person.
        Assert.Equal("America/New_York", (string?)Factory.Rows("SELECT time_zone FROM people WHERE user_id = '29:1grace-hopper'")[0][0]);
    }

    /// <summary>One completion already stored, so a bad request can be shown to lose nothing.</summary>
    private async Task<JsonObject> SeedAsync()
    {
        await Teams.SendAsync(TeamsClient.ChannelMessage("stretch", TeamsUser.Ada));
        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        var done = ChannelScenarioTests.DoneData(posted.Card!);
        var answer = await Teams.InvokeAsync(TeamsClient.Execute(done, TeamsUser.Ada, "1"));
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)answer["type"]);
        Assert.Equal(1, Factory.Count("completions"));
        return done;
    }

    private Task<HttpResponseMessage> PostRawAsync(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fake.Token(Factory.Clock.GetUtcNow()));
        return Http.SendAsync(request);
    }

    // Each case: a valid activity of one shape, broken one way, and what the error must say.
    private static readonly Dictionary<string, (Func<byte[]> Body, string Expected)> Hostile = new()
    {
        ["duplicate type"] = (() => HostileBodies.WithDuplicate(Message(), "type", "invoke"), "duplicate property"),
        ["duplicate from"] = (() => HostileBodies.WithDuplicate(Message(), "from", new JsonObject { ["id"] = "29:mallory" }), "duplicate property"),
        ["duplicate from.id"] = (() => HostileBodies.WithDuplicate(Message(), "from.id", "29:mallory"), "duplicate property"),
        ["duplicate value.action"] = (() => HostileBodies.WithDuplicate(Submit(), "value.action", "leaderboard"), "duplicate property"),
        ["duplicate channelData.tenant.id"] = (() => HostileBodies.WithDuplicate(Message(), "channelData.tenant.id", "00000000-0000-0000-0000-0000000000aa"), "duplicate property"),
        ["lone surrogate in text"] = (() => HostileBodies.WithLoneSurrogate(Message(), "text", "stretch "), "lone UTF-16 surrogate"),
        ["lone surrogate in from.id"] = (() => HostileBodies.WithLoneSurrogate(Message(), "from.id", "29:"), "lone UTF-16 surrogate"),
        ["lone surrogate in from.name"] = (() => HostileBodies.WithLoneSurrogate(Message(), "from.name", "Ada"), "lone UTF-16 surrogate"),
        ["lone surrogate in the clientInfo time zone"] = (() => HostileBodies.WithLoneSurrogate(Message(), "entities[1].timezone"), "lone UTF-16 surrogate"),
        ["lone surrogate in value.promptId"] = (() => HostileBodies.WithLoneSurrogate(Submit(), "value.promptId"), "lone UTF-16 surrogate"),
        ["lone surrogate in type"] = (() => HostileBodies.WithLoneSurrogate(Message(), "type", "message"), "lone UTF-16 surrogate"),
        ["lone surrogate in the invoke name"] = (() => HostileBodies.WithLoneSurrogate(Invoke(), "name", "adaptiveCard/action"), "lone UTF-16 surrogate"),
        ["lone surrogate in the invoke verb"] = (() => HostileBodies.WithLoneSurrogate(Invoke(), "value.action.verb", "stats"), "lone UTF-16 surrogate"),
        ["lone surrogate in a property name"] = (() => HostileBodies.WithLoneSurrogateName(Message()), "lone UTF-16 surrogate"),
        ["stray 0xFF byte"] = (() => HostileBodies.WithBytes(Message(), "text", "stretch", [0xFF]), "not valid UTF-8"),
        ["overlong UTF-8 sequence"] = (() => HostileBodies.WithBytes(Message(), "text", "stretch", [0xC0, 0xAF]), "not valid UTF-8"),
        ["truncated UTF-8 sequence"] = (() => HostileBodies.WithBytes(Message(), "from.name", "Ada", [0xE2, 0x82]), "not valid UTF-8"),
        ["latin-1 body"] = (() => HostileBodies.WithBytes(Message(), "from.name", "Ren", [0xE9, 0x65]), "not valid UTF-8"),
        ["invoke value a string"] = (() => HostileBodies.WithJson(Invoke(), "value", "\"stats\""), "'value' must be an object"),
        ["invoke value an array"] = (() => HostileBodies.WithJson(Invoke(), "value", "[]"), "'value' must be an object"),
        ["invoke value.action a string"] = (() => HostileBodies.WithJson(Invoke(), "value.action", "\"stats\""), "'value.action' must be an object"),
        ["invoke value.action.data an array"] = (() => HostileBodies.WithJson(Invoke(), "value.action.data", "[]"), "'value.action.data' must be an object"),
        ["channelData a string"] = (() => HostileBodies.WithJson(Message(), "channelData", "\"x\""), "'channelData' must be an object"),
        ["channelData an array"] = (() => HostileBodies.WithJson(Message(), "channelData", "[]"), "'channelData' must be an object"),
        ["channelData.tenant a string"] = (() => HostileBodies.WithJson(Message(), "channelData.tenant", "\"t\""), "'channelData.tenant' must be an object"),
        ["channelData.team a string"] = (() => HostileBodies.WithJson(Message(), "channelData.team", "\"t\""), "'channelData.team' must be an object"),
        ["recipient a string"] = (() => HostileBodies.WithJson(Message(), "recipient", "\"bot\""), "'recipient' must be an object"),
        ["conversation.isGroup a string"] = (() => HostileBodies.WithJson(Message(), "conversation.isGroup", "\"yes\""), "'conversation.isGroup' must be true or false"),
        ["mention.mentioned a string"] = (() => HostileBodies.WithJson(Message(), "entities[0].mentioned", "\"StretchBot\""), "'entities[].mentioned' must be an object"),
        ["membersAdded an object"] = (() => HostileBodies.WithJson(Message(), "membersAdded", "{}"), "'membersAdded' must be an array"),
        ["a tenant id of 4 KB"] = (() => HostileBodies.WithJson(Message(), "conversation.tenantId", $"\"{new string('a', 4096)}\""), "'conversation.tenantId' must be at most"),
    };

    public static TheoryData<string> HostileCases => new(Hostile.Keys);

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task AHostileBodyGets400BeforeAnythingIsAcknowledgedOrStored(string hostile)
    {
        await SeedAsync();
        var work = Factory.Services.GetRequiredService<BackgroundWork>();
        await work.WhenIdleAsync();
        var people = Factory.Count("people");
        // Messages sent; the seeded Done's shared-card refresh (a PUT) may still come on its own schedule.
        var sent = Fake.Requests.Count(r => r.Method == "POST");
        var (body, expected) = Hostile[hostile];

        using var response = await Http.SendAsync(HostileBodies.Post("/api/messages", body(), Fake.Token(Factory.Clock.GetUtcNow(), TeamsClient.ServiceUrl)));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadArgument", (string?)error["code"]);
        Assert.Contains(expected, (string?)error["message"]);
        Assert.Equal(1, Factory.Count("completions"));
        Assert.Equal(people, Factory.Count("people"));
        // Refused before the 200, so no background turn exists that could send or store anything later.
        await work.WhenIdleAsync();
        Assert.Equal(sent, Fake.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task ExtraFieldsAndFieldsWeDoNotReadAreReadLenientlyAndAnswered()
    {
        var activity = Message();
        activity["locale"] = 42;
        activity["value"] = "not an object, and not read for a message with text";
        activity["someFieldTeamsAddsNextYear"] = new JsonArray(1, "two", null);
        activity["channelData"]!["eventType"] = new JsonObject { ["odd"] = true };
        activity["entities"]!.AsArray().Add(new JsonObject { ["type"] = "somethingNew", ["mentioned"] = "only mentions' mentioned is read" });

        await Teams.SendAsync(activity);

        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("America/New_York                                                                     x")]
    public async Task AClientTimeZoneThatIsUnknownOrTooLongIsNotStored(string zone)
    {
        var activity = TeamsClient.ChannelMessage("stretch", TeamsUser.Grace with { TimeZone = zone });

        await Teams.SendAsync(activity);

        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Null(Factory.Rows("SELECT time_zone FROM people WHERE user_id = '29:1grace-hopper'").Single()[0]);
    }

    [Fact]
    public async Task ALongDisplayNameIsStoredBounded()
    {
        var activity = TeamsClient.ChannelMessage("stretch", TeamsUser.Grace with { Name = "Grace " + new string('h', 500) });

        await Teams.SendAsync(activity);

        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Equal(ActivityFields.MaxNameLength, ((string)Factory.Rows("SELECT display_name FROM people WHERE user_id = '29:1grace-hopper'").Single()[0]!).Length);
    }

    private static JsonObject Message() => TeamsClient.ChannelMessage("stretch", TeamsUser.Ada);

    private static JsonObject Submit() => TeamsClient.Submit(new JsonObject { ["action"] = "stats", ["promptId"] = "p_1" }, TeamsUser.Ada, "1");

    private static JsonObject Invoke() => TeamsClient.Execute(new JsonObject { ["action"] = "stats" }, TeamsUser.Ada, "1");
}

/// <summary>A body that stops arriving is answered 408 on the app's clock, before authentication's result matters.</summary>
public sealed class TeamsSlowBodyTests : TeamsTest
{
    private readonly TimerSignalClock _clock = new(StretchBotFactory.Start, ActivityBody.ReadTimeout);

    protected override void Configure(StretchBotFactory factory) => factory.ServiceChanges.Add(services =>
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(_clock);
    });

    [Fact]
    public async Task ABodyThatStopsArrivingGets408AndNothingIsAcknowledged()
    {
        using var body = new StalledBody("{\"type\":\"message\",\"text\":\"sta", declaredLength: 2000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = body };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fake.Token(Factory.Clock.GetUtcNow(), TeamsClient.ServiceUrl));

        // The test server's own client: the factory's default one buffers request bodies (to replay them on redirects).
        var timersBefore = _clock.WatchedTimers;
        var sending = Factory.Server.CreateClient().SendAsync(request);
        await _clock.WatchedTimerCreatedAfter(timersBefore).WaitAsync(TimeSpan.FromSeconds(30));
        _clock.Advance(ActivityBody.ReadTimeout + TimeSpan.FromSeconds(1));
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("RequestTimeout", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Empty(Fake.Requests);
        Assert.Equal(0, Factory.Count("people"));
    }
}
