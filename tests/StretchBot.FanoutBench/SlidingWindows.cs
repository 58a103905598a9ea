namespace StretchBot.FanoutBench;

/// <summary>A rate limit as Teams documents it: at most <see cref="Count"/> operations in any <see cref="Window"/>.</summary>
public readonly record struct WindowLimit(int Count, TimeSpan Window)
{
    public override string ToString() => $"{Count}/{Window.TotalSeconds:0.###} s";
}

/// <summary>
/// Sliding windows over real time for one key (a conversation, a tenant). An operation at instant t is allowed when,
/// for every limit, fewer than Count allowed operations lie in (t − Window, t]. Refused operations don't count: the
/// fake answers them 429 and they never happened as far as the limits go.
/// </summary>
public sealed class SlidingWindows(IReadOnlyList<WindowLimit> limits)
{
    private readonly Queue<long> _allowed = new();
    private readonly long _longest = limits.Count == 0 ? 0 : limits.Max(l => Ticks(l.Window));
    private readonly WindowLimit[] _limits = [.. limits];

    /// <param name="now">A Stopwatch timestamp.</param>
    public bool TryAcquire(long now)
    {
        lock (_allowed)
        {
            if (!Allows(now))
            {
                return false;
            }

            _allowed.Enqueue(now);
            return true;
        }
    }

    /// <summary>
    /// Takes a slot in both or in neither (a conversation inside its tenant): a refusal by one never uses up the
    /// other's window. Locks in a fixed order (outer, then inner), so two calls can't deadlock.
    /// </summary>
    public static bool TryAcquireBoth(SlidingWindows outer, SlidingWindows inner, long now)
    {
        lock (outer._allowed)
        {
            lock (inner._allowed)
            {
                if (!outer.Allows(now) || !inner.Allows(now))
                {
                    return false;
                }

                outer._allowed.Enqueue(now);
                inner._allowed.Enqueue(now);
                return true;
            }
        }
    }

    private bool Allows(long now)
    {
        while (_allowed.Count > 0 && _allowed.Peek() <= now - _longest)
        {
            _allowed.Dequeue();
        }

        foreach (var limit in _limits)
        {
            if (_allowed.Count < limit.Count)
            {
                continue;
            }

            // The queue is in time order, so it is enough to look at the Count-th most recent allowed operation.
            if (_allowed.ElementAt(_allowed.Count - limit.Count) > now - Ticks(limit.Window))
            {
                return false;
            }
        }

        return true;
    }

    private static long Ticks(TimeSpan window) => (long)(window.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>
    /// The earliest instants (seconds after the first) at which <paramref name="operations"/> operations can all go
    /// under <paramref name="limits"/>: each goes as soon as every window allows it, so the last one is the floor.
    /// </summary>
    public static double[] Earliest(int operations, IReadOnlyList<WindowLimit> limits)
    {
        var at = new double[operations];
        for (var k = 0; k < operations; k++)
        {
            var t = k == 0 ? 0 : at[k - 1];
            foreach (var limit in limits)
            {
                // The k-th may go once the one Count places before it has left the window (t − Window ≥ that one).
                if (k >= limit.Count)
                {
                    t = Math.Max(t, at[k - limit.Count] + limit.Window.TotalSeconds);
                }
            }

            at[k] = t;
        }

        return at;
    }
}
