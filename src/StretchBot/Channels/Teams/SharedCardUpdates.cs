using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StretchBot.Conversation;
using StretchBot.Installs;
using StretchBot.Stretching;

namespace StretchBot.Channels.Teams;

/// <summary>
/// Keeps the tally on shared stretch cards current without flooding the channel: the first Done updates the card at
/// once, and every Done after that within the interval folds into one trailing update that reads the count fresh.
/// Thirty people clicking in the same minute cost a handful of PUTs, never thirty. Coalescing is per app instance.
/// </summary>
public sealed partial class SharedCardUpdates(
    TurnHandler turns,
    TeamsMessages messages,
    BotConnectorClient connector,
    CardPostStore cardPosts,
    InstallStore installs,
    TimeProvider time,
    IOptions<TeamsOptions> options,
    ILogger<SharedCardUpdates> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, CardState> _cards = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _interval = options.Value.SharedCardUpdateInterval;

    /// <summary>Asks for the shared card of this prompt to show its current tally, soon.</summary>
    public void Request(string promptId, string tenantId)
    {
        var state = _cards.GetOrAdd(promptId, _ => new CardState());
        TimeSpan delay;
        lock (state)
        {
            if (state.Busy)
            {
                // An update is waiting or on its way; make sure one more follows if this click may have missed it.
                state.Dirty = true;
                return;
            }

            state.Busy = true;
            delay = state.LastSent is { } last ? _interval - time.GetElapsedTime(last) : TimeSpan.Zero;
        }

        _ = RunAsync(promptId, tenantId, state, delay);
        Sweep();
    }

    /// <summary>
    /// Sends updates until no click is left unshown. The interval runs from the end of one update to the start of
    /// the next, so the connector never sees two closer together than the interval, however slow a call was.
    /// </summary>
    private async Task RunAsync(string promptId, string tenantId, CardState state, TimeSpan delay)
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

                await TryUpdateAsync(promptId, tenantId);
                lock (state)
                {
                    state.LastSent = time.GetTimestamp();
                    if (!state.Dirty)
                    {
                        state.Busy = false;
                        return;
                    }
                }

                delay = _interval;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task TryUpdateAsync(string promptId, string tenantId)
    {
        try
        {
            await UpdateAsync(promptId, tenantId, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (BotConnectorException exception)
        {
            LogUpdateFailed(logger, (int)exception.Status, exception.Code);
        }
        catch (Exception exception)
        {
            // Off the request path: nobody else would log it.
            LogUpdateCrashed(logger, exception);
        }
    }

    private async Task UpdateAsync(string promptId, string tenantId, CancellationToken cancellationToken)
    {
        if (await cardPosts.FindAsync(promptId, cancellationToken) is not { } post)
        {
            return;
        }

        if (await turns.PromptCardAsync(promptId, cancellationToken) is not { } view)
        {
            return;
        }

        var botId = options.Value.AuthenticationEnabled ? options.Value.BotId : "28:stretchbot";
        var activity = messages.Activity(view, botId, null, post.ConversationId);
        try
        {
            await connector.UpdateAsync(post.ServiceUrl, tenantId, post.ConversationId, post.ActivityId, activity, cancellationToken);
            LogUpdated(logger, view.DoneCount);
        }
        catch (BotConnectorException exception) when (exception.Status == System.Net.HttpStatusCode.Forbidden)
        {
            await installs.MarkGoneAsync(TeamsActivity.TeamsChannelId, post.ConversationId.Split(";messageid=", 2)[0], exception.Code ?? "403", cancellationToken);
            throw;
        }
    }

    /// <summary>Forgets cards whose last update is long past, so the map doesn't grow without end.</summary>
    private void Sweep()
    {
        if (_cards.Count < 1024)
        {
            return;
        }

        foreach (var (id, state) in _cards)
        {
            lock (state)
            {
                if (!state.Busy && state.LastSent is { } last && time.GetElapsedTime(last) > _interval * 4)
                {
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
        public long? LastSent;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shared stretch card updated: {Count} done")]
    private static partial void LogUpdated(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update a shared stretch card: {Status} {Code}")]
    private static partial void LogUpdateFailed(ILogger logger, int status, string? code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Updating a shared stretch card failed")]
    private static partial void LogUpdateCrashed(ILogger logger, Exception exception);
}
