using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StretchBot.Conversation;

namespace StretchBot.Delivery;

/// <summary>
/// Keeps the tally on shared stretch cards current without flooding the conversation: the first Done updates the card
/// at once, and every Done after that within the channel's interval folds into one trailing update that reads the
/// count fresh. Thirty people clicking in the same minute cost a handful of updates, never thirty. Coalescing is per
/// app instance. Any channel whose sender can update posted cards gets this; the interval is the channel's.
/// </summary>
public sealed partial class SharedCardUpdates(
    TurnHandler turns,
    Outbox outbox,
    TimeProvider time,
    ILogger<SharedCardUpdates> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, CardState> _cards = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly InFlightWork _inFlight = new();

    /// <summary>Completes when no card update is waiting or on its way (trailing updates wait out the interval on the clock).</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _inFlight.WhenIdleAsync(cancellationToken);

    /// <summary>Asks for the shared card of this prompt to show its current tally, soon.</summary>
    public void Request(string promptId, string channelId)
    {
        if (outbox.CardUpdateInterval(channelId) is not { } interval)
        {
            return;
        }

        CardState state;
        TimeSpan delay;
        while (true)
        {
            state = _cards.GetOrAdd(promptId, _ => new CardState());
            Monitor.Enter(state);
            if (!state.Removed)
            {
                break;
            }

            // Swept between the lookup and the lock: take the new entry, so one prompt never has two update loops.
            Monitor.Exit(state);
        }

        try
        {
            if (state.Busy)
            {
                // An update is waiting or on its way; make sure one more follows if this click may have missed it.
                state.Dirty = true;
                return;
            }

            state.Busy = true;
            delay = state.LastSent is { } last ? interval - time.GetElapsedTime(last) : TimeSpan.Zero;
        }
        finally
        {
            Monitor.Exit(state);
        }

        _ = RunAsync(promptId, interval, state, delay, _inFlight.Begin());
        Sweep(interval);
    }

    /// <summary>
    /// Sends updates until no click is left unshown. The interval runs from the end of one update to the start of
    /// the next, so the platform never sees two closer together than the interval, however slow a call was.
    /// </summary>
    private async Task RunAsync(string promptId, TimeSpan interval, CardState state, TimeSpan delay, IDisposable work)
    {
        using (work)
        {
            try
            {
                while (true)
                {
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, time, _stopping.Token);
                    }

                    lock (state)
                    {
                        // Clicks so far are in the count this update reads; later ones mark it dirty again.
                        state.Dirty = false;
                    }

                    await TryUpdateAsync(promptId);
                    lock (state)
                    {
                        state.LastSent = time.GetTimestamp();
                        if (!state.Dirty)
                        {
                            state.Busy = false;
                            return;
                        }
                    }

                    delay = interval;
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
        }
    }

    private async Task TryUpdateAsync(string promptId)
    {
        try
        {
            if (await turns.PromptCardAsync(promptId, _stopping.Token) is { } view && await outbox.UpdateCardAsync(promptId, view, _stopping.Token))
            {
                LogUpdated(logger, view.DoneCount);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // Off the request path: nobody else would log it.
            LogUpdateCrashed(logger, exception);
        }
    }

    /// <summary>Forgets cards whose last update is long past, so the map doesn't grow without end.</summary>
    private void Sweep(TimeSpan interval)
    {
        if (_cards.Count < 1024)
        {
            return;
        }

        foreach (var (id, state) in _cards)
        {
            lock (state)
            {
                if (!state.Busy && state.LastSent is { } last && time.GetElapsedTime(last) > interval * 4)
                {
                    state.Removed = true;
                    _cards.TryRemove(id, out _);
                }
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed class CardState
    {
        public bool Busy;
        public bool Dirty;
        public bool Removed;
        public long? LastSent;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shared stretch card updated: {Count} done")]
    private static partial void LogUpdated(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Updating a shared stretch card failed")]
    private static partial void LogUpdateCrashed(ILogger logger, Exception exception);
}
