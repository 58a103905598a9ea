using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using StretchBot.Conversation;

namespace StretchBot.Scheduling;

/// <summary>
/// Schedules as stored and as Quartz runs them. Every change is stored first (the schedules table is the truth), then
/// applied to the scheduler: a schedule that runs has one job (<see cref="NudgeJob.KeyFor"/>) holding exactly the
/// triggers its current spec builds; one that is off or stopped has no job. Pauses, holidays, jitter and kinds never
/// touch triggers: the firing side reads them from the row when a trigger fires.
/// </summary>
public sealed partial class ScheduleService(
    ScheduleStore store,
    ISchedulerFactory schedulers,
    TimeProvider time,
    IOptions<StretchBotOptions> options,
    ILogger<ScheduleService> logger)
{
    // A change read while a stop or pause landed is redone on the fresh row; more conflicts than this in a row is a bug.
    private const int MaxAttempts = 5;

    // "every 1m" for three nudges needs three steps; holidays take one step a day. Enough for any schedule's next three.
    private const int MaxSearchSteps = 10_000;

    // Changes are rare and short: one at a time keeps a row's read-change-write and its triggers in step.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Schedules whose row is saved but whose Quartz apply failed: the reconciler retries them.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _failed = new(StringComparer.Ordinal);

    /// <summary>The zone a schedule's nudges follow: set with <c>timezone</c>, else of who set it, else StretchBot:DefaultTimeZone.</summary>
    public string ZoneOf(Schedule schedule) =>
        schedule.EffectiveZone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : options.Value.DefaultTimeZone;

    /// <summary>The stored spec in the schedule's zone; null when the schedule is off (or its text can't be read).</summary>
    public ScheduleSpec? SpecOf(Schedule schedule) =>
        schedule.Spec is { } text && ScheduleText.ParseStored(text) is { } shape ? shape.ToSpec(ZoneOf(schedule)) : null;

    /// <summary>
    /// Reads the schedule of a conversation (or a person's reminder there), changes it and stores it, then brings its
    /// Quartz job in line when the spec, zone or stopped state changed. <paramref name="change"/> gets the stored row, or
    /// a fresh one with the defaults; returning it unchanged stores nothing.
    /// </summary>
    public Task<Schedule> ChangeAsync(string tenantId, string channelId, string conversationId, string ownerId, Func<Schedule, Schedule> change, CancellationToken cancellationToken) =>
        ChangeAsync(tenantId, channelId, conversationId, ownerId, change, reapply: false, cancellationToken);

    /// <param name="reapply">
    /// Rebuild the job and triggers even when nothing changed: someone typed the schedule again, which is how a job that
    /// disagrees with its row (an apply that failed, a trigger in error) is mended at once.
    /// </param>
    public async Task<Schedule> ChangeAsync(string tenantId, string channelId, string conversationId, string ownerId, Func<Schedule, Schedule> change, bool reapply, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Schedule? first = null;
            for (var attempt = 1; ; attempt++)
            {
                var stored = await store.FindAsync(tenantId, channelId, conversationId, ownerId, cancellationToken);
                first ??= stored;
                if (attempt > 1 && stored is { StoppedAt: not null } && first is { StoppedAt: null })
                {
                    // Stopped while this change was being made (the conversation is gone): the stop wins, nothing is revived.
                    LogStoppedMeanwhile(logger, stored.Id);
                    await TryApplyAsync(stored);
                    return stored;
                }

                var before = stored ?? new Schedule(ScheduleStore.NewId(), tenantId, channelId, conversationId, ownerId, null, null, null, "desk", 0, null, null, null, null, null, []);
                var after = Pruned(change(before));
                if (stored is not null && Same(stored, after))
                {
                    if (reapply)
                    {
                        await TryApplyAsync(stored);
                    }

                    return stored;
                }

                var saved = await store.SaveAsync(after, cancellationToken);
                if (saved is null)
                {
                    // Written meanwhile (a stop or pause from delivery, another node): redo the change on what is stored now.
                    LogConflict(logger, before.Id, attempt);
                    if (attempt >= MaxAttempts)
                    {
                        throw new InvalidOperationException($"Schedule {before.Id} kept changing under this change.");
                    }

                    continue;
                }

                if (reapply || stored is null || stored.Spec != saved.Spec || ZoneOf(stored) != ZoneOf(saved) || (stored.StoppedAt is null) != (saved.StoppedAt is null))
                {
                    await TryApplyAsync(saved);
                }

                return saved;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings a stored schedule's job in line with its row (for whoever changed the row directly, such as stopping it when
    /// its conversation is gone). Unknown ids remove any job left behind. A failed apply is logged and retried later.
    /// </summary>
    public async Task SyncAsync(string scheduleId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var schedule = await store.FindAsync(scheduleId, cancellationToken);
            if (schedule is null)
            {
                await (await schedulers.GetScheduler(cancellationToken)).DeleteJob(NudgeJob.KeyFor(scheduleId), cancellationToken);
                return;
            }

            await TryApplyAsync(schedule);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Schedules whose last apply failed, waiting for <see cref="RetryFailedAsync"/>.</summary>
    public int FailedApplies => _failed.Count;

    /// <summary>Applies again every schedule whose apply failed; returns how many are still failing.</summary>
    public async Task<int> RetryFailedAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _failed.Keys.Order(StringComparer.Ordinal).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            _failed.TryRemove(id, out _);
            await SyncAsync(id, cancellationToken);
        }

        return _failed.Count;
    }

    /// <summary>At start-up: every running schedule whose job is missing gets it back. Kept for callers; see <see cref="ReconcileAsync"/>.</summary>
    public Task<int> EnsureJobsAsync(CancellationToken cancellationToken) => ReconcileAsync(cancellationToken);

    /// <summary>
    /// Brings Quartz in line with the schedules table: a running schedule whose job is missing, whose triggers differ
    /// from the ones its spec and zone build now (an apply that failed half-way, a request cut off between the save and
    /// the apply), or which has a trigger in error, gets its job rebuilt; a job of a schedule that is off or stopped is
    /// removed. Returns how many jobs it rebuilt or removed.
    /// </summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var mended = 0;
        var running = new HashSet<string>(StringComparer.Ordinal);
        foreach (var schedule in await store.ListRunningAsync(cancellationToken))
        {
            running.Add(schedule.Id);
            try
            {
                if (await InLineAsync(scheduler, schedule, cancellationToken))
                {
                    continue;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Quartz could not be read (the database busy): the retry loop looks again.
                _failed[schedule.Id] = 0;
                LogApplyFailed(logger, exception, schedule.Id);
                continue;
            }

            await _gate.WaitAsync(cancellationToken);
            try
            {
                // Read again under the gate: a change made meanwhile has applied its own triggers.
                if (await store.FindAsync(schedule.Id, cancellationToken) is { } current && !await InLineOrUnknownAsync(scheduler, current, cancellationToken))
                {
                    LogMended(logger, current.Id);
                    await TryApplyAsync(current);
                    mended++;
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(ScheduleTriggers.Group), cancellationToken))
        {
            // Only schedules' own jobs (named by a schedule id); anything else in the group is someone else's.
            if (running.Contains(key.Name) || !key.Name.StartsWith("s_", StringComparison.Ordinal)
                || await scheduler.GetJobDetail(key, cancellationToken) is not { } job || job.JobType.Type != typeof(NudgeJob))
            {
                continue;
            }

            await SyncAsync(key.Name, cancellationToken);
            mended++;
        }

        return mended;
    }

    /// <summary>
    /// Whether <paramref name="fireTime"/> is one of the times the schedule's current spec fires (by the same triggers
    /// Quartz runs). A nudge prepared ahead for a time the schedule no longer has is not posted.
    /// </summary>
    public bool FiresAt(Schedule schedule, DateTimeOffset fireTime)
    {
        if (SpecOf(schedule) is not { } spec)
        {
            return false;
        }

        // Built as if set a second before: a trigger's first time is its start or later, so the search is one step.
        var before = fireTime.AddSeconds(-1);
        var triggers = ScheduleTriggers.Build(spec, schedule.Id, NudgeJob.KeyFor(schedule.Id), new FixedClock(before));
        return triggers.Any(trigger => trigger.GetFireTimeAfter(before) == fireTime);
    }

    /// <summary>
    /// The next <paramref name="count"/> nudges after now, from the same triggers Quartz runs (so daylight-saving days
    /// read exactly as they fire), skipping holidays (by the zone's calendar) and a pause. Jitter is not included. None
    /// while paused until someone says <c>resume</c>. The search starts where the pause ends, jumps over holidays a day at
    /// a time, and gives up after a bounded number of steps, so "every 1m" behind a year's pause costs microseconds.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> NextNudges(Schedule schedule, int count)
    {
        var now = time.GetUtcNow();
        if (schedule.StoppedAt is not null || SpecOf(schedule) is not { } spec || (schedule.PauseReason == PauseReasons.Unanswered && schedule.IsPausedAt(now)))
        {
            return [];
        }

        var from = schedule.PausedUntil is { } until && until > now ? until.AddTicks(-1) : now;
        var holidays = schedule.Holidays.ToHashSet();
        // Built as if set just before the search starts: a trigger finds its next time by stepping from its start, so one
        // started now and asked about the end of a year's pause walks the whole year (seconds, for "every 1m").
        var triggers = ScheduleTriggers.Build(spec, schedule.Id, NudgeJob.KeyFor(schedule.Id), from > now ? new FixedClock(from.AddSeconds(-1)) : time);
        var next = triggers.Select(t => t.GetFireTimeAfter(from)).ToList();
        var found = new List<DateTimeOffset>(count);
        // Holidays are at most two years ahead and a pause at most one: nothing due later than this is worth showing.
        var horizon = now.AddDays(800);
        for (var steps = 0; found.Count < count && steps < MaxSearchSteps; steps++)
        {
            var index = -1;
            for (var i = 0; i < next.Count; i++)
            {
                if (next[i] is { } candidate && (index < 0 || candidate < next[index]!.Value))
                {
                    index = i;
                }
            }

            if (index < 0 || next[index]!.Value > horizon)
            {
                break;
            }

            var fire = next[index]!.Value;
            var local = TimeZoneInfo.ConvertTime(fire, spec.TimeZone);
            var day = DateOnly.FromDateTime(local.DateTime);
            if (holidays.Contains(day))
            {
                // The rest of a holiday is skipped in one step: from its last instant, not nudge by nudge.
                next[index] = triggers[index].GetFireTimeAfter(EndOf(day, spec.TimeZone, fire));
                continue;
            }

            next[index] = triggers[index].GetFireTimeAfter(fire);
            if (schedule.PausedUntil is { } pause && fire < pause)
            {
                continue;
            }

            if (found.Count == 0 || found[^1] != fire)
            {
                found.Add(fire);
            }
        }

        return found;
    }

    /// <summary>Replaces the schedule's job and all of its triggers with the ones its spec builds now; no spec or stopped, no job.</summary>
    private async Task ApplyAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = NudgeJob.KeyFor(schedule.Id);
        // Deleting the job deletes every trigger it has: ScheduleJobOptions.Replacing would keep the old triggers whose
        // names the new spec doesn't reuse ("10:30 15:00" has two, "9:00" one), and they would keep firing.
        await scheduler.DeleteJob(key, cancellationToken);
        if (schedule.StoppedAt is not null || SpecOf(schedule) is not { } spec)
        {
            LogRemoved(logger, schedule.Id);
            return;
        }

        var triggers = ScheduleTriggers.Build(spec, schedule.Id, key, time);
        await scheduler.ScheduleJob(NudgeJob.For(schedule.Id), triggers, ScheduleJobOptions.Replacing, cancellationToken);
        LogScheduled(logger, schedule.Id, triggers.Count);
    }

    /// <summary>
    /// Applies a saved row to Quartz. The row is the truth once saved, so the apply runs to the end whatever happens to the
    /// request that asked for it (a cut-off request would otherwise leave the old triggers firing), and a failure (the
    /// database busy, Quartz throwing) is logged and retried by <see cref="ScheduleReconciler"/> instead of failing the
    /// person's request: their change is stored and takes effect on the retry.
    /// </summary>
    private async Task TryApplyAsync(Schedule schedule)
    {
        try
        {
            await ApplyAsync(schedule, CancellationToken.None);
            _failed.TryRemove(schedule.Id, out _);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _failed[schedule.Id] = 0;
            LogApplyFailed(logger, exception, schedule.Id);
        }
    }

    /// <summary>Whether Quartz holds exactly the triggers the row builds now (by kind, times, days and zone), none of them in error.</summary>
    private async Task<bool> InLineAsync(IScheduler scheduler, Schedule schedule, CancellationToken cancellationToken)
    {
        var key = NudgeJob.KeyFor(schedule.Id);
        var existing = await scheduler.GetTriggersOfJob(key, cancellationToken);
        if (schedule.StoppedAt is not null || SpecOf(schedule) is not { } spec)
        {
            return existing.Count == 0 && !await scheduler.Exists(key, cancellationToken);
        }

        var wanted = ScheduleTriggers.Build(spec, schedule.Id, key, time).Select(t => (t.Key, Signature(t))).ToHashSet();
        if (existing.Count != wanted.Count || !existing.All(t => wanted.Contains((t.Key, Signature(t)))))
        {
            return false;
        }

        foreach (var trigger in existing)
        {
            if (await scheduler.GetTriggerState(trigger.Key, cancellationToken) == TriggerState.Error)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> InLineOrUnknownAsync(IScheduler scheduler, Schedule schedule, CancellationToken cancellationToken)
    {
        try
        {
            return await InLineAsync(scheduler, schedule, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Unknown is out of line: the apply that follows either mends it or is retried.
            LogApplyFailed(logger, exception, schedule.Id);
            return false;
        }
    }

    /// <summary>What makes a trigger fire when it does; a trigger with another signature fires at other times.</summary>
    private static string Signature(ITrigger trigger) => trigger switch
    {
        ICronTrigger cron => $"cron {cron.CronExpressionString} {cron.TimeZone.Id}",
        IDailyTimeIntervalTrigger daily => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"daily {daily.RepeatInterval} {daily.RepeatIntervalUnit} {daily.StartTimeOfDay.Hour}:{daily.StartTimeOfDay.Minute} {daily.EndTimeOfDay.Hour}:{daily.EndTimeOfDay.Minute} {string.Join(',', daily.DaysOfWeek.Order())} {daily.TimeZone.Id}"),
        _ => trigger.GetType().Name,
    };

    /// <summary>Holidays that have passed (in the schedule's zone) are dropped when a schedule is saved, so they never pile up.</summary>
    private Schedule Pruned(Schedule schedule)
    {
        var zone = StretchBot.Conversation.TimeZones.Resolve(ZoneOf(schedule), TimeZoneInfo.Utc);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        return schedule.Holidays.Any(d => d < today) ? schedule with { Holidays = schedule.Holidays.Where(d => d >= today).ToList() } : schedule;
    }

    /// <summary>The last instant of a local day (or <paramref name="within"/> if the day is shorter than that reading).</summary>
    private static DateTimeOffset EndOf(DateOnly day, TimeZoneInfo zone, DateTimeOffset within)
    {
        var next = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(next))
        {
            next = next.AddMinutes(30);
        }

        var end = new DateTimeOffset(next, zone.GetUtcOffset(next)).AddTicks(-1);
        return end > within ? end : within;
    }

    private static bool Same(Schedule a, Schedule b) =>
        a with { Holidays = b.Holidays } == b && a.Holidays.SequenceEqual(b.Holidays);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} has {Count} trigger(s)")]
    private static partial void LogScheduled(ILogger logger, string scheduleId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} has no triggers (off or stopped)")]
    private static partial void LogRemoved(ILogger logger, string scheduleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} is stored but its triggers could not be applied; retrying later")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, string scheduleId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} changed under a change (attempt {Attempt}); redoing it")]
    private static partial void LogConflict(ILogger logger, string scheduleId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} was stopped during a change; the stop stands")]
    private static partial void LogStoppedMeanwhile(ILogger logger, string scheduleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId}'s Quartz job disagreed with its row; rebuilt")]
    private static partial void LogMended(ILogger logger, string scheduleId);
}

/// <summary>
/// Keeps Quartz in line with the schedules table: at start-up (in the background, so a large table or a busy database
/// never holds the app's start) every running schedule's job is checked against its row, and then, every
/// <see cref="RetryInterval"/> on the app's clock, a schedule whose apply failed is applied again.
/// </summary>
public sealed partial class ScheduleReconciler(ScheduleService schedules, TimeProvider time, ILogger<ScheduleReconciler> logger) : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var mended = await schedules.ReconcileAsync(stoppingToken);
            if (mended > 0)
            {
                LogMended(logger, mended);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryInterval, time, stoppingToken);
                if (schedules.FailedApplies > 0)
                {
                    await schedules.RetryFailedAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Brought the Quartz jobs of {Count} schedule(s) in line with their rows")]
    private static partial void LogMended(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling schedules with Quartz failed; retrying later")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>A clock that always reads one instant: triggers built "as of" a moment other than now.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
