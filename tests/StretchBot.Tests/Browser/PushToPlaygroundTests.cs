using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Catalog;
using StretchBot.Channels.Local;
using StretchBot.Conversation;
using StretchBot.Delivery;
using StretchBot.Stretching;
using StretchBot.Tests.Infrastructure;
using StretchBot.Tests.LocalChannel;

namespace StretchBot.Tests.Browser;

/// <summary>
/// The outbound seam reaches the playground without a turn: a card posted through the <see cref="Outbox"/> (as a
/// scheduled nudge will be) shows up in the official Web Chat in Chromium, and its Done counts.
/// </summary>
public sealed class PushToPlaygroundTests : AppTest
{
    [Fact]
    public async Task ACardPushedThroughTheOutboxShowsUpInWebChatAndItsDoneCounts()
    {
        Factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var screenshots = Path.Combine(NodeScript.RepoRoot, "artifacts", "screenshots", "push");
        await using var browser = NodeProcess.Start("e2e-push.mjs", [address, screenshots]);

        var ready = JsonNode.Parse(await browser.ReadLineAsync(TimeSpan.FromMinutes(1)))!;
        var conversationId = (string)ready["conversationId"]!;
        var catalog = Factory.Services.GetRequiredService<StretchCatalog>();
        var stretch = catalog.Find("neck-stretch") ?? catalog.All.First(s => s.Places.Contains(StretchPlace.Desk));
        var where = new Where(LocalActivities.ChannelId, LocalActivities.TenantId, conversationId);
        var prompt = await Factory.Services.GetRequiredService<PromptStore>().CreateAsync(where, stretch.Id, PromptKind.Scheduled, null, CancellationToken.None);
        var outbox = Factory.Services.GetRequiredService<Outbox>();

        var delivered = await outbox.PostAsync(LocalSender.Address(conversationId), new StretchView(prompt.Id, stretch, Scheduled: true, DoneCount: 0, catalog.Safety), CancellationToken.None);

        Assert.True(delivered);
        var report = JsonNode.Parse(await browser.ReadLineAsync(TimeSpan.FromMinutes(1)))!;
        Assert.True((bool)report["ok"]!, $"browser run failed: {report["error"]}\nscreenshots: {screenshots}");
        Assert.Contains(stretch.Name, (string)report["card"]!);
        Assert.Contains("Done", (string)report["confirmation"]!);
        Assert.Equal(0, await browser.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var completion = Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Equal(prompt.Id, completion.PromptId);
    }

    [Fact]
    public async Task PushingToAPlaygroundConversationThatNoLongerExistsIsRefusedNotThrown()
    {
        var catalog = Factory.Services.GetRequiredService<StretchCatalog>();
        var outbox = Factory.Services.GetRequiredService<Outbox>();

        var delivered = await outbox.PostAsync(LocalSender.Address("dl_gone"), new SafetyView(catalog.Safety), CancellationToken.None);

        Assert.False(delivered);
    }
}
