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

/// <summary>A fake clock that says when a one-shot timer of a given length is created, so a test moves time only once something waits on it.</summary>
public sealed class TimerSignalClock(DateTimeOffset start, TimeSpan watched) : FakeTimeProvider(start)
{
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a timer due after the watched span (and not periodic) exists.</summary>
    public Task WatchedTimerCreated => _created.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watched && period == Timeout.InfiniteTimeSpan)
        {
            _created.TrySetResult();
        }

        return timer;
    }
}
