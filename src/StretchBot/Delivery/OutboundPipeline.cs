using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace StretchBot.Delivery;

/// <summary>At most <see cref="Count"/> calls in any <see cref="Window"/>: a limit the platform counts over a sliding window.</summary>
public sealed record RateWindow(int Count, TimeSpan Window)
{
    /// <summary>The longest window a gate holds a permit for (one day; Teams' longest is an hour).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    public override string ToString() => $"{Count} per {Window}";
}

/// <summary>
/// How one platform wants to be called: its retries, its per-attempt timeout, and its rate limits, as sliding windows
/// per conversation (sends only) and per tenant (every request). Each channel states its own numbers; the pipeline
/// that applies them (<see cref="OutboundPipeline"/>) is the same for all.
/// </summary>
public sealed record OutboundPolicy(
    int MaxRetries,
    TimeSpan RetryDelay,
    TimeSpan MaxRetryAfter,
    TimeSpan AttemptTimeout,
    IReadOnlyList<RateWindow> PerConversation,
    IReadOnlyList<RateWindow> PerTenant);

/// <summary>
/// The one resilience pipeline and rate gate for every outbound platform call, built once in DI on a named
/// HttpClient: retries of 412/429/5xx gateway errors, transport errors and timed-out attempts (exponential with
/// jitter, Retry-After honoured), a timeout per attempt, and a rate gate: the platform's sliding windows per
/// conversation and per tenant, and a throttled-until a 429 sets for its tenant. A channel's client tags each request with
/// <see cref="Tag"/>; a new channel calls <see cref="AddOutboundPipeline"/> and writes no sending code of its own.
/// </summary>
public static partial class OutboundPipeline
{
    private static readonly HttpRequestOptionsKey<string> TenantKey = new("StretchBot.Outbound.Tenant");
    private static readonly HttpRequestOptionsKey<string> ConversationKey = new("StretchBot.Outbound.Conversation");
    private static readonly HttpRequestOptionsKey<bool> OnceKey = new("StretchBot.Outbound.Once");

    private static readonly HashSet<HttpStatusCode> Transient =
        [HttpStatusCode.PreconditionFailed, HttpStatusCode.TooManyRequests, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    /// <summary>Which tenant (workspace) and conversation a request counts against; a null conversation counts against the tenant only.</summary>
    public static void Tag(HttpRequestMessage request, string tenantId, string? conversationId)
    {
        request.Options.Set(TenantKey, tenantId);
        if (conversationId is not null)
        {
            request.Options.Set(ConversationKey, conversationId);
        }
    }

    /// <summary>
    /// A request the platform can't recognise as a repeat (a message post with no idempotency key): tried again only
    /// when it surely never arrived (no connection) or was refused unprocessed (429), never after a timeout or a 5xx,
    /// which could leave the message posted twice.
    /// </summary>
    public static void Once(HttpRequestMessage request) => request.Options.Set(OnceKey, true);

    /// <summary>Adds the pipeline to a channel's named HttpClient. Handlers added after this one run inside it, once per attempt, within its timeout.</summary>
    public static IHttpClientBuilder AddOutboundPipeline(this IHttpClientBuilder builder, Func<IServiceProvider, OutboundPolicy> policyOf)
    {
        var name = builder.Name;
        builder.Services.AddKeyedSingleton(name, (sp, _) => new RateGate(policyOf(sp), sp.GetRequiredService<TimeProvider>()));
        // Retries outermost; then the rate gate, so its waits (a throttled tenant, a full window) are not cut short by
        // the per-attempt timeout; then the timeout, which covers only the call itself (and the token it needs).
        builder.AddResilienceHandler("outbound-retry", (pipeline, context) =>
        {
            var policy = policyOf(context.ServiceProvider);
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutboundPipeline));
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = policy.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = policy.RetryDelay,
                    MaxDelay = TimeSpan.FromSeconds(20),
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage())),
                    DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, policy.MaxRetryAfter)),
                    OnRetry = args =>
                    {
                        LogRetry(logger, name, args.AttemptNumber + 1, (int?)args.Outcome.Result?.StatusCode, args.Outcome.Exception?.GetType().Name, args.RetryDelay.TotalMilliseconds);
                        args.Outcome.Result?.Dispose();
                        return ValueTask.CompletedTask;
                    },
                });
        });
        builder.AddHttpMessageHandler(sp => new RateGateHandler(sp.GetRequiredKeyedService<RateGate>(name)));
        builder.AddResilienceHandler("outbound-attempt", (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.AddTimeout(policyOf(context.ServiceProvider).AttemptTimeout);
        });
        return builder;
    }

    /// <summary>412/429/5xx gateway errors, transport errors and timed-out attempts; for a <see cref="Once"/> request only what surely wasn't processed.</summary>
    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        var once = request is not null && request.Options.TryGetValue(OnceKey, out var flagged) && flagged;
        return outcome switch
        {
            { Exception: HttpRequestException e } => !once || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
            { Exception: TimeoutRejectedException } => !once,
            { Result: { } response } => response.StatusCode == HttpStatusCode.TooManyRequests || (!once && Transient.Contains(response.StatusCode)),
            _ => false,
        };
    }

    /// <summary>Retry-After (seconds or a date) when the platform sent one and it's short enough; otherwise the backoff.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max)
    {
        var delay = RetryAfterOf(response);
        return delay is { } d ? (d <= max ? d : max) : null;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date && response?.Headers.Date is { } now ? date - now : null);
        return delay is { } d && d >= TimeSpan.Zero ? d : null;
    }

    /// <summary>
    /// The platform's sliding windows per conversation (sends only) and per tenant (every request), plus the time until
    /// which a tenant is throttled after a 429: waiting here beats another 429. One gate per channel client, shared by
    /// every sender of it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A window "at most Count calls per Window" is a concurrency limit of Count whose permit is held from the moment a
    /// call is let through until Window has passed after the call ended (answered, failed or cancelled). The platform
    /// sees a call at the latest when it answers, and a later call at the earliest when we let it through, so no window
    /// of the platform's own ever holds more than Count of our calls, however the latency varies. (A token bucket, or
    /// a limiter that counts when it lets a call through, can't promise that: a fast call overtaking a slow one lands
    /// in the slow one's window.) The price: a permit is busy for the call's own time plus Window, so a conversation
    /// sending flat out gets a little less than its limit.
    /// </para>
    /// <para>
    /// Each window is a <see cref="ConcurrencyLimiter"/> per conversation or tenant (oldest first), from a partitioned
    /// limiter that drops a partition once it has been idle, every permit back, for 10 s: thousands of conversations
    /// cost memory only while their longest window (Teams: an hour) still holds one of their calls. (That clean-up has
    /// a race of its own: a call that looks a partition up in the instant it is dropped can be let through by the
    /// dropped limiter, unseen by its successor. It takes a partition quiet for 10 s and a burst at that very instant.)
    /// </para>
    /// </remarks>
    internal sealed class RateGate : IDisposable
    {
        // A partition's queue; past it a call is answered as a 429 at once.
        private const int ConversationQueue = 1000;
        private const int TenantQueue = 10_000;

        private readonly Window[] _perConversation;
        private readonly Window[] _perTenant;
        private readonly ConcurrentDictionary<string, long> _throttledUntil = new(StringComparer.Ordinal);
        private readonly TimeSpan _maxWait;
        private readonly TimeProvider _time;

        // Cancelled (never disposed: tokens of it are still read by late calls) when the gate goes, so the releases
        // still waiting on the clock end with it.
        private readonly CancellationTokenSource _disposed = new();

        public RateGate(OutboundPolicy policy, TimeProvider time)
        {
            _time = time;
            _maxWait = policy.MaxRetryAfter;
            // Longest window first: a conversation out of its hour's allowance waits there, holding none of its shorter windows.
            _perConversation = [.. policy.PerConversation.OrderByDescending(w => w.Window).Select(w => new Window(w, ConversationQueue))];
            _perTenant = [.. policy.PerTenant.OrderByDescending(w => w.Window).Select(w => new Window(w, TenantQueue))];
        }

        /// <summary>
        /// Waits for the tenant's throttle to lift, then for a permit in each of the conversation's windows, then in the
        /// tenant's (last, so a conversation held at its own limit holds none of its tenant's permits). Null when the
        /// throttle outlasts MaxRetryAfter or a queue is full: answer as a 429. Dispose what it returns when the call
        /// has ended.
        /// </summary>
        public async Task<Permits?> EnterAsync(string? tenantId, string? conversationId, bool isSend, CancellationToken cancellationToken)
        {
            if (tenantId is not null && _throttledUntil.TryGetValue(tenantId, out var until))
            {
                // Monotonic time: a wall-clock jump neither lifts nor extends the hold.
                var wait = TimeSpan.FromSeconds((until - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
                if (wait > _maxWait)
                {
                    return null;
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken);
                }
            }

            Permits? permits = new(this);
            try
            {
                if (conversationId is not null && isSend && !await TakeAsync(permits, _perConversation, conversationId, cancellationToken))
                {
                    return null;
                }

                if (tenantId is not null && !await TakeAsync(permits, _perTenant, tenantId, cancellationToken))
                {
                    return null;
                }

                // A permit can be handed over just as the caller gives up: no call will be made with it.
                cancellationToken.ThrowIfCancellationRequested();
                var taken = permits;
                permits = null;
                return taken;
            }
            finally
            {
                // Refused, cancelled or failed on the way: no call was made with them, so they go back at once.
                permits?.ReturnUnused();
            }
        }

        /// <summary>A 429 with Retry-After holds every request of that tenant until then, not only the one that got it.</summary>
        public void Throttled(string? tenantId, HttpResponseMessage response)
        {
            if (tenantId is not null && RetryAfterOf(response) is { } delay)
            {
                var until = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
                _throttledUntil.AddOrUpdate(tenantId, until, (_, known) => known > until ? known : until);
            }
        }

        public void Dispose()
        {
            _disposed.Cancel();
            foreach (var window in _perConversation.Concat(_perTenant))
            {
                window.Limiter.Dispose();
            }
        }

        /// <summary>A permit in each window, in order; false (the permits taken so far left for the caller to give back) when a queue is full.</summary>
        private static async Task<bool> TakeAsync(Permits permits, Window[] windows, string key, CancellationToken cancellationToken)
        {
            foreach (var window in windows)
            {
                var lease = await window.AcquireAsync(key, cancellationToken);
                if (!lease.IsAcquired)
                {
                    lease.Dispose();
                    return false;
                }

                permits.Add(lease, window.Length);
            }

            return true;
        }

        /// <summary>One window: a concurrency limiter per partition (conversation or tenant) whose permits outlive their calls.</summary>
        private sealed class Window
        {
            public Window(RateWindow limit, int queue)
            {
                if (limit.Count < 1 || limit.Window <= TimeSpan.Zero || limit.Window > RateWindow.MaxWindow)
                {
                    throw new ArgumentOutOfRangeException(nameof(limit), limit, $"A rate window needs a count of at least 1 and a window above zero, up to {RateWindow.MaxWindow}.");
                }

                Length = limit.Window;
                Limiter = PartitionedRateLimiter.Create<string, string>(
                    key => RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = limit.Count, QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    }),
                    StringComparer.Ordinal);
            }

            public TimeSpan Length { get; }

            public PartitionedRateLimiter<string> Limiter { get; }

            public async ValueTask<RateLimitLease> AcquireAsync(string key, CancellationToken cancellationToken)
            {
                try
                {
                    return await Limiter.AcquireAsync(key, 1, cancellationToken);
                }
                catch (ObjectDisposedException)
                {
                    // The partitioned limiter disposes a partition idle for 10 s; a call that looked it up a moment
                    // before meets it disposed (dotnet/runtime#99865). Asking again makes a fresh one. (Once the whole
                    // gate is disposed, this throws again.)
                    return await Limiter.AcquireAsync(key, 1, cancellationToken);
                }
            }
        }

        /// <summary>
        /// The permits one call holds. Disposing it says the call has ended (answered, failed or cancelled): each
        /// permit goes back its window later.
        /// </summary>
        internal sealed class Permits(RateGate gate) : IDisposable
        {
            private readonly List<(RateLimitLease Lease, TimeSpan Window)> _held = [];
            private int _ended;

            public void Add(RateLimitLease lease, TimeSpan window) => _held.Add((lease, window));

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _ended, 1) == 0 && _held.Count > 0)
                {
                    DelayedRelease.Start(gate._time, gate._time.GetTimestamp(), [.. _held.OrderBy(h => h.Window)], gate._disposed.Token);
                }
            }

            /// <summary>No call was made with these permits: they go back now.</summary>
            public void ReturnUnused()
            {
                if (Interlocked.Exchange(ref _ended, 1) == 0)
                {
                    foreach (var (lease, _) in _held)
                    {
                        lease.Dispose();
                    }
                }
            }
        }
    }

    /// <summary>
    /// An ended call's permits on their way back: each <see cref="RateWindow.Window"/> after the call ended, shortest
    /// window first, on one timer of the gate's clock. Never early: a timer may fire a little before its time on the
    /// system clock, so the time left is read again when it fires. If the gate goes first, they all go back then.
    /// </summary>
    private sealed class DelayedRelease
    {
        private readonly TimeProvider _time;
        private readonly long _endedAt;
        private readonly (RateLimitLease Lease, TimeSpan Window)[] _held;
        private readonly Lock _lock = new();
        private ITimer? _timer;
        private CancellationTokenRegistration _gateGoing;
        private int _next;

        private DelayedRelease(TimeProvider time, long endedAt, (RateLimitLease, TimeSpan)[] held)
        {
            _time = time;
            _endedAt = endedAt;
            _held = held;
        }

        /// <param name="held">Shortest window first.</param>
        public static void Start(TimeProvider time, long endedAt, (RateLimitLease, TimeSpan)[] held, CancellationToken gateGoing)
        {
            var permits = new DelayedRelease(time, endedAt, held);
            // An hour's timer keeps nothing of the call's execution context (its activity, its logging scopes) alive.
            if (ExecutionContext.IsFlowSuppressed())
            {
                permits._timer = time.CreateTimer(static p => ((DelayedRelease)p!).Tick(), permits, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            else
            {
                using (ExecutionContext.SuppressFlow())
                {
                    permits._timer = time.CreateTimer(static p => ((DelayedRelease)p!).Tick(), permits, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }

            permits._gateGoing = gateGoing.UnsafeRegister(static p => ((DelayedRelease)p!).ReleaseAll(), permits);
            permits.Tick();
        }

        /// <summary>Gives back every permit whose window has passed since the call ended, then waits for the next.</summary>
        private void Tick()
        {
            lock (_lock)
            {
                while (_next < _held.Length)
                {
                    var (lease, window) = _held[_next];
                    // Capped at the window: a clock set back (a fake one) neither stretches the hold nor overflows the timer.
                    var elapsed = _time.GetElapsedTime(_endedAt);
                    var left = elapsed < TimeSpan.Zero ? window : window - elapsed;
                    if (left > TimeSpan.Zero)
                    {
                        _timer!.Change(left, Timeout.InfiniteTimeSpan);
                        return;
                    }

                    lease.Dispose();
                    _next++;
                }

                Done();
            }
        }

        /// <summary>The gate is going: every permit goes back now.</summary>
        private void ReleaseAll()
        {
            lock (_lock)
            {
                for (; _next < _held.Length; _next++)
                {
                    _held[_next].Lease.Dispose();
                }

                Done();
            }
        }

        private void Done()
        {
            _timer!.Dispose();
            // Unregister, not Dispose: that would wait for ReleaseAll, which may be waiting for the lock held here.
            _gateGoing.Unregister();
        }
    }

    /// <summary>
    /// Runs once per attempt, inside the retries: every attempt waits its turn at the gate, and holds its permits
    /// across the call, so they count from the moment it ended.
    /// </summary>
    private sealed class RateGateHandler(RateGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.TryGetValue(TenantKey, out var tenant);
            request.Options.TryGetValue(ConversationKey, out var conversation);
            using var permits = await gate.EnterAsync(tenant, conversation, request.Method != HttpMethod.Get, cancellationToken);
            if (permits is null)
            {
                return new HttpResponseMessage(HttpStatusCode.TooManyRequests) { RequestMessage = request, ReasonPhrase = "Held by StretchBot's rate gate" };
            }

            // The response's headers are the end of the call: the platform saw it by then. Content read afterwards by
            // HttpClient needs no permit.
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                gate.Throttled(tenant, response);
            }

            return response;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Client} call failed, retry {Attempt}: status {Status} {Exception}; waiting {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string client, int attempt, int? status, string? exception, double delayMs);
}
