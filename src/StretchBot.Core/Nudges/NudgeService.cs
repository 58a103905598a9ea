using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using SchedulingOptions = StretchBot.Scheduling.SchedulingOptions;
using TimeZones = StretchBot.Conversation.TimeZones;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Delivery;
using StretchBot.Installs;
using StretchBot.Scheduling;
using StretchBot.Storage;
using StretchBot.Stretching;

namespace StretchBot.Nudges;

/// <summary>
/// What happens when a schedule's time comes (Quartz calls <see cref="FireAsync"/>) and when someone clicks Later.
/// Every fire time gets one delivery record: skipped with its reason (late, holiday, paused, stopped, no install,
/// nobody answering), or pending with a fairly picked stretch, handed to the <see cref="NudgeDispatcher"/>.
/// </summary>
public sealed partial class NudgeService(
    ScheduleStore schedules,
    DeliveryStore deliveries,
    PromptStore prompts,
    StretchCatalog catalog,
    Database database,
    NudgeDispatcher dispatcher,
    ScheduleService scheduleService,
    ScheduleStops scheduleStops,
    TimeProvider time,
    Random random,
    IOptions<SchedulingOptions> options,
    IOptions<StretchBotOptions> botOptions,
    ILogger<NudgeService> logger) : INudgeFiring
{
    /// <summary>A Later has one record per prompt and person, whenever it is clicked: its fire time is this fixed one.</summary>
    public static readonly DateTimeOffset LaterFireTime = DateTimeOffset.UnixEpoch;

    /// <summary>Until when a schedule nobody answers stays paused: until someone says <c>resume</c>.</summary>
    public static readonly DateTimeOffset UntilResumed = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private readonly SchedulingOptions _options = options.Value;
    private readonly TimeZoneInfo _defaultZone = TimeZones.Resolve(botOptions.Value.DefaultTimeZone, TimeZoneInfo.Utc);

    /// <summary>
    /// A schedule's trigger fired for <paramref name="fireTime"/>: usually <see cref="SchedulingOptions.PrepareAhead"/>
    /// before it (Quartz runs that much ahead). The nudge is prepared here (its stretch picked fairly, its card's prompt
    /// and its pending record written) and handed to the dispatcher, which posts it at its time; whether it still goes
    /// (a pause, a holiday, nobody answering, the bot removed) is decided then, by <see cref="DecideAsync"/>. Only what
    /// can't change is settled here: a fire time already handled, one too late, a stopped schedule.
    /// </summary>
    public async Task FireAsync(string scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        var schedule = await schedules.FindAsync(scheduleId, cancellationToken);
        if (schedule is null)
        {
            // A job without its schedule row has nobody to nudge and nothing to record against.
            LogOrphanJob(logger);
            await DeleteJobAsync(scheduleId, cancellationToken);
            return;
        }

        if (await deliveries.FindAsync(scheduleId, fireTime, cancellationToken) is not null)
        {
            // This fire time was handled already (a repeated fire after a crash, a second node): never twice.
            return;
        }

        var record = new NewDelivery(scheduleId, fireTime, DeliveryKinds.Scheduled, schedule.TenantId, schedule.ChannelId, schedule.ConversationId, fireTime);
        if (time.GetUtcNow() - fireTime > _options.MisfireThreshold)
        {
            await SkipAsync(record, SkipReasons.Late, cancellationToken);
            return;
        }

        if (schedule.StoppedAt is not null || schedule.Spec is null)
        {
            // A trigger of a schedule stopped a moment ago (its job goes now). No record: a restore within the minute
            // builds new triggers, and this time is prepared again by them.
            await DeleteJobAsync(scheduleId, cancellationToken);
            return;
        }

        if (!scheduleService.FiresAt(schedule, fireTime))
        {
            // A trigger of the schedule's old times, fired in the moment between a change being saved and its new
            // triggers replacing the old: not a time of this schedule, so not a nudge (and no record, so a new trigger at
            // the same instant still can be).
            LogNotAFireTime(logger);
            return;
        }

        var stretch = await PickAsync(schedule, cancellationToken);
        if (stretch is null)
        {
            await SkipAsync(record, SkipReasons.NoStretch, cancellationToken);
            return;
        }

        var prompt = await prompts.CreateAsync(new Where(schedule.ChannelId, schedule.TenantId, schedule.ConversationId), stretch.Id, PromptKind.Scheduled, null, cancellationToken);
        var due = fireTime + Jitter(schedule.JitterMinutes);
        var delivery = await deliveries.TryAddAsync(record with { PromptId = prompt.Id, DueAt = due }, DeliveryStatus.Pending, null, cancellationToken);
        if (delivery is not null)
        {
            dispatcher.Enqueue(delivery);
        }
    }

    /// <summary>
    /// At the instant a prepared scheduled nudge is due: whether it still goes. Null when it does; otherwise the record
    /// is marked skipped with the reason, and what follows from it is done (a stopped schedule loses its job, a gone
    /// conversation stops its schedules, the last of several unanswered nudges pauses the schedule and says so once).
    /// <paramref name="reachable"/>: the conversation has an address (an install's reference, or the channel's own way);
    /// <paramref name="install"/>: its install, where it has one.
    /// </summary>
    public async Task<string?> DecideAsync(Delivery delivery, bool reachable, Install? install, CancellationToken cancellationToken)
    {
        var schedule = await schedules.FindAsync(delivery.Source, cancellationToken);
        var reason = schedule is null ? SkipReasons.Stopped : SkipReason(schedule, delivery.FireTime, reachable, install);
        if (reason is null && schedule is not null)
        {
            var answered = await deliveries.RecentAnsweredAsync(schedule.Id, _options.UnansweredLimit, cancellationToken);
            if (answered.Count >= _options.UnansweredLimit && !answered.Contains(true))
            {
                reason = SkipReasons.Unanswered;
            }
        }

        if (reason is null)
        {
            return null;
        }

        if (!await deliveries.MarkSkippedAsync(delivery.Id, reason, cancellationToken))
        {
            // Someone else settled this record meanwhile (another node): theirs is the outcome.
            return reason;
        }

        LogSkipped(logger, reason);
        switch (reason)
        {
            case SkipReasons.Unanswered when schedule is not null:
                await PauseUnansweredAsync(schedule, delivery, cancellationToken);
                break;
            case SkipReasons.NoInstall or SkipReasons.Gone:
                // Nobody to nudge there any more: the schedule stops (its settings stay, for a restore) and its job goes.
                await scheduleStops.StopAsync(delivery.Source, reason == SkipReasons.Gone ? "conversation gone" : "bot not installed", cancellationToken);
                break;
            case SkipReasons.Stopped:
                await DeleteJobAsync(delivery.Source, cancellationToken);
                break;
        }

        return reason;
    }

    /// <summary>
    /// "Later" on a stretch card: the stretch comes back to this person alone after <see cref="SchedulingOptions.LaterDelay"/>.
    /// Returns when; a second click on the same card keeps the first time.
    /// </summary>
    public async Task<DateTimeOffset> LaterAsync(Prompt prompt, Who who, string displayName, CancellationToken cancellationToken)
    {
        var source = $"later/{prompt.Id}/{who.UserId}";
        var due = time.GetUtcNow() + _options.LaterDelay;
        var record = new NewDelivery(source, LaterFireTime, DeliveryKinds.Later, prompt.TenantId, prompt.ChannelId, prompt.ConversationId, due,
            prompt.Id, who.UserId, displayName);
        if (await deliveries.TryAddAsync(record, DeliveryStatus.Pending, null, cancellationToken) is { } delivery)
        {
            dispatcher.Enqueue(delivery);
            return delivery.DueAt;
        }

        var existing = await deliveries.FindAsync(source, LaterFireTime, cancellationToken);
        if (existing is { Status: DeliveryStatus.Pending })
        {
            // Clicked again: the same reminder. Handed over again in case the first click's hand-over never happened
            // (its request was cut off after the record was written); the dispatcher ignores a record it already has.
            dispatcher.Enqueue(existing);
        }

        return existing?.DueAt ?? due;
    }

    /// <summary>The zone a schedule's days are counted in.</summary>
    public TimeZoneInfo ZoneOf(Schedule schedule) => TimeZones.Resolve(schedule.EffectiveZone, _defaultZone);

    private string? SkipReason(Schedule schedule, DateTimeOffset fireTime, bool reachable, Install? install)
    {
        if (schedule.StoppedAt is not null || schedule.Spec is null)
        {
            return SkipReasons.Stopped;
        }

        if (!scheduleService.FiresAt(schedule, fireTime))
        {
            // The times changed after this nudge was prepared, and this one is no longer among them.
            return SkipReasons.Changed;
        }

        if (schedule.Holidays.Contains(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(fireTime, ZoneOf(schedule)).DateTime)))
        {
            return SkipReasons.Holiday;
        }

        if (schedule.IsPausedAt(fireTime))
        {
            return SkipReasons.Paused;
        }

        return !reachable ? SkipReasons.NoInstall : install?.GoneAt is not null ? SkipReasons.Gone : null;
    }

    /// <summary>A fire time settled at preparation (too late, nothing to pick): recorded skipped, once.</summary>
    private async Task SkipAsync(NewDelivery record, string reason, CancellationToken cancellationToken)
    {
        if (await deliveries.TryAddAsync(record, DeliveryStatus.Skipped, reason, cancellationToken) is not null)
        {
            LogSkipped(logger, reason);
        }
    }

    /// <summary>Nobody clicked Done on the last few nudges: pause, and say so once (the skipped record is the "once").</summary>
    private async Task PauseUnansweredAsync(Schedule schedule, Delivery skipped, CancellationToken cancellationToken)
    {
        if (!await schedules.PauseUnansweredAsync(schedule.Id, UntilResumed, cancellationToken))
        {
            // Paused for this already, by a nudge decided at the same moment: said once.
            return;
        }

        LogPausedUnanswered(logger, _options.UnansweredLimit);
        var notice = await deliveries.TryAddAsync(
            new NewDelivery($"{schedule.Id}/unanswered", skipped.FireTime, DeliveryKinds.Notice, skipped.TenantId, skipped.ChannelId, skipped.ConversationId, time.GetUtcNow()),
            DeliveryStatus.Pending, null, cancellationToken);
        if (notice is not null)
        {
            dispatcher.Enqueue(notice);
        }
    }

    /// <summary>
    /// Fair pick: the allowed stretches come round in cycles, each a random order, so none repeats in the
    /// conversation until every allowed one has had its turn. A cycle is the latest (scheduled nudges so far) mod
    /// (allowed count) nudges; a new cycle doesn't start with the stretch that just ended the last one.
    /// </summary>
    private async Task<Stretch?> PickAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        var allowed = Allowed(schedule.StretchKinds);
        if (allowed.Count <= 1)
        {
            return allowed.FirstOrDefault();
        }

        // From the schedule's own records (indexed by conversation), not a scan of every prompt.
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*) FROM deliveries
            WHERE tenant_id = @TenantId AND channel_id = @ChannelId AND conversation_id = @ConversationId AND kind = 'scheduled' AND prompt_id IS NOT NULL
              AND status IN ('pending', 'sent');
            """, new { schedule.TenantId, schedule.ChannelId, schedule.ConversationId }, cancellationToken: cancellationToken));
        var inCycle = (int)(total % allowed.Count);
        var recent = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT p.stretch_id FROM deliveries d JOIN prompts p ON p.id = d.prompt_id
            WHERE d.tenant_id = @TenantId AND d.channel_id = @ChannelId AND d.conversation_id = @ConversationId AND d.kind = 'scheduled' AND d.prompt_id IS NOT NULL
              AND d.status IN ('pending', 'sent')
            ORDER BY d.created_at DESC, d.id DESC LIMIT @take;
            """, new { schedule.TenantId, schedule.ChannelId, schedule.ConversationId, take = Math.Max(inCycle, 1) }, cancellationToken: cancellationToken))).AsList();
        var used = inCycle == 0 ? recent.Take(1).ToHashSet() : recent.ToHashSet();
        var fresh = allowed.Where(s => !used.Contains(s.Id)).ToList();
        if (fresh.Count == 0)
        {
            fresh = allowed.ToList();
        }

        lock (random)
        {
            return fresh[random.Next(fresh.Count)];
        }
    }

    /// <summary>The stretches a schedule's kinds allow: "desk", "floor", "gym" (any mix), or "any" for all of them.</summary>
    public IReadOnlyList<Stretch> Allowed(string kinds)
    {
        var words = kinds.Split([' ', ',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0 || words.Contains("any", StringComparer.OrdinalIgnoreCase))
        {
            return catalog.All;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            if (catalog.TryParseFilter(word, out var filter, out _))
            {
                ids.UnionWith(catalog.Filter(filter).Select(s => s.Id));
            }
        }

        return catalog.All.Where(s => ids.Contains(s.Id)).ToList();
    }

    private TimeSpan Jitter(int minutes)
    {
        if (minutes <= 0)
        {
            return TimeSpan.Zero;
        }

        lock (random)
        {
            return TimeSpan.FromSeconds(random.Next(0, (minutes * 60) + 1));
        }
    }

    /// <summary>The schedule's job goes the way its row says (gone or stopped: no job), through the one place that does it.</summary>
    private Task DeleteJobAsync(string scheduleId, CancellationToken cancellationToken) => scheduleService.SyncAsync(scheduleId, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A nudge job fired for a schedule that no longer exists; its job is deleted")]
    private static partial void LogOrphanJob(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "A trigger fired at a time the schedule no longer has (it was changed a moment before): no nudge")]
    private static partial void LogNotAFireTime(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nudge skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule paused: nobody answered the last {Count} nudges")]
    private static partial void LogPausedUnanswered(ILogger logger, int count);
}
