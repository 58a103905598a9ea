using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StretchBot.Scheduling;

namespace StretchBot.Nudges;

/// <summary>
/// Hands pending delivery records to <see cref="NudgeDelivery"/>: at most <see cref="SchedulingOptions.MaxConcurrentDeliveries"/>
/// at once, fairly across tenants, each when it is due on the app's clock. At start-up it resumes every record left
/// pending by the last instance, so nothing recorded is lost and nothing recorded as sent is posted again.
/// </summary>
/// <remarks>
/// <para>
/// Fairness: one queue per tenant, served round-robin, and no tenant holds more than its share of the slots while
/// others wait (the slots divided by the tenants with work); a tenant alone borrows the idle slots up to three
/// quarters of them, so the next tenant to arrive always finds one free. A tenant held at its rate gate (50/s in Teams, or a
/// throttled-until after a 429) ties up only its own share, so every other tenant's nudges keep flowing. With 20
/// tenants due at once, each sends at its own limit, and the whole fan-out takes as long as the busiest tenant
/// needs at its limit.
/// </para>
/// <para>
/// Records due later (jitter, Later) wait in memory on the clock; the table is the truth, so a restart reloads them.
/// Items are ids: each run reads its record fresh, and a record no longer pending is left alone.
/// </para>
/// </remarks>
public sealed partial class NudgeDispatcher : BackgroundService
{
    private readonly DeliveryStore _deliveries;
    private readonly Lazy<NudgeDelivery> _delivery;
    private readonly TimeProvider _time;
    private readonly ILogger<NudgeDispatcher> _logger;
    private readonly int _maxConcurrent;
    private readonly int _lendingCap;

    private readonly object _gate = new();
    private readonly Dictionary<string, TenantQueue> _tenants = new(StringComparer.Ordinal);
    private readonly LinkedList<TenantQueue> _ring = new();
    private readonly HashSet<long> _known = [];
    private readonly PriorityQueue<Item, DateTimeOffset> _later = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _resumed = NewSignal();
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource _idle = Completed();
    private int _running;
    private int _ready;
    private long _delivered;

    /// <param name="services">
    /// Where <see cref="NudgeDelivery"/> comes from, on first use: as a hosted service this is built before the
    /// start-up checks run, and the delivery's dependencies (the catalog) must fail there, with their one-line message.
    /// </param>
    public NudgeDispatcher(DeliveryStore deliveries, IServiceProvider services, TimeProvider time, IOptions<SchedulingOptions> options, ILogger<NudgeDispatcher> logger)
    {
        _deliveries = deliveries;
        _delivery = new Lazy<NudgeDelivery>(services.GetRequiredService<NudgeDelivery>);
        _time = time;
        _logger = logger;
        _maxConcurrent = options.Value.MaxConcurrentDeliveries;
        _lendingCap = Math.Max(1, _maxConcurrent - (_maxConcurrent / 4));
    }

    /// <summary>Records handed over and finished (sent, failed or skipped) since start.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Records waiting here: due and queued, on their way, or waiting for their time.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _known.Count;
            }
        }
    }

    /// <summary>Completes once start-up has taken every record the last instance left pending.</summary>
    public Task Resumed => _resumed.Task;

    /// <summary>
    /// Completes when nothing due by the clock's "now" is queued or on its way (records waiting for a later time don't
    /// count). Records whose time has come are released here and then, not only when the timer next wakes.
    /// </summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ReleaseDueLocked(_time.GetUtcNow());
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes a pending record: sent when due, fairly, within the concurrency bound. A record already here is ignored.</summary>
    public void Enqueue(Delivery delivery)
    {
        var item = new Item(delivery.Id, delivery.TenantId);
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested || !_known.Add(item.Id))
            {
                return;
            }

            if (delivery.DueAt > _time.GetUtcNow())
            {
                _later.Enqueue(item, delivery.DueAt);
                _wake.TrySetResult();
                return;
            }

            ReadyLocked(item);
            PumpLocked();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stopping.Token);
        var token = linked.Token;
        try
        {
            var pending = await _deliveries.ListPendingAsync(token);
            if (pending.Count > 0)
            {
                LogResuming(_logger, pending.Count, pending.Count(p => p.Attempts > 0));
            }

            foreach (var delivery in pending)
            {
                Enqueue(delivery);
            }

            _resumed.TrySetResult();

            await RunTimerAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopped once as a hosted service and disposed once as a singleton: both only cancel (the source has no timer to free).
        lock (_gate)
        {
            _stopping.Cancel();
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Cancel();
        base.Dispose();
    }

    /// <summary>Moves records whose time has come to their tenant's queue; sleeps on the clock until the next one.</summary>
    private async Task RunTimerAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task woken;
            Task delay;
            DateTimeOffset? nextDue;
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                ReleaseDueLocked(now);
                // Armed under the lock, from the same reading of the clock: a clock that moves on right after this (a
                // test's fake clock jumping to the due time) finds the timer already set, never one set too late.
                nextDue = _later.TryPeek(out _, out var next) ? next : null;
                var wait = nextDue is { } due ? due - now : Timeout.InfiniteTimeSpan;
                delay = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, timer.Token) : Task.Delay(wait, _time, timer.Token);
                if (_wake.Task.IsCompleted)
                {
                    _wake = NewSignal();
                }

                woken = _wake.Task;
            }

            if (nextDue is { } dueBy && _time.GetUtcNow() >= dueBy)
            {
                // The clock passed the next due time between reading it and arming the timer: release it now.
                await timer.CancelAsync();
                continue;
            }

            await Task.WhenAny(delay, woken).WaitAsync(cancellationToken);
            await timer.CancelAsync();
        }
    }

    /// <summary>Moves records due by <paramref name="now"/> to their tenant's queue and starts what the slots allow.</summary>
    private void ReleaseDueLocked(DateTimeOffset now)
    {
        while (_later.TryPeek(out var item, out var due) && due <= now)
        {
            _later.Dequeue();
            ReadyLocked(item);
        }

        PumpLocked();
    }

    private void ReadyLocked(Item item)
    {
        if (!_tenants.TryGetValue(item.TenantId, out var tenant))
        {
            tenant = new TenantQueue(item.TenantId);
            _tenants[item.TenantId] = tenant;
        }

        tenant.Items.Enqueue(item);
        if (tenant.Node is null)
        {
            tenant.Node = _ring.AddLast(tenant);
        }

        if (_ready++ == 0 && _running == 0)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Starts queued records while slots are free, taking tenants in turn, each within its fair share.</summary>
    private void PumpLocked()
    {
        while (_running < _maxConcurrent && _ready > 0 && !_stopping.IsCancellationRequested)
        {
            // The tenants in the ring all have work queued or on its way: the slots are shared among them.
            var share = Math.Min(_lendingCap, Math.Max(1, _maxConcurrent / Math.Max(1, _ring.Count)));
            TenantQueue? chosen = null;
            for (var node = _ring.First; node is not null; node = node.Next)
            {
                if (node.Value.Items.Count > 0 && node.Value.Running < share)
                {
                    chosen = node.Value;
                    break;
                }
            }

            if (chosen is null)
            {
                // Everyone with work is at their share: lend the free slots rather than leave them idle, but never the
                // last quarter, so a tenant arriving next finds a slot at once instead of queueing behind a held one.
                for (var node = _ring.First; node is not null; node = node.Next)
                {
                    if (node.Value.Items.Count > 0 && node.Value.Running < _lendingCap)
                    {
                        chosen = node.Value;
                        break;
                    }
                }
            }

            if (chosen is null)
            {
                return;
            }

            var item = chosen.Items.Dequeue();
            _ready--;
            _running++;
            chosen.Running++;
            // Round-robin: the tenant just served goes to the back of the line.
            _ring.Remove(chosen.Node!);
            _ring.AddLast(chosen.Node!);
            _ = RunAsync(chosen, item);
        }
    }

    private async Task RunAsync(TenantQueue tenant, Item item)
    {
        // Off the caller's thread (a Quartz job, a request): the post runs on its own.
        await Task.Yield();
        try
        {
            await _delivery.Value.DeliverAsync(item.Id, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the record stays pending and the next start resumes it.
        }
        catch (Exception exception)
        {
            LogCrashed(_logger, item.Id, exception);
        }
        finally
        {
            Interlocked.Increment(ref _delivered);
            lock (_gate)
            {
                _running--;
                tenant.Running--;
                _known.Remove(item.Id);
                if (tenant.Running == 0 && tenant.Items.Count == 0)
                {
                    _ring.Remove(tenant.Node!);
                    tenant.Node = null;
                    _tenants.Remove(tenant.TenantId);
                }

                PumpLocked();
                if (_running == 0 && _ready == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Completed()
    {
        var done = NewSignal();
        done.SetResult();
        return done;
    }

    private sealed record Item(long Id, string TenantId);

    private sealed class TenantQueue(string tenantId)
    {
        public string TenantId { get; } = tenantId;

        public Queue<Item> Items { get; } = new();

        public int Running { get; set; }

        public LinkedListNode<TenantQueue>? Node { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} pending nudge deliveries ({InFlight} were on their way when the last instance stopped)")]
    private static partial void LogResuming(ILogger logger, int count, int inFlight);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering nudge {DeliveryId} failed")]
    private static partial void LogCrashed(ILogger logger, long deliveryId, Exception exception);
}
