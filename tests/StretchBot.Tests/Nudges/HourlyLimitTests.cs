using StretchBot.Delivery;

namespace StretchBot.Tests.Nudges;

/// <summary>The rate gate's hourly allowance per conversation (Teams: 1,800 sends an hour), beside its per-second one.</summary>
public sealed class HourlyLimitTests
{
    [Fact]
    public async Task AConversationOutOfItsHourlyAllowanceWaitsWhileOtherConversationsOfTheTenantSend()
    {
        var policy = new OutboundPolicy(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10),
            SendsPerSecondPerConversation: 7, RequestsPerSecondPerTenant: 50, SendsPerHourPerConversation: 3);
        using var gate = new OutboundPipeline.RateGate(policy, TimeProvider.System);
        using var stop = new CancellationTokenSource();

        for (var i = 0; i < 3; i++)
        {
            using var lease = await gate.EnterAsync("tenant", "chat-a", isSend: true, stop.Token);
            Assert.NotNull(lease);
        }

        // The fourth send this hour waits for the allowance to come back (one per 20 minutes here), holding nothing.
        var fourth = gate.EnterAsync("tenant", "chat-a", isSend: true, stop.Token);
        using (var other = await gate.EnterAsync("tenant", "chat-b", isSend: true, stop.Token))
        {
            Assert.NotNull(other);
        }

        // Reads (GETs) don't count against a conversation's sends.
        using (var read = await gate.EnterAsync("tenant", "chat-a", isSend: false, stop.Token))
        {
            Assert.NotNull(read);
        }

        Assert.False(fourth.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fourth);
    }
}
