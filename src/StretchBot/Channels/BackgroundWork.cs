using System.Threading.Channels;

namespace StretchBot.Channels;

/// <summary>
/// Work a channel doesn't wait for: the platform gets its answer at once and the replies follow through its API.
/// A bounded queue drained by a few workers; a full queue makes the endpoint answer 503 so the platform retries.
/// Any channel (and any scheduled job) hands its work here rather than running its own queue.
/// </summary>
public sealed partial class BackgroundWork(ILogger<BackgroundWork> logger) : BackgroundService
{
    private const int Workers = 8;
    private readonly Channel<Func<CancellationToken, Task>> _queue = Channel.CreateBounded<Func<CancellationToken, Task>>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false });

    private readonly object _gate = new();
    private int _pending;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    /// <summary>Queues work; false when the queue is full (the caller answers 503).</summary>
    public bool TryEnqueue(Func<CancellationToken, Task> work)
    {
        lock (_gate)
        {
            if (!_queue.Writer.TryWrite(work))
            {
                return false;
            }

            if (_pending++ == 0)
            {
                _idle = NewIdle(completed: false);
            }

            return true;
        }
    }

    /// <summary>
    /// Completes when nothing is queued or running: a signal that everything handed over so far is finished
    /// (used by shutdown diagnostics and by tests instead of sleeping).
    /// </summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
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
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, exception);
                }
                finally
                {
                    Finished();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Finished()
    {
        lock (_gate)
        {
            if (--_pending == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult();
        }

        return source;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Background work failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
