using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// A request body that announces more bytes than it sends: it sends the start, then stalls until released
/// (a client that stops sending), or ends early when told to (a client that closes the request short).
/// </summary>
public sealed class StalledBody(string start, int declaredLength, bool endEarly = false) : HttpContent
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(start));
        await stream.FlushAsync();
        if (!endEarly)
        {
            await _release.Task;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = declaredLength;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }
}

/// <summary>A fake clock that says when one-shot timers of a given length are created, so a test moves time only once something waits on it.</summary>
public sealed class TimerSignalClock(DateTimeOffset start, TimeSpan watched) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _created;

    /// <summary>How many watched timers exist so far (other parts of the app may make some too).</summary>
    public int WatchedTimers
    {
        get
        {
            lock (_gate)
            {
                return _created;
            }
        }
    }

    /// <summary>Completes once more than <paramref name="count"/> watched timers have been created.</summary>
    public Task WatchedTimerCreatedAfter(int count)
    {
        lock (_gate)
        {
            if (_created > count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watched && period == Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _created++;
                foreach (var waiter in _waiters.Where(w => _created > w.Count).ToList())
                {
                    waiter.Signal.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        return timer;
    }
}
