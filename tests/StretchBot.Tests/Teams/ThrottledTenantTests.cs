using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>
/// A 429 with Retry-After holds every send of that tenant at the rate gate until then, not only the one that got it,
/// and the hold doesn't count against a send's per-attempt timeout (it would otherwise spend the send's retries).
/// </summary>
public sealed class ThrottledTenantTests : TeamsTest
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(25);

    // Signals each timer of exactly RetryAfter: the throttled send's retry delay and the other send's hold at the gate.
    private readonly TimerSignalClock _clock = new(StretchBotFactory.Start, RetryAfter);

    protected override void Configure(StretchBotFactory factory)
    {
        // Far shorter than the hold: a gate inside the attempt timeout would abandon the held send.
        factory.Settings["Teams:OutboundAttemptTimeout"] = "00:00:02";
        factory.ServiceChanges.Add(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
        });
    }

    [Fact]
    public async Task A429HoldsTheTenantsOtherSendsUntilItsRetryAfterWithoutSpendingTheirRetries()
    {
        Fake.Script(new FakeReply(429, """{"error":{"code":"Throttled","message":"Too many requests"}}""", RetryAfter: RetryAfter));
        var timers = _clock.WatchedTimers;
        await Teams.SendAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada, rootId: "1"));
        // Its retry waits out the Retry-After on the clock: by then the gate has seen the 429 (it saw it first).
        await _clock.WatchedTimerCreatedAfter(timers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(Fake.Requests);

        // Another thread of the same tenant: its reply waits for the tenant's throttle to lift.
        await Teams.SendAsync(TeamsClient.ChannelMessage("stats", TeamsUser.Ada, rootId: "2"));
        await _clock.WatchedTimerCreatedAfter(timers + 1).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(Fake.Requests);

        _clock.Advance(RetryAfter);

        var sent = await Fake.WaitForAsync(r => r.Method == "POST", 3);
        await BackgroundWorkFinishedAsync();
        Assert.Equal(3, Fake.Requests.Count);
        Assert.Contains(sent, r => r.HasSummary("Your stretch stats"));
        Assert.Equal(2, sent.Count(r => r.Path.Contains(Uri.EscapeDataString(";messageid=1"), StringComparison.Ordinal)));
    }
}
