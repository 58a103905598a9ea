using System.Net;
using System.Text.Json.Nodes;
using StretchBot.Channels.Teams;
using StretchBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace StretchBot.Tests.Teams;

/// <summary>The recorded Teams payloads in ../shared/fixtures/teams, driving the app through /api/messages.</summary>
public sealed class FixtureTests : TeamsTest
{
    private const string TeamChannel = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2";
    private const string TeamTenant = "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f";

    [Fact]
    public async Task InstallingInATeamStoresTheReferenceAndWelcomesTheChannelOnce()
    {
        await Teams.SendAsync(TeamsClient.Fixture("installationUpdate-add-team.json"));

        var welcome = await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Equal("/amer/v3/conversations/19%3A0b7f32667e064dd9b25d7969801541f4%40thread.tacv2/activities", welcome.Path);
        Assert.Equal("Bearer bot-token-1", welcome.Authorization);
        Assert.Equal("application/json; charset=utf-8", welcome.ContentType);
        var card = welcome.Body!["attachments"]![0]!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)card["contentType"]);
        var text = CardReader.AllText(card["content"]);
        Assert.Contains("Hi, I'm StretchBot", text);
        Assert.Contains("doctor", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("28:608cacfd-1cea-40c9-b678-4b93e69bb72b", (string?)welcome.Body["from"]!["id"]);

        var install = Assert.Single(Factory.Rows("SELECT tenant_id, conversation_id, conversation_type, team_id, team_name, json_extract(reference, '$.serviceUrl'), json_extract(reference, '$.botId') FROM installs"));
        Assert.Equal([TeamTenant, TeamChannel, "channel", "19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2", "TestTeam2022", "https://smba.trafficmanager.net/amer/", "28:608cacfd-1cea-40c9-b678-4b93e69bb72b"], install);

        // The same install, announced again as the bot joining the team: stored once, no second hello.
        await Teams.SendAsync(TeamsClient.Fixture("conversationUpdate-channel-botAdded.json"));
        await BackgroundWorkFinishedAsync();
        Assert.Single(Fake.Requests, r => r.Method == "POST");

        // The client credentials went to the app's own tenant (single-tenant), for the Bot Connector scope.
        var tokenRequest = Assert.Single(Fake.TokenRequestBodies);
        Assert.Contains($"tenant={FakeBotFramework.AppTenantId}&", tokenRequest);
        Assert.Contains("grant_type=client_credentials", tokenRequest);
        Assert.Contains("scope=https://api.botframework.com/.default", tokenRequest);
    }

    [Fact]
    public async Task UninstallingFromTheTeamDeletesItsReferences()
    {
        await Teams.SendAsync(TeamsClient.Fixture("installationUpdate-add-team.json"));
        await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Equal(1, Factory.Count("installs"));

        var remove = TeamsClient.Fixture("installationUpdate-add-team.json");
        remove["action"] = "remove";
        ((JsonObject)remove["channelData"]!).Remove("settings");
        await Teams.SendAsync(remove);

        await BackgroundWorkFinishedAsync();
        Assert.Equal(0, Factory.Count("installs"));
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task TheBotRemovedFromTheTeamDeletesItsReferences()
    {
        await Teams.SendAsync(TeamsClient.Fixture("conversationUpdate-channel-botAdded.json"));
        await Fake.WaitForAsync(r => r.Method == "POST");

        var removed = TeamsClient.Fixture("conversationUpdate-channel-botAdded.json");
        removed["membersRemoved"] = removed["membersAdded"]!.DeepClone();
        removed.Remove("membersAdded");
        removed["channelData"]!["eventType"] = "teamMemberRemoved";
        await Teams.SendAsync(removed);

        await BackgroundWorkFinishedAsync();
        Assert.Equal(0, Factory.Count("installs"));
    }

    [Fact]
    public async Task AddingTheBotToAPersonalChatStoresItAndSaysHello()
    {
        // The docs sample has placeholders; the recipient is the bot that membersAdded names.
        var added = TeamsClient.Fixture("conversationUpdate-personal-botAdded.json");
        added["recipient"]!["id"] = (string?)added["membersAdded"]![0]!["id"];
        await Teams.SendAsync(added);

        var welcome = await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Equal("/amer-client-ss.msg/v3/conversations/%2A%2A%2A/activities", welcome.Path);
        var install = Assert.Single(Factory.Rows("SELECT conversation_id, conversation_type, json_extract(reference, '$.serviceUrl') FROM installs"));
        Assert.Equal(["***", "personal", "https://smba.trafficmanager.net/amer-client-ss.msg/"], install);
    }

    [Theory]
    [InlineData("conversationUpdate-channel-teamMemberAdded.json")]
    [InlineData("conversationUpdate-groupChat-membersAdded.json")]
    public async Task APersonJoiningIsNotAnInstallAndGetsNoMessage(string fixture)
    {
        await Teams.SendAsync(TeamsClient.Fixture(fixture));

        await AssertNothingSentAsync();
        Assert.Equal(0, Factory.Count("installs"));
    }

    [Fact]
    public async Task APersonalMessageGetsAReplyOnTheEscapedReplyPath()
    {
        var message = TeamsClient.Fixture("message-personal.json");
        await Teams.SendAsync(message);

        // A newcomer is welcomed first; then "file", which is not a command, gets a friendly hint.
        var reply = await Fake.WaitForAsync(r => r.Method == "POST" && AllText(r).Contains("didn't get that", StringComparison.Ordinal));
        Assert.Equal($"/amer/v3/conversations/{Uri.EscapeDataString((string)message["conversation"]!["id"]!)}/activities/1571691217375", reply.Path);
        Assert.Equal("1571691217375", (string?)reply.Body!["replyToId"]);
        Assert.Equal("29:1kbOecyrymSn1FtrbJlQNF_BvhIpb7CLGbmjaTldT8A8tXXphjq4BcA2KfWGwoI-ahbEJ_Og1syGOt68MsLId1Q", (string?)reply.Body["recipient"]!["id"]);
    }

    [Fact]
    public async Task ACardSubmitInAChannelIsAnsweredOnTheRecordedPath()
    {
        var recorded = TeamsClient.Fixture("outbound-replyToActivity-channel.json");
        await Teams.SendAsync(TeamsClient.Fixture("message-channel-action-submit-value.json"));

        var reply = await Fake.WaitForAsync(r => r.Method == "POST" && AllText(r).Contains("can't use that button", StringComparison.Ordinal));
        Assert.Equal((string)recorded["path"]!, reply.Path);
        Assert.Equal((string?)recorded["body"]!["replyToId"], (string?)reply.Body!["replyToId"]);
        Assert.Equal((string?)recorded["body"]!["conversation"]!["id"], (string?)reply.Body["conversation"]!["id"]);
    }

    [Fact]
    public async Task A202WithAnEmptyBodyIsAcceptedAndTheNextMessageStillGoesOut()
    {
        var first = 0;
        Fake.Responder = r => r.HasSummary("Stretch:") && Interlocked.Exchange(ref first, 1) == 0
            ? new FakeReply(202)
            : null;
        await Teams.SendAsync(TeamsClient.ChannelMessage("stretch", TeamsUser.Ada));
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));

        await Teams.SendAsync(TeamsClient.ChannelMessage("stretch desk", TeamsUser.Ada));
        await BackgroundWorkFinishedAsync();
        Assert.Equal(2, Fake.Requests.Count(r => r.HasSummary("Stretch:")));
        // The first card has no id to update later; the second has.
        Assert.Equal(1, Factory.Count("card_posts"));
        Assert.Equal(2, Factory.Count("prompts"));
    }

    [Fact]
    public async Task TheDocsInvokeSamplesGetInvokeAnswersNot500s()
    {
        // As published (a partial activity): a clear invoke error.
        var partial = await Teams.InvokeAsync(TeamsClient.Fixture("invoke-adaptiveCard-action-manual.docs.jsonc"));
        Assert.Equal(400, (int?)partial["statusCode"]);
        Assert.Equal("application/vnd.microsoft.error", (string?)partial["type"]);

        // In a full envelope: a verb we don't have gets a short message in place of the card.
        foreach (var sample in new[] { "invoke-adaptiveCard-action-manual.docs.jsonc", "invoke-adaptiveCard-action-refresh-automatic.docs.jsonc" })
        {
            var invoke = TeamsClient.Execute(new JsonObject(), TeamsUser.Ada, "1");
            invoke["value"] = TeamsClient.Fixture(sample)["value"]!.DeepClone();
            var answer = await Teams.InvokeAsync(invoke);
            Assert.Equal(200, (int?)answer["statusCode"]);
            Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
            Assert.Contains("can't use that button", (string?)answer["value"]);
        }
    }

    [Fact]
    public async Task CreatingAChannelThreadSendsTheRecordedShapeAndReadsTheRecordedAnswer()
    {
        var recorded = TeamsClient.Fixture("outbound-createConversation-channel-thread.json");
        Fake.Script(new FakeReply((int)recorded["status"]!, recorded["response"]!.ToJsonString()));
        var connector = Factory.Services.GetRequiredService<BotConnectorClient>();
        var channel = (string)recorded["body"]!["channelData"]!["channel"]!["id"]!;

        var thread = await connector.CreateChannelThreadAsync(TeamsClient.ServiceUrl, TeamsClient.Tenant, channel,
            new JsonObject { ["type"] = "message", ["text"] = "Time for a stretch" }, CancellationToken.None);

        Assert.Equal((string?)recorded["response"]!["id"], thread.Id);
        Assert.Equal((string?)recorded["response"]!["activityId"], thread.ActivityId);
        var request = Assert.Single(Fake.Requests);
        Assert.Equal((string)recorded["path"]!, request.Path);
        Assert.True((bool)request.Body!["isGroup"]!);
        Assert.Equal(channel, (string?)request.Body["channelData"]!["channel"]!["id"]);
        Assert.Equal(TeamsClient.Tenant, (string?)request.Body["tenantId"]);
        Assert.Equal("message", (string?)request.Body["activity"]!["type"]);
    }

    [Fact]
    public async Task UpdatingAnActivityPutsToTheRecordedEscapedPath()
    {
        var recorded = TeamsClient.Fixture("outbound-updateActivity-put.json");
        Fake.Script(new FakeReply((int)recorded["status"]!, recorded["response"]!.ToJsonString()));
        var connector = Factory.Services.GetRequiredService<BotConnectorClient>();
        var conversation = (string)recorded["body"]!["conversation"]!["id"]!;
        var activityId = (string)recorded["body"]!["id"]!;

        var updated = await connector.UpdateAsync(TeamsClient.ServiceUrl, TeamsClient.Tenant, conversation, activityId, new JsonObject { ["type"] = "message", ["text"] = "6 people did this stretch" }, CancellationToken.None);

        Assert.Equal(activityId, updated.Id);
        var request = Assert.Single(Fake.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal((string)recorded["path"]!, request.Path);
        Assert.Equal(activityId, (string?)request.Body!["id"]);
    }

    [Fact]
    public async Task PagedMembersReadsTheRecordedRoster()
    {
        var recorded = TeamsClient.Fixture("outbound-getConversationMembers.json");
        Fake.Script(new FakeReply(200, new JsonObject { ["members"] = recorded["response"]!.DeepClone(), ["continuationToken"] = "next page" }.ToJsonString()));
        var connector = Factory.Services.GetRequiredService<BotConnectorClient>();

        var page = await connector.GetPagedMembersAsync(TeamsClient.ServiceUrl, TeamsClient.Tenant, TeamsClient.Channel, 10, "a;b", CancellationToken.None);

        Assert.Equal(((JsonArray)recorded["response"]!).Count, page.Members.Count);
        Assert.Equal((string?)recorded["response"]![0]!["id"], page.Members[0].Id);
        Assert.Equal("next page", page.ContinuationToken);
        var request = Assert.Single(Fake.Requests);
        Assert.Equal("/amer/v3/conversations/19%3A097e6717fd7245bdbeba6baa13840db8%40thread.skype/pagedmembers?pageSize=50&continuationToken=a%3Bb", request.RawTarget);
    }

    [Fact]
    public async Task AnyMessageRefreshesTheStoredServiceUrl()
    {
        await Teams.SendAsync(TeamsClient.Fixture("installationUpdate-add-team.json"));
        await Fake.WaitForAsync(r => r.Method == "POST");

        var moved = TeamsClient.Fixture("installationUpdate-add-team.json");
        moved["type"] = "message";
        moved["text"] = "help";
        moved["serviceUrl"] = "https://smba.trafficmanager.net/emea/";
        await Teams.SendAsync(moved);

        await BackgroundWorkFinishedAsync();
        Assert.Equal("https://smba.trafficmanager.net/emea/", (string?)Factory.Rows("SELECT json_extract(reference, '$.serviceUrl') FROM installs")[0][0]);
        Assert.Contains(Fake.Requests, r => r.Path.StartsWith("/emea/", StringComparison.Ordinal));
    }

    private static string AllText(ConnectorRequest request) =>
        (string?)request.Body!["text"] ?? CardReader.AllText(request.Card);
}
