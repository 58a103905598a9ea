using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StretchBot.Channels.Teams;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>
/// The Azure Bot's other channels reach /api/messages with valid tokens too: the portal's "Test in Web Chat"
/// (webchat) and Direct Line through Azure. They are answered as generic Bot Framework channels, at their own
/// serviceUrl, with Action.Submit cards; Teams-only behaviour stays with msteams.
/// </summary>
public sealed class AzureBotChannelsTests : TeamsTest
{
    private const string WebChatServiceUrl = "https://webchat.botframework.com/";
    private const string DirectLineServiceUrl = "https://directline.botframework.com/";

    [Fact]
    public async Task AMessageFromThePortalsWebChatIsAnsweredAtItsServiceUrlWithCardsItCanClick()
    {
        await Teams.SendAsync(WebChat("stretch desk", "Gq7Sx3uHm1o-eu|0000001"));

        var posted = await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Equal($"/v3/conversations/{Uri.EscapeDataString("Gq7Sx3uHm1o-eu")}/activities/{Uri.EscapeDataString("Gq7Sx3uHm1o-eu|0000001")}", posted.Path);
        Assert.Equal("webchat.botframework.com", posted.Host);
        var actions = CardReader.Actions(posted.Card!).ToList();
        Assert.DoesNotContain(actions, a => (string?)a["type"] == "Action.Execute");
        var done = actions.First(a => (string?)a["type"] == "Action.Submit" && (string?)a["data"]?["action"] == "done");
        Assert.Null(posted.Card!["refresh"]);

        // Web Chat sends a Submit as a message with value; it counts, in the channel's default tenant.
        var submit = WebChat(null, "Gq7Sx3uHm1o-eu|0000003");
        submit["value"] = done["data"]!.DeepClone();
        await Teams.SendAsync(submit);

        await Fake.WaitForAsync(r => r.HasSummary("Done:"));
        var completion = Assert.Single(Factory.Rows("SELECT tenant_id, channel_id, conversation_id, display_name FROM completions"));
        Assert.Equal(["webchat:default", "webchat", "Gq7Sx3uHm1o-eu", "Ada"], completion);
    }

    [Fact]
    public async Task DirectLineThroughAzureUsesTheConversationsTenantWithinItsOwnChannel()
    {
        var activity = WebChat("stats", "dlconv42|0000001", channelId: "directline", serviceUrl: DirectLineServiceUrl);
        activity["conversation"]!["tenantId"] = "3e1c8c2a-0000-4000-8000-000000000042";

        await Teams.SendAsync(activity);

        var reply = await Fake.WaitForAsync(r => r.HasSummary("Your stretch stats"));
        Assert.Equal("directline.botframework.com", reply.Host);
        var person = Assert.Single(Factory.Rows("SELECT tenant_id FROM people"));
        Assert.Equal("directline:3e1c8c2a-0000-4000-8000-000000000042", person[0]);
    }

    [Fact]
    public async Task AWebChatClientNamingATeamsTenantAndPersonCannotRenameOrReadThem()
    {
        await Teams.SendAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada));
        await Fake.WaitForAsync(r => r.Method == "POST");

        // A Web Chat client writes its own channelData and from.id: it claims Ada's Teams tenant and id.
        var forged = WebChat("stats", "forged|0000001");
        forged["channelData"]!["tenant"] = new JsonObject { ["id"] = TeamsClient.Tenant };
        forged["conversation"]!["tenantId"] = TeamsClient.Tenant;
        forged["from"] = new JsonObject { ["id"] = TeamsUser.Ada.Id, ["name"] = "Mallory" };
        await Teams.SendAsync(forged);

        var stats = await Fake.WaitForAsync(r => r.HasSummary("Your stretch stats"));
        Assert.Contains("Mallory", CardReader.AllText(stats.Card));
        await BackgroundWorkFinishedAsync();
        Assert.Equal("Ada Lovelace", Factory.Rows($"SELECT display_name FROM people WHERE tenant_id = '{TeamsClient.Tenant}' AND user_id = '{TeamsUser.Ada.Id}'")[0][0]);
        Assert.Equal("Mallory", Factory.Rows($"SELECT display_name FROM people WHERE tenant_id = 'webchat:{TeamsClient.Tenant}'")[0][0]);
    }

    [Fact]
    public async Task AChannelStretchBotDoesNotAnswerIsAcknowledgedAndIgnored()
    {
        await Teams.SendAsync(WebChat("stretch", "tg1|0000001", channelId: "telegram"));

        await AssertNothingSentAsync();
        Assert.Equal(0, Factory.Count("people"));
    }

    [Fact]
    public async Task TheFirstRequestSignedWithANewlyRotatedKeyIsAccepted()
    {
        // The keys are cached after the first request.
        await Teams.SendAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada));
        await Fake.WaitForAsync(r => r.Method == "POST");
        var fetches = Fake.KeyDocumentRequests;

        // Microsoft rotates: the issuer publishes a new key and signs with it at once.
        Fake.KeysRotated = true;
        var activity = TeamsClient.ChannelMessage("stretch", TeamsUser.Grace);
        using var response = await Teams.PostAsync(activity, "Bearer " + Fake.Token(Clock.GetUtcNow(), TeamsClient.ServiceUrl, key: Fake.RotatedKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        Assert.Equal(fetches + 1, Fake.KeyDocumentRequests);

        // A kid nobody published right after that is refused without another fetch: made-up kids can't make us hammer the issuer.
        using var forged = await Teams.PostAsync(TeamsClient.ChannelMessage("stretch", TeamsUser.Grace), "Bearer " + Fake.Token(Clock.GetUtcNow(), TeamsClient.ServiceUrl, key: Fake.UnpublishedKey));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(fetches + 1, Fake.KeyDocumentRequests);
    }

    private static JsonObject WebChat(string? text, string id, string channelId = "webchat", string serviceUrl = WebChatServiceUrl)
    {
        // As Azure's Web Chat channel sends it: no channelData.tenant, plain text, a Direct Line style id.
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = id,
            ["timestamp"] = "2026-11-18T10:30:00.1234567Z",
            ["localTimestamp"] = "2026-11-18T10:30:00.123+00:00",
            ["localTimezone"] = "Europe/London",
            ["serviceUrl"] = serviceUrl,
            ["channelId"] = channelId,
            ["from"] = new JsonObject { ["id"] = "dl_7a1c2b", ["name"] = "Ada" },
            ["conversation"] = new JsonObject { ["id"] = id.Split('|')[0] },
            ["recipient"] = new JsonObject { ["id"] = "stretchbot-dev@Wq1Xl2ZcGyU", ["name"] = "StretchBot" },
            ["textFormat"] = "plain",
            ["locale"] = "en-GB",
            ["entities"] = new JsonArray(new JsonObject { ["type"] = "ClientCapabilities", ["requiresBotState"] = true, ["supportsListening"] = true, ["supportsTts"] = true }),
            ["channelData"] = new JsonObject { ["clientActivityID"] = "17000000000000.abc" },
        };
        if (text is not null)
        {
            activity["text"] = text;
        }

        return activity;
    }
}

/// <summary>Azure's templates name the bot's app type at the top level of the settings.</summary>
public sealed class TopLevelAppTypeTests : TeamsTest
{
    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings.Remove("Teams:MicrosoftAppType");
        factory.Settings["MicrosoftAppType"] = "MultiTenant";
    }

    [Fact]
    public void MicrosoftAppTypeAtTheTopLevelIsHonoured()
    {
        Assert.Equal(BotAppType.MultiTenant, Factory.Services.GetRequiredService<IOptions<TeamsOptions>>().Value.MicrosoftAppType);
    }
}
