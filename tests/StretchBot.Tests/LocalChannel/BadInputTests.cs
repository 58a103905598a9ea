using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Channels;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.LocalChannel;

public sealed class BadInputTests : AppTest
{
    private async Task<(DirectLineClient Chat, JsonObject Done)> ChatWithOneCompletionAsync()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("stretch");
        var done = await chat.LastDoneDataAsync();
        await chat.SubmitAsync(done);
        await chat.PollAsync();
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        return (chat, done);
    }

    [Theory]
    [InlineData("{\"type\": \"message\", ", "not valid JSON")]
    [InlineData("[1, 2, 3]", "JSON object")]
    [InlineData("{\"type\": \"dance\", \"from\": {\"id\": \"u-ada\"}}", "Unknown activity type 'dance'")]
    [InlineData("{\"from\": {\"id\": \"u-ada\"}, \"text\": \"hi\"}", "'type'")]
    [InlineData("{\"type\": \"message\", \"text\": \"hi\"}", "'from.id'")]
    [InlineData("{\"type\": \"message\", \"from\": {\"id\": \"u-ada\"}, \"text\": 42}", "'text' must be a string")]
    [InlineData("{\"type\": \"message\", \"from\": {\"id\": \"u-ada\"}, \"value\": \"done\"}", "'value' must be an object")]
    public async Task AMalformedActivityGetsA400WithAClearMessageAndChangesNothing(string body, string expected)
    {
        var (chat, _) = await ChatWithOneCompletionAsync();

        using var response = await chat.PostRawAsync(body);
        var error = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadArgument", (string?)error!["error"]!["code"]);
        Assert.Contains(expected, (string?)error["error"]!["message"]);
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Empty(await chat.RepliesAsync());
    }

    [Fact]
    public async Task ABodyOverTheSizeLimitGets413()
    {
        var (chat, _) = await ChatWithOneCompletionAsync();
        var huge = DirectLineClient.Message(User.Ada, new string('x', 70 * 1024));

        using var response = await chat.PostRawAsync(huge.ToJsonString());
        var error = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("MessageSizeTooBig", (string?)error!["error"]!["code"]);
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
    }

    [Fact]
    public async Task ADoneWithAnUnknownPromptIdIsAnsweredKindlyAndCountsNothing()
    {
        var (chat, done) = await ChatWithOneCompletionAsync();
        done["promptId"] = "p_00000000000000000000000000000000";

        await chat.SubmitAsync(done, User.Grace);
        var reply = (await chat.RepliesAsync()).Select(DirectLineClient.TextOf).Last();

        Assert.Contains("couldn't count", reply);
        Assert.Contains("`stretch`", reply);
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
    }

    [Fact]
    public async Task ADoneWithAPromptFromAnotherConversationIsRefused()
    {
        var (_, done) = await ChatWithOneCompletionAsync();
        var other = await DirectLineClient.StartAsync(Factory.CreateClient());

        await other.SubmitAsync(done, User.Grace);
        var reply = (await other.RepliesAsync()).Select(DirectLineClient.TextOf).Last();

        Assert.Contains("couldn't count", reply);
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
    }

    [Fact]
    public async Task ADoneWhoseStretchDoesNotMatchItsPromptIsRefused()
    {
        var (chat, done) = await ChatWithOneCompletionAsync();
        done["stretchId"] = done["stretchId"]!.ToString() == "bar-hang" ? "fitball" : "bar-hang";

        await chat.SubmitAsync(done, User.Grace);

        Assert.Contains("couldn't count", (await chat.RepliesAsync()).Select(DirectLineClient.TextOf).Last());
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
    }

    [Fact]
    public async Task AnUnknownButtonIsAnsweredKindly()
    {
        var (chat, _) = await ChatWithOneCompletionAsync();

        await chat.SubmitAsync(new JsonObject { ["action"] = "explode", ["promptId"] = 12 });

        Assert.Contains("`help`", DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync())));
    }

    [Fact]
    public async Task AWrongTokenCannotReadOrWriteAConversation()
    {
        var http = Factory.CreateClient();
        var (chat, _) = await ChatWithOneCompletionAsync();
        var intruder = await DirectLineClient.StartAsync(http);

        using var post = await chat.PostRawAsync(DirectLineClient.Message(User.Grace, "stats").ToJsonString(), token: intruder.Token);
        using var read = new HttpRequestMessage(HttpMethod.Get, chat.ActivitiesUrl);
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", intruder.Token);
        using var get = await http.SendAsync(read);

        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task ABadWatermarkGets400()
    {
        var http = Factory.CreateClient();
        var chat = await DirectLineClient.StartAsync(http);
        using var request = new HttpRequestMessage(HttpMethod.Get, chat.ActivitiesUrl + "?watermark=yesterday");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task TheLocalChannelAndPlaygroundAnswerLoopbackClientsOnly()
    {
        Factory.RemoteAddress = IPAddress.Parse("203.0.113.7");
        var http = Factory.CreateClient();

        using var start = await http.PostAsync("/v3/directline/conversations", new StringContent("", Encoding.UTF8, "application/json"));
        using var page = await http.GetAsync("/");
        using var bundle = await http.GetAsync("/lib/webchat.js");

        Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bundle.StatusCode);
    }

    [Fact]
    public async Task ThePlaygroundServesTheOfficialWebChatBundle()
    {
        var http = Factory.CreateClient();

        var page = await http.GetStringAsync("/");
        using var bundle = await http.GetAsync("/lib/webchat.js");

        Assert.Contains("createDirectLine", page);
        Assert.Contains("/v3/directline", page);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync()).Length > 1_000_000);
    }

    // Each case: a valid activity of one shape, broken one way, and what the error must say.
    private static readonly Dictionary<string, (Func<byte[]> Body, string Expected)> Hostile = new()
    {
        ["duplicate type"] = (() => HostileBodies.WithDuplicate(Message(), "type", "invoke"), "duplicate property"),
        ["duplicate from"] = (() => HostileBodies.WithDuplicate(Message(), "from", new JsonObject { ["id"] = "u-mallory" }), "duplicate property"),
        ["duplicate from.id"] = (() => HostileBodies.WithDuplicate(Message(), "from.id", "u-mallory"), "duplicate property"),
        ["duplicate value.action"] = (() => HostileBodies.WithDuplicate(Submit(), "value.action", "stats"), "duplicate property"),
        ["duplicate deep in channelData"] = (() => HostileBodies.WithDuplicate(Message(), "channelData.clientActivityID", "x"), "duplicate property"),
        ["lone surrogate in text"] = (() => HostileBodies.WithLoneSurrogate(Message(), "text", "stretch "), "lone UTF-16 surrogate"),
        ["lone surrogate in from.id"] = (() => HostileBodies.WithLoneSurrogate(Message(), "from.id"), "lone UTF-16 surrogate"),
        ["lone surrogate in from.name"] = (() => HostileBodies.WithLoneSurrogate(Message(), "from.name", "Ada"), "lone UTF-16 surrogate"),
        ["lone surrogate in localTimezone"] = (() => HostileBodies.WithLoneSurrogate(Message(), "localTimezone"), "lone UTF-16 surrogate"),
        ["lone surrogate in value.promptId"] = (() => HostileBodies.WithLoneSurrogate(Submit(), "value.promptId"), "lone UTF-16 surrogate"),
        ["lone surrogate in an unread value field"] = (() => HostileBodies.WithLoneSurrogate(Submit(), "value.note"), "lone UTF-16 surrogate"),
        ["lone surrogate in type"] = (() => HostileBodies.WithLoneSurrogate(Message(), "type", "message"), "lone UTF-16 surrogate"),
        ["lone surrogate in the invoke name"] = (() => HostileBodies.WithLoneSurrogate(Invoke(), "name", "adaptiveCard/action"), "lone UTF-16 surrogate"),
        ["lone surrogate in the invoke verb"] = (() => HostileBodies.WithLoneSurrogate(Invoke(), "value.action.verb", "stats"), "lone UTF-16 surrogate"),
        ["lone surrogate in a property name"] = (() => HostileBodies.WithLoneSurrogateName(Message()), "lone UTF-16 surrogate"),
        ["stray 0xFF byte"] = (() => HostileBodies.WithBytes(Message(), "text", "stretch", [0xFF]), "not valid UTF-8"),
        ["overlong UTF-8 sequence"] = (() => HostileBodies.WithBytes(Message(), "text", "stretch", [0xC0, 0xAF]), "not valid UTF-8"),
        ["truncated UTF-8 sequence"] = (() => HostileBodies.WithBytes(Message(), "text", "stretch", [0xE2, 0x82]), "not valid UTF-8"),
        ["UTF-8 encoded surrogate"] = (() => HostileBodies.WithBytes(Message(), "from.name", "Ada", [0xED, 0xA0, 0x80]), "not valid UTF-8"),
        ["latin-1 body"] = (() => HostileBodies.WithBytes(Message(), "from.name", "Ren", [0xE9, 0x65]), "not valid UTF-8"),
        ["invoke value a string"] = (() => HostileBodies.WithJson(Invoke(), "value", "\"stats\""), "'value' must be an object"),
        ["invoke value an array"] = (() => HostileBodies.WithJson(Invoke(), "value", "[1, 2]"), "'value' must be an object"),
        ["invoke value.action a string"] = (() => HostileBodies.WithJson(Invoke(), "value.action", "\"stats\""), "'value.action' must be an object"),
        ["invoke value.action.data a string"] = (() => HostileBodies.WithJson(Invoke(), "value.action.data", "\"stats\""), "'value.action.data' must be an object"),
        ["channelData a string"] = (() => HostileBodies.WithJson(Message(), "channelData", "\"x\""), "'channelData' must be an object"),
        ["channelData an array"] = (() => HostileBodies.WithJson(Message(), "channelData", "[]"), "'channelData' must be an object"),
        ["channelData.tenant a string"] = (() => HostileBodies.WithJson(Message(), "channelData.tenant", "\"t\""), "'channelData.tenant' must be an object"),
        ["channelData.team a string"] = (() => HostileBodies.WithJson(Message(), "channelData.team", "\"t\""), "'channelData.team' must be an object"),
        ["recipient a string"] = (() => HostileBodies.WithJson(Message(), "recipient", "\"bot\""), "'recipient' must be an object"),
        ["conversation a number"] = (() => HostileBodies.WithJson(Message(), "conversation", "7"), "'conversation' must be an object"),
        ["mention.mentioned a string"] = (() => HostileBodies.WithJson(Message(), "entities", "[{\"type\":\"mention\",\"text\":\"@bot\",\"mentioned\":\"bot\"}]"), "'entities[].mentioned' must be an object"),
        ["entities an object"] = (() => HostileBodies.WithJson(Message(), "entities", "{}"), "'entities' must be an array"),
        ["localTimezone a number"] = (() => HostileBodies.WithJson(Message(), "localTimezone", "1"), "'localTimezone' must be a string"),
        ["invoke without value.action"] = (() => HostileBodies.WithJson(Invoke(), "value.action", null), "needs 'value.action'"),
        ["from.name an object"] = (() => HostileBodies.WithJson(Message(), "from.name", "{}"), "'from.name' must be a string"),
    };

    public static TheoryData<string> HostileCases => new(Hostile.Keys);

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task AHostileBodyGets400WithAClearMessageStoresNothingAndLaterPollsStillWork(string hostile)
    {
        var (chat, _) = await ChatWithOneCompletionAsync();
        var people = Factory.Count("people");
        var (body, expected) = Hostile[hostile];

        using var response = await Factory.CreateClient().SendAsync(HostileBodies.Post(chat.ActivitiesUrl, body(), chat.Token));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadArgument", (string?)error["code"]);
        Assert.Contains(expected, (string?)error["message"]);
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Equal(people, Factory.Count("people"));
        // Nothing was echoed, and the conversation still polls and answers.
        Assert.Empty(await chat.PollAsync());
        await chat.SayAsync("help");
        Assert.NotEmpty(await chat.RepliesAsync());
    }

    [Fact]
    public async Task FieldsWeDoNotReadAreReadLeniently()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        var activity = Message();
        activity["locale"] = 42;
        activity["textFormat"] = new JsonArray();
        activity["suggestedActions"] = "none";
        activity["channelData"]!["somethingNew"] = new JsonArray(1, "two", null);

        await chat.SendAsync(activity);

        Assert.Contains(await chat.RepliesAsync(), reply => ((string?)reply["summary"])?.StartsWith("Stretch:", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task AnEchoWithAnyUnicodeIsServedBackIntactOnEveryPoll()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        var activity = DirectLineClient.Message(new User("u-ren", "Renée 🧘‍♀️ \"R\" <b>", "Asia/Kolkata"), "help 🙆🏽 \\ \u2028 €");
        activity["channelData"]!["note"] = "𝄞 and \u0000 and \ufffd";

        await chat.SendAsync(activity);
        var echo = (await chat.PollAsync()).First(a => (string?)a["from"]?["role"] == "user");

        Assert.Equal("help 🙆🏽 \\ \u2028 €", (string?)echo["text"]);
        Assert.Equal("𝄞 and \u0000 and \ufffd", (string?)echo["channelData"]!["note"]);
        var again = Factory.CreateClient();
        using var read = new HttpRequestMessage(HttpMethod.Get, chat.ActivitiesUrl);
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);
        using var poll = await again.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
    }

    [Fact]
    public async Task ABodyThatStopsArrivingGets408AndChangesNothing()
    {
        var clock = new TimerSignalClock(StretchBotFactory.Start, ActivityBody.ReadTimeout);
        Factory.ServiceChanges.Add(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(clock);
        });
        var (chat, _) = await ChatWithOneCompletionAsync();
        using var body = new StalledBody("{\"type\":\"message\",\"from\":{\"id\":\"u-ada\"},\"text\":\"sta", declaredLength: 400);
        using var request = new HttpRequestMessage(HttpMethod.Post, chat.ActivitiesUrl) { Content = body };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);

        // The test server's own client: the factory's default one buffers request bodies (to replay them on redirects).
        var timersBefore = clock.WatchedTimers;
        var sending = Factory.Server.CreateClient().SendAsync(request);
        await clock.WatchedTimerCreatedAfter(timersBefore).WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(ActivityBody.ReadTimeout + TimeSpan.FromSeconds(1));
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(30));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("RequestTimeout", (string?)error["code"]);
        Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Empty(await chat.PollAsync());
    }

    [Fact]
    public async Task ABodyShorterThanItsContentLengthGets400()
    {
        var (chat, _) = await ChatWithOneCompletionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, chat.ActivitiesUrl)
        {
            Content = new StalledBody("{\"type\":\"message\",\"from\":{\"id\":\"u-ada\"},\"text\":\"sta", declaredLength: 400, endEarly: true),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);

        using var response = await Factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadArgument", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Empty(await chat.PollAsync());
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/London" + "                                                                              x")]
    [InlineData("Europe/London/../../../../etc/passwd")]
    public async Task ATimeZoneThatIsTooLongOrUnknownIsNotStored(string zone)
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        var activity = DirectLineClient.Message(new User("u-zoe", "Zoe", zone), "stats");

        await chat.SendAsync(activity);

        Assert.NotEmpty(await chat.RepliesAsync());
        Assert.Null(Factory.Rows("SELECT time_zone FROM people WHERE user_id = 'u-zoe'").Single()[0]);
    }

    [Fact]
    public async Task AKnownTimeZoneAndALongNameAreStoredBounded()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        var name = "Zoe" + new string('z', 300) + "\n\u0007";

        await chat.SendAsync(DirectLineClient.Message(new User("u-zoe", name, "Asia/Kolkata"), "stats"));

        var row = Factory.Rows("SELECT display_name, time_zone FROM people WHERE user_id = 'u-zoe'").Single();
        Assert.Equal(("Zoe" + new string('z', 300))[..ActivityFields.MaxNameLength], (string?)row[0]);
        Assert.Equal("Asia/Kolkata", (string?)row[1]);
    }

    [Fact]
    public async Task ANameCutAtTheLimitNeverSplitsAnEmoji()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        // 79 letters and then an emoji: its two UTF-16 halves straddle the 80-character limit.
        var name = new string('a', ActivityFields.MaxNameLength - 1) + "🧘";

        await chat.SendAsync(DirectLineClient.Message(new User("u-zoe", name), "stats"));

        Assert.Equal(new string('a', ActivityFields.MaxNameLength - 1), (string?)Factory.Rows("SELECT display_name FROM people WHERE user_id = 'u-zoe'").Single()[0]);
        Assert.NotEmpty(await chat.RepliesAsync());
    }

    private static JsonObject Message() => DirectLineClient.Message(User.Ada, "stretch");

    private static JsonObject Submit()
    {
        var activity = DirectLineClient.Message(User.Ada, null);
        activity["value"] = new JsonObject { ["action"] = "stats", ["promptId"] = "p_1" };
        return activity;
    }

    private static JsonObject Invoke()
    {
        var activity = DirectLineClient.Message(User.Ada, null);
        activity["type"] = "invoke";
        activity["name"] = "adaptiveCard/action";
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "stats", ["data"] = new JsonObject { ["action"] = "stats" } },
        };
        return activity;
    }
}
