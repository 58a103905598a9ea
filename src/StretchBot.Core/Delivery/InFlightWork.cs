namespace StretchBot.Delivery;

/// <summary>
/// Counts work that runs after a request was answered (queued turns, delayed card updates), so shutdown and tests
/// can wait for "everything handed over so far is finished" instead of guessing with a sleep.
/// </summary>
public sealed class InFlightWork
{
    private readonly object _gate = new();
    private int _pending;
    private TaskCompletionSource _idle = Completed();

    /// <summary>Marks one piece of work as started; dispose the result when it has finished (whatever the outcome).</summary>
    public IDisposable Begin()
    {
        lock (_gate)
        {
            if (_pending++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new Token(this);
    }

    /// <summary>Completes when no work is pending.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    private void End()
    {
        lock (_gate)
        {
            if (--_pending == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Completed()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    private sealed class Token(InFlightWork owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.End();
            }
        }
    }
}
