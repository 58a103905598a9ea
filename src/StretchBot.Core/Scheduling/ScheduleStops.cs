using Microsoft.Extensions.Logging;

namespace StretchBot.Scheduling;

/// <summary>
/// Stops the schedules of a conversation the bot can no longer reach (removed, uninstalled, the platform says it is
/// gone): the rows keep their settings and the reason, so a re-install can offer `schedule restore`, and their Quartz
/// jobs go through <see cref="ScheduleService.SyncAsync"/>, the one place a row's triggers are brought in line with it.
/// </summary>
public sealed partial class ScheduleStops(ScheduleStore store, ScheduleService schedules, ILogger<ScheduleStops> logger)
{
    /// <summary>Stops every running schedule of the conversation (its own and the reminders in it); returns how many.</summary>
    public async Task<int> StopConversationAsync(string tenantId, string channelId, string conversationId, string reason, CancellationToken cancellationToken)
    {
        var stopped = await store.StopConversationAsync(tenantId, channelId, conversationId, reason, cancellationToken);
        foreach (var scheduleId in stopped)
        {
            // The row says stopped now: its job must go even if the caller gives up, or it would fire into nothing.
            await schedules.SyncAsync(scheduleId, CancellationToken.None);
        }

        if (stopped.Count > 0)
        {
            LogStopped(logger, stopped.Count, reason);
        }

        return stopped.Count;
    }

    /// <summary>Stops one schedule (its conversation has no install to post to).</summary>
    public async Task StopAsync(string scheduleId, string reason, CancellationToken cancellationToken)
    {
        await store.StopAsync(scheduleId, reason, cancellationToken);
        await schedules.SyncAsync(scheduleId, CancellationToken.None);
        LogStopped(logger, 1, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped {Count} schedule(s): {Reason}")]
    private static partial void LogStopped(ILogger logger, int count, string reason);
}
