using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Nudges;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Nudges;

/// <summary>One tenant's slow or throttled deliveries never hold up another tenant's nudges.</summary>
public sealed class FairDeliveryTests : NudgeTest
{
    private const string SlowTenant = "11111111-1111-1111-1111-111111111111";
    private const string SlowChannel = "19:slow-team-channel@thread.tacv2";

    protected override void Configure(StretchBotFactory factory)
    {
        base.Configure(factory);
        factory.Settings["Scheduling:MaxConcurrentDeliveries"] = "4";
    }

    [Fact]
    public async Task ANudgeOfAnotherTenantGoesOutWhileATenantsDeliveriesHangOnTheWire()
    {
        await InstallAsync();
        var slow = TeamsClient.Fixture("installationUpdate-add-team.json");
        slow["recipient"] = new JsonObject { ["id"] = TeamsClient.BotId, ["name"] = "StretchBot" };
        slow["conversation"]!["id"] = SlowChannel;
        slow["conversation"]!["tenantId"] = SlowTenant;
        slow["channelData"]!["tenant"]!["id"] = SlowTenant;
        slow["channelData"]!["channel"]!["id"] = SlowChannel;
        slow["channelData"]!["team"]!["id"] = "19:slow-team@thread.tacv2";
        await Teams.SendAsync(slow);
        await BackgroundWorkFinishedAsync();
        var slowPath = $"/amer/v3/conversations/{Uri.EscapeDataString(SlowChannel)}/activities";
        // The slow tenant's connector takes six real seconds per card (well inside the attempt timeout).
        Fake.Responder = r => r.Path == slowPath ? new FakeReply(201, """{"id":"slow"}""", Hang: TimeSpan.FromSeconds(6)) : null;

        // Six nudges of the slow tenant are due first, then one of the test tenant.
        var store = Factory.Services.GetRequiredService<DeliveryStore>();
        var dispatcher = Factory.Services.GetRequiredService<NudgeDispatcher>();
        var now = Clock.GetUtcNow();
        for (var i = 0; i < 6; i++)
        {
            dispatcher.Enqueue((await store.TryAddAsync(new NewDelivery($"s_slow{i}", now, DeliveryKinds.Notice, SlowTenant, "msteams", SlowChannel, now), DeliveryStatus.Pending, null, CancellationToken.None))!);
        }

        await Fake.WaitForAsync(r => r.Path == slowPath && IsNotice(r), 3);
        dispatcher.Enqueue((await store.TryAddAsync(new NewDelivery("s_fast", now, DeliveryKinds.Notice, TeamsClient.Tenant, "msteams", TeamsClient.Channel, now), DeliveryStatus.Pending, null, CancellationToken.None))!);

        // It goes out at once, while the slow tenant's first three are still on the wire and three more wait.
        var fastPath = $"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel)}/activities";
        await Fake.WaitForAsync(r => r.Path == fastPath && IsNotice(r));
        Assert.Equal(3, Fake.Requests.Count(r => r.Path == slowPath && IsNotice(r)));

        await DeliveriesFinishedAsync();
        Assert.Equal(7L, Factory.Rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'")[0][0]);
    }

    private static bool IsNotice(ConnectorRequest request) => ((string?)request.Body?["text"])?.Contains("paused", StringComparison.Ordinal) == true;
}
