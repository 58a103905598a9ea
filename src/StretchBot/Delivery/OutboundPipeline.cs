using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace StretchBot.Delivery;

/// <summary>
/// How one platform wants to be called: its retries, its per-attempt timeout, and its rate limits. Each channel
/// states its own numbers; the pipeline that applies them (<see cref="OutboundPipeline"/>) is the same for all.
/// <see cref="SendsPerHourPerConversation"/> 0 means no hourly limit.
/// </summary>
public sealed record OutboundPolicy(
    int MaxRetries,
    TimeSpan RetryDelay,
    TimeSpan MaxRetryAfter,
    TimeSpan AttemptTimeout,
    int SendsPerSecondPerConversation,
    int RequestsPerSecondPerTenant,
    int SendsPerHourPerConversation = 0);

/// <summary>
/// The one resilience pipeline and rate gate for every outbound platform call, built once in DI on a named
/// HttpClient: retries of 412/429/5xx gateway errors, transport errors and timed-out attempts (exponential with
/// jitter, Retry-After honoured), a timeout per attempt, and per conversation / per tenant token buckets with a
/// throttled-until gate a 429 sets for its tenant. A channel's client tags each request with
/// <see cref="Tag"/>; a new channel calls <see cref="AddOutboundPipeline"/> and writes no sending code of its own.
/// </summary>
public static partial class OutboundPipeline
{
    private static readonly HttpRequestOptionsKey<string> TenantKey = new("StretchBot.Outbound.Tenant");
    private static readonly HttpRequestOptionsKey<string> ConversationKey = new("StretchBot.Outbound.Conversation");

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

    /// <summary>Adds the pipeline to a channel's named HttpClient. Handlers added after this one run inside it, once per attempt, within its timeout.</summary>
    public static IHttpClientBuilder AddOutboundPipeline(this IHttpClientBuilder builder, Func<IServiceProvider, OutboundPolicy> policyOf)
    {
        var name = builder.Name;
        builder.Services.AddKeyedSingleton(name, (sp, _) => new RateGate(policyOf(sp), sp.GetRequiredService<TimeProvider>()));
        // Retries outermost; then the rate gate, so its waits (a throttled tenant, a full bucket) are not cut short by
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
                    ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                        .Handle<HttpRequestException>()
                        .Handle<TimeoutRejectedException>()
                        .HandleResult(r => Transient.Contains(r.StatusCode)),
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
    /// Token buckets per conversation (sends only) and per tenant, plus the time until which a tenant is throttled
    /// after a 429: waiting here beats another 429. One gate per channel client, shared by every sender of it.
    /// </summary>
    internal sealed class RateGate : IDisposable
    {
        private readonly PartitionedRateLimiter<string> _perConversation;
        private readonly PartitionedRateLimiter<string>? _perConversationHourly;
        private readonly PartitionedRateLimiter<string> _perTenant;
        private readonly ConcurrentDictionary<string, long> _throttledUntil = new(StringComparer.Ordinal);
        private readonly TimeSpan _maxWait;
        private readonly TimeProvider _time;

        public RateGate(OutboundPolicy policy, TimeProvider time)
        {
            _time = time;
            _maxWait = policy.MaxRetryAfter;
            _perConversation = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => Bucket(policy.SendsPerSecondPerConversation, 1000)));
            _perTenant = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => SmoothBucket(policy.RequestsPerSecondPerTenant, 10_000)));
            if (policy.SendsPerHourPerConversation > 0)
            {
                // The hour's allowance may be spent in a burst (within the per-second limit), then it comes back
                // evenly: one send per 3600/limit seconds, so no rolling hour ever holds more than the limit plus that.
                var perHour = policy.SendsPerHourPerConversation;
                _perConversationHourly = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perHour, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(3600.0 / perHour),
                    QueueLimit = 1000, QueueProcessingOrder = QueueProcessingOrder.OldestFirst, AutoReplenishment = true,
                }));
            }
        }

        /// <summary>Waits for the tenant's throttle to lift and for a token; null when the wait would be too long (answer as a 429).</summary>
        public async Task<IDisposable?> EnterAsync(string? tenantId, string? conversationId, bool isSend, CancellationToken cancellationToken)
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

            var tenantLease = tenantId is null ? null : await _perTenant.AcquireAsync(tenantId, 1, cancellationToken);
            // The hour first: a conversation out of its hourly allowance waits without holding a per-second token.
            var hourLease = conversationId is null || !isSend || _perConversationHourly is null ? null : await _perConversationHourly.AcquireAsync(conversationId, 1, cancellationToken);
            var conversationLease = conversationId is null || !isSend ? null : await _perConversation.AcquireAsync(conversationId, 1, cancellationToken);
            if (tenantLease is { IsAcquired: false } || conversationLease is { IsAcquired: false } || hourLease is { IsAcquired: false })
            {
                tenantLease?.Dispose();
                conversationLease?.Dispose();
                hourLease?.Dispose();
                return null;
            }

            return new Leases(tenantLease, conversationLease, hourLease);
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
            _perConversation.Dispose();
            _perConversationHourly?.Dispose();
            _perTenant.Dispose();
        }

        /// <summary>
        /// A tenant's rate, handed out a tenth at a time every 100 ms (the partitioned limiter's replenishing tick): a
        /// whole second's tokens at once would let a busy tenant send 50, then 50 more a moment later, which a platform
        /// counting 50 in any one-second window answers with 429s (FanoutBench saw 2.5% of a fan-out refused). This way
        /// no second holds more than the rate plus one tick's worth, right after an idle spell.
        /// </summary>
        private static TokenBucketRateLimiterOptions SmoothBucket(int perSecond, int queue)
        {
            var perTick = Math.Max(1, perSecond / 10);
            return new()
            {
                TokenLimit = perTick, TokensPerPeriod = perTick, ReplenishmentPeriod = TimeSpan.FromSeconds(perTick / (double)perSecond),
                QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst, AutoReplenishment = true,
            };
        }

        private static TokenBucketRateLimiterOptions Bucket(int perSecond, int queue) => new()
        {
            TokenLimit = perSecond, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst, AutoReplenishment = true,
        };

        private sealed class Leases(RateLimitLease? tenant, RateLimitLease? conversation, RateLimitLease? hour) : IDisposable
        {
            public void Dispose()
            {
                tenant?.Dispose();
                conversation?.Dispose();
                hour?.Dispose();
            }
        }
    }

    /// <summary>Runs once per attempt, inside the retries: every attempt waits its turn at the gate.</summary>
    private sealed class RateGateHandler(RateGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.TryGetValue(TenantKey, out var tenant);
            request.Options.TryGetValue(ConversationKey, out var conversation);
            using var leases = await gate.EnterAsync(tenant, conversation, request.Method != HttpMethod.Get, cancellationToken);
            if (leases is null)
            {
                return new HttpResponseMessage(HttpStatusCode.TooManyRequests) { RequestMessage = request, ReasonPhrase = "Held by StretchBot's rate gate" };
            }

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
