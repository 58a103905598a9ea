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
using Quartz;
using StretchBot.Tests.Nudges;

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
    public async Task ScheduleEveryMinuteInThePlaygroundShowsANudgeInWebChat()
    {
        Factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var screenshots = Path.Combine(NodeScript.RepoRoot, "artifacts", "screenshots", "schedule-every-minute");
        await using var browser = NodeProcess.Start("e2e-push.mjs", [address, screenshots, "schedule every 1m", "Next nudges"]);

        JsonNode.Parse(await browser.ReadLineAsync(TimeSpan.FromMinutes(1)));
        var said = JsonNode.Parse(await browser.ReadLineAsync(TimeSpan.FromMinutes(1)))!;
        Assert.True(said["answer"] is not null, $"browser run failed: {said}\nscreenshots: {screenshots}");
        Assert.Contains("Every day", (string)said["answer"]!, StringComparison.OrdinalIgnoreCase);

        // The minute passes on the app's clock: Quartz fires the schedule's one trigger (Scheduling:PrepareAhead early, so
        // the nudge is ready), the nudge goes out through the outbox to the open Web Chat at its time, and the person walks
        // through it and clicks Done there.
        var scheduleId = (string)Factory.Rows("SELECT id FROM schedules")[0][0]!;
        var schedule = await Factory.Services.GetRequiredService<StretchBot.Scheduling.ScheduleStore>().FindAsync(scheduleId, CancellationToken.None);
        var scheduler = await Factory.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        Assert.Single(await scheduler.GetTriggersOfJob(StretchBot.Scheduling.NudgeJob.KeyFor(scheduleId)));
        var due = Factory.Services.GetRequiredService<StretchBot.Scheduling.ScheduleService>().NextNudges(schedule!, 1)[0];
        Assert.InRange(due - Factory.Clock.GetUtcNow(), TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Factory.Clock.AdvanceTo(due);

        var report = JsonNode.Parse(await browser.ReadLineAsync(TimeSpan.FromMinutes(1)))!;
        Assert.True((bool)report["ok"]!, $"browser run failed: {report["error"]}\nscreenshots: {screenshots}");
        Assert.Matches("Time for a .+ stretch", (string)report["card"]!);
        Assert.Contains("Done", (string)report["confirmation"]!);
        Assert.Equal(0, await browser.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        // The nudge of that minute sent; the next minute's may already be prepared (pending), never sent early.
        var deliveries = Factory.Rows("SELECT fire_time, status FROM deliveries ORDER BY fire_time");
        Assert.Equal(["sent"], deliveries.Where(r => DateTimeOffset.Parse((string)r[0]!, System.Globalization.CultureInfo.InvariantCulture) == due).Select(r => (string)r[1]!));
        Assert.All(deliveries.Where(r => DateTimeOffset.Parse((string)r[0]!, System.Globalization.CultureInfo.InvariantCulture) != due), r => Assert.Equal("pending", r[1]));
        var completion = Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Equal("scheduled", (string)Factory.Rows($"SELECT kind FROM prompts WHERE id = '{completion.PromptId}'")[0][0]!);
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
