using Microsoft.Extensions.Time.Testing;
using StretchBot.Delivery;

namespace StretchBot.Tests.Nudges;

/// <summary>The rate gate's hourly allowance per conversation (Teams: 1,800 sends an hour), beside its shorter windows.</summary>
public sealed class HourlyLimitTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task AConversationOutOfItsHourlyAllowanceWaitsAnHourFromItsFirstSendWhileOtherConversationsOfTheTenantSend()
    {
        var clock = new FakeTimeProvider(Start);
        var policy = new OutboundPolicy(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10),
            PerConversation: [new(7, TimeSpan.FromSeconds(1)), new(3, TimeSpan.FromHours(1))],
            PerTenant: [new(50, TimeSpan.FromSeconds(1))]);
        using var gate = new OutboundPipeline.RateGate(policy, clock);

        // Three sends, ten minutes apart.
        for (var i = 0; i < 3; i++)
        {
            using (var sent = await gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None))
            {
                Assert.NotNull(sent);
            }

            clock.Advance(TimeSpan.FromMinutes(10));
        }

        // The fourth this hour waits for the first to leave the hour, holding nothing of the tenant's: another
        // conversation sends at once.
        var fourth = gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
        Assert.False(fourth.IsCompleted);
        var other = gate.EnterAsync("tenant", "chat-b", isSend: true, CancellationToken.None);
        Assert.True(other.IsCompletedSuccessfully);
        (await other)!.Dispose();

        // Reads (GETs) don't count against a conversation's sends.
        var read = gate.EnterAsync("tenant", "chat-a", isSend: false, CancellationToken.None);
        Assert.True(read.IsCompletedSuccessfully);
        (await read)!.Dispose();

        // A fifth gives up while waiting behind it: it takes nothing with it.
        using var stop = new CancellationTokenSource();
        var fifth = gate.EnterAsync("tenant", "chat-a", isSend: true, stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fifth);

        clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromMilliseconds(1));
        Assert.False(fourth.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        (await fourth.WaitAsync(TimeSpan.FromSeconds(10)))!.Dispose();
        Assert.Equal(Start + TimeSpan.FromHours(1), clock.GetUtcNow());

        // The second send's hour ends ten minutes later; until then the conversation is at its allowance again.
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        var sixth = gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
        Assert.False(sixth.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await sixth.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
