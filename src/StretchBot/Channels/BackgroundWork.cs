using System.Threading.Channels;
using StretchBot.Delivery;

namespace StretchBot.Channels;

/// <summary>
/// Work a channel doesn't wait for: the platform gets its answer at once and the replies follow through its API.
/// A bounded queue drained by a few workers; a full queue makes the endpoint answer 503 so the platform retries.
/// Any channel (and any scheduled job) hands its work here rather than running its own queue.
/// </summary>
public sealed partial class BackgroundWork(ILogger<BackgroundWork> logger) : BackgroundService
{
    // The work is mostly waiting on the network (a platform's API, a response_url) and the database: 32 at a time keep
    // a burst of clicks moving when each answer takes a round trip to Slack or Teams.
    private const int Workers = 32;
    private readonly Channel<Func<CancellationToken, Task>> _queue = Channel.CreateBounded<Func<CancellationToken, Task>>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false });

    private readonly InFlightWork _inFlight = new();

    /// <summary>Queues work; false when the queue is full (the caller answers 503).</summary>
    public bool TryEnqueue(Func<CancellationToken, Task> work)
    {
        var started = _inFlight.Begin();
        if (_queue.Writer.TryWrite(ct => RunAsync(work, started, ct)))
        {
            return true;
        }

        started.Dispose();
        return false;
    }

    /// <summary>
    /// Completes when nothing is queued or running here: a signal that every activity handed over so far is finished
    /// (its replies sent or given up), for tests instead of sleeping. Delayed shared-card updates are not included:
    /// they wait on the clock (see <see cref="SharedCardUpdates.WhenIdleAsync"/>).
    /// </summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _inFlight.WhenIdleAsync(cancellationToken);

    private static async Task RunAsync(Func<CancellationToken, Task> work, IDisposable started, CancellationToken cancellationToken)
    {
        using (started)
        {
            await work(cancellationToken);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => DrainAsync(stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await work(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // Shutting down: the work was cancelled, not broken.
                }
                catch (Exception exception)
                {
                    LogFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Background work failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
