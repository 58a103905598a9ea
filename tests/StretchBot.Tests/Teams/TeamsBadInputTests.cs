using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
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
}
