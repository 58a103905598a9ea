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
    // Changes are rare and short: one at a time keeps a row's read-change-write and its triggers in step.
    private readonly SemaphoreSlim _gate = new(1, 1);

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
    public async Task<Schedule> ChangeAsync(string tenantId, string channelId, string conversationId, string ownerId, Func<Schedule, Schedule> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.FindAsync(tenantId, channelId, conversationId, ownerId, cancellationToken);
            var before = stored ?? new Schedule(ScheduleStore.NewId(), tenantId, channelId, conversationId, ownerId, null, null, null, "desk", 0, null, null, null, null, null, []);
            var after = change(before);
            if (stored is not null && Same(stored, after))
            {
                return stored;
            }

            var saved = await store.SaveAsync(after, cancellationToken);
            if (stored is null || stored.Spec != saved.Spec || ZoneOf(stored) != ZoneOf(saved) || (stored.StoppedAt is null) != (saved.StoppedAt is null))
            {
                await ApplyAsync(saved, cancellationToken);
            }

            return saved;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings a stored schedule's job in line with its row (for whoever changed the row directly, such as stopping it when
    /// its conversation is gone). Unknown ids remove any job left behind.
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

            await ApplyAsync(schedule, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>At start-up: every running schedule whose job is missing gets it back. Existing jobs are left as they are.</summary>
    public async Task<int> EnsureJobsAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var created = 0;
        foreach (var schedule in await store.ListRunningAsync(cancellationToken))
        {
            if (await scheduler.Exists(NudgeJob.KeyFor(schedule.Id), cancellationToken))
            {
                continue;
            }

            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (await store.FindAsync(schedule.Id, cancellationToken) is { } current)
                {
                    await ApplyAsync(current, cancellationToken);
                    created++;
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        return created;
    }

    /// <summary>
    /// The next <paramref name="count"/> nudges after now, from the same triggers Quartz runs (so daylight-saving days
    /// read exactly as they fire), skipping holidays (by the zone's calendar) and a pause. Jitter is not included.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> NextNudges(Schedule schedule, int count)
    {
        if (schedule.StoppedAt is not null || SpecOf(schedule) is not { } spec)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var holidays = schedule.Holidays.ToHashSet();
        var triggers = ScheduleTriggers.Build(spec, schedule.Id, NudgeJob.KeyFor(schedule.Id), time);
        var next = triggers.Select(t => t.GetFireTimeAfter(now)).ToList();
        var found = new List<DateTimeOffset>(count);
        // Two years of holidays and a long pause are the most there is to skip.
        var horizon = now.AddDays(800);
        while (found.Count < count)
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
            next[index] = triggers[index].GetFireTimeAfter(fire);
            var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(fire, spec.TimeZone).DateTime);
            if (holidays.Contains(local) || (schedule.PausedUntil is { } until && fire < until))
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

    private static bool Same(Schedule a, Schedule b) =>
        a with { Holidays = b.Holidays } == b && a.Holidays.SequenceEqual(b.Holidays);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} has {Count} trigger(s)")]
    private static partial void LogScheduled(ILogger logger, string scheduleId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} has no triggers (off or stopped)")]
    private static partial void LogRemoved(ILogger logger, string scheduleId);
}

/// <summary>At start-up, re-creates the Quartz job of any running schedule that lost it (a restored backup, a cleared QRTZ table).</summary>
public sealed partial class ScheduleReconciler(ScheduleService schedules, ILogger<ScheduleReconciler> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var created = await schedules.EnsureJobsAsync(cancellationToken);
        if (created > 0)
        {
            LogRecreated(logger, created);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-created the Quartz jobs of {Count} running schedule(s)")]
    private static partial void LogRecreated(ILogger logger, int count);
}
