using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
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
}
