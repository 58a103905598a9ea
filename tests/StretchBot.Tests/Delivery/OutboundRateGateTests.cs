using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Channels.Teams;
using StretchBot.Delivery;

namespace StretchBot.Tests.Delivery;

/// <summary>
/// The outbound rate gate keeps every sliding window of the platform's within its limits, whatever the latency: a
/// call's permit is held from the moment it is let through until the window has passed after the call ended. Time is
/// a fake clock that moves only when a test moves it; the gate gives permits back inside the clock's Advance, and lets
/// a call through at once when it has a permit for it, so "not yet" is checked by starting a call just before its
/// instant, and "exactly then" by the instant on the clock when it comes through.
/// </summary>
public sealed class OutboundRateGateTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 30, 0, TimeSpan.Zero);

    // Bounds a wait that would otherwise hang a broken gate's test; nothing waits this long when the gate works.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(Start);

    [Fact]
    public async Task APermitComesBackAWindowAfterItsCallEndedNotAfterItStarted()
    {
        await using var platform = Platform.Start(_clock, Policy(conversation: [new(2, TimeSpan.FromSeconds(1))]));

        // Two calls go at once, and are slow to answer: the first ends at 0.3 s, the second at 0.5 s.
        var first = platform.PostAsync("chat-a");
        var second = platform.PostAsync("chat-a");
        var a = await platform.NextCallAsync();
        var b = await platform.NextCallAsync();
        Assert.Equal([Start, Start], [a.At, b.At]);
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        a.Answer();
        await first.WaitAsync(Guard);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        b.Answer();
        await second.WaitAsync(Guard);

        // A second after they started has passed, a second after the first ended not yet.
        _clock.Advance(TimeSpan.FromMilliseconds(799));
        var third = platform.PostAsync("chat-a");
        Assert.Equal(2, platform.Calls);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var c = await platform.NextCallAsync();
        Assert.Equal(Start + TimeSpan.FromMilliseconds(1300), c.At);

        _clock.Advance(TimeSpan.FromMilliseconds(199));
        var fourth = platform.PostAsync("chat-a");
        Assert.Equal(3, platform.Calls);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var d = await platform.NextCallAsync();
        Assert.Equal(Start + TimeSpan.FromMilliseconds(1500), d.At);

        c.Answer();
        d.Answer();
        await Task.WhenAll(third, fourth).WaitAsync(Guard);
    }

    [Fact]
    public async Task ACallCancelledOnTheWireStillHoldsItsPermitAWindowFromItsCancellation()
    {
        await using var platform = Platform.Start(_clock, Policy(conversation: [new(1, TimeSpan.FromSeconds(1))]));
        using var giveUp = new CancellationTokenSource();

        var first = platform.PostAsync("chat-a", giveUp.Token);
        await platform.NextCallAsync();

        // The platform may have counted the abandoned call at any moment until we gave up on it, at 0.2 s.
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Guard));

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        var second = platform.PostAsync("chat-a");
        Assert.Equal(1, platform.Calls);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var next = await platform.NextCallAsync();
        Assert.Equal(Start + TimeSpan.FromMilliseconds(1200), next.At);

        next.Answer();
        Assert.Equal(HttpStatusCode.Created, (await second.WaitAsync(Guard)).StatusCode);
        Assert.Equal(2, platform.Calls);
    }

    [Fact]
    public async Task AConversationAtItsLimitHoldsNoneOfItsTenantsPermits()
    {
        using var gate = new OutboundPipeline.RateGate(
            Policy(conversation: [new(1, TimeSpan.FromSeconds(1))], tenant: [new(2, TimeSpan.FromSeconds(1))]), _clock);

        var a1 = await gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
        Assert.NotNull(a1);

        // chat-a's second send waits for chat-a's permit, holding none of the tenant's two...
        var a2 = gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
        Assert.False(a2.IsCompleted);

        // ...so the tenant's other one is there for another conversation, at once.
        var b1 = gate.EnterAsync("tenant", "chat-b", isSend: true, CancellationToken.None);
        Assert.True(b1.IsCompletedSuccessfully);
        Assert.NotNull(await b1);

        a1.Dispose();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await a2.WaitAsync(Guard));
    }

    [Fact]
    public async Task EightInTwoSecondsBindsOnceSevenInOneSecondHasLetTheEighthThrough()
    {
        // Teams' own numbers, as the app configures them by default.
        using var gate = new OutboundPipeline.RateGate(new TeamsOptions().OutboundPolicy, _clock);

        for (var i = 0; i < 7; i++)
        {
            using var sent = await gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
            Assert.NotNull(sent);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        var eighth = gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
        Assert.False(eighth.IsCompleted);

        // At 1 s the first seven leave the one-second window: the eighth goes, the eighth of eight in two seconds.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        (await eighth.WaitAsync(Guard))!.Dispose();
        Assert.Equal(Start + TimeSpan.FromSeconds(1), _clock.GetUtcNow());

        // The ninth has room in the one-second window, none in the two-second one until the first seven leave it.
        var ninth = gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None);
        Assert.False(ninth.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(ninth.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await ninth.WaitAsync(Guard));
    }

    [Fact]
    public async Task ACallCancelledWhileWaitingGivesBackWhatItTookAtOnceAndNothingElse()
    {
        using var gate = new OutboundPipeline.RateGate(
            Policy(conversation: [new(1, TimeSpan.FromSeconds(1))], tenant: [new(1, TimeSpan.FromSeconds(1))]), _clock);

        // chat-a's call takes the tenant's only permit and ends at once: the permit is back at 1 s.
        (await gate.EnterAsync("tenant", "chat-a", isSend: true, CancellationToken.None))!.Dispose();

        // chat-b's call takes chat-b's permit, then waits for the tenant's; at 0.5 s its caller gives up.
        using var giveUp = new CancellationTokenSource();
        var abandoned = gate.EnterAsync("tenant", "chat-b", isSend: true, giveUp.Token);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Guard));

        // No call was made with chat-b's permit: it is back now (held a window, it would keep the next until 1.5 s).
        var b = gate.EnterAsync("tenant", "chat-b", isSend: true, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        var sent = await b.WaitAsync(Guard);
        Assert.NotNull(sent);

        // And giving up freed nothing it didn't hold: the tenant's one permit is taken.
        var c = gate.EnterAsync("tenant", "chat-c", isSend: true, CancellationToken.None);
        Assert.False(c.IsCompleted);
        sent.Dispose();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await c.WaitAsync(Guard));
    }

    private static OutboundPolicy Policy(RateWindow[] conversation, RateWindow[]? tenant = null) =>
        new(MaxRetries: 3, RetryDelay: TimeSpan.FromSeconds(1), MaxRetryAfter: TimeSpan.FromSeconds(30), AttemptTimeout: TimeSpan.FromMinutes(10),
            PerConversation: conversation, PerTenant: tenant ?? [new(50, TimeSpan.FromSeconds(1))]);

    /// <summary>
    /// A named HttpClient with the outbound pipeline in front of a platform that answers only when the test says so:
    /// the calls it receives, each with the instant it arrived on the fake clock.
    /// </summary>
    private sealed class Platform : HttpMessageHandler, IAsyncDisposable
    {
        private readonly Channel<PlatformCall> _arrivals = Channel.CreateUnbounded<PlatformCall>();
        private readonly TimeProvider _clock;
        private readonly CancellationTokenSource _stopping = new();
        private ServiceProvider _services = null!;
        private int _calls;

        private Platform(TimeProvider clock) => _clock = clock;

        /// <summary>Calls that reached the platform so far.</summary>
        public int Calls => Volatile.Read(ref _calls);

        public static Platform Start(TimeProvider clock, OutboundPolicy policy)
        {
            var platform = new Platform(clock);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(clock);
            services.AddHttpClient("platform")
                .AddOutboundPipeline(_ => policy)
                .ConfigurePrimaryHttpMessageHandler(() => platform)
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
            platform._services = services.BuildServiceProvider();
            return platform;
        }

        public async Task<HttpResponseMessage> PostAsync(string conversation, CancellationToken cancellationToken = default)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"https://platform.test/v3/conversations/{conversation}/activities");
            OutboundPipeline.Tag(request, "tenant", conversation);
            using var callerOrTest = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            return await _services.GetRequiredService<IHttpClientFactory>().CreateClient("platform").SendAsync(request, callerOrTest.Token);
        }

        public async Task<PlatformCall> NextCallAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(Guard);

        /// <summary>
        /// Calls still waiting (a test that failed half way) are cancelled first: the resilience pipeline, disposed with
        /// the services, waits for the calls it is running to finish.
        /// </summary>
        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            await _services.DisposeAsync();
            _stopping.Dispose();
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = new PlatformCall(_clock.GetUtcNow());
            Interlocked.Increment(ref _calls);
            _arrivals.Writer.TryWrite(call);
            return call.Response.WaitAsync(cancellationToken);
        }
    }

    private sealed class PlatformCall(DateTimeOffset at)
    {
        private readonly TaskCompletionSource<HttpResponseMessage> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset At { get; } = at;

        public Task<HttpResponseMessage> Response => _response.Task;

        public void Answer() => _response.TrySetResult(new HttpResponseMessage(HttpStatusCode.Created));
    }
}
