using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using SchedulingOptions = StretchBot.Scheduling.SchedulingOptions;
using TimeZones = StretchBot.Conversation.TimeZones;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Delivery;
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
    Outbox outbox,
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
        if (await SkipReasonAsync(schedule, fireTime, cancellationToken) is { } reason)
        {
            await SkipAsync(record, reason, cancellationToken);
            return;
        }

        var answered = await deliveries.RecentAnsweredAsync(scheduleId, _options.UnansweredLimit, cancellationToken);
        if (answered.Count >= _options.UnansweredLimit && !answered.Contains(true))
        {
            await PauseUnansweredAsync(schedule, record, cancellationToken);
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

        return (await deliveries.FindAsync(source, LaterFireTime, cancellationToken))?.DueAt ?? due;
    }

    /// <summary>The zone a schedule's days are counted in.</summary>
    public TimeZoneInfo ZoneOf(Schedule schedule) => TimeZones.Resolve(schedule.EffectiveZone, _defaultZone);

    private async Task<string?> SkipReasonAsync(Schedule schedule, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        if (schedule.StoppedAt is not null || schedule.Spec is null)
        {
            return SkipReasons.Stopped;
        }

        if (time.GetUtcNow() - fireTime > _options.MisfireThreshold)
        {
            return SkipReasons.Late;
        }

        if (schedule.Holidays.Contains(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(fireTime, ZoneOf(schedule)).DateTime)))
        {
            return SkipReasons.Holiday;
        }

        if (schedule.IsPausedAt(fireTime))
        {
            return SkipReasons.Paused;
        }

        var (address, install) = await outbox.AddressAsync(schedule.ChannelId, schedule.TenantId, schedule.ConversationId, cancellationToken);
        return address is null ? SkipReasons.NoInstall : install?.GoneAt is not null ? SkipReasons.Gone : null;
    }

    private async Task SkipAsync(NewDelivery record, string reason, CancellationToken cancellationToken)
    {
        if (await deliveries.TryAddAsync(record, DeliveryStatus.Skipped, reason, cancellationToken) is null)
        {
            return;
        }

        LogSkipped(logger, reason);
        if (reason is SkipReasons.NoInstall or SkipReasons.Gone or SkipReasons.Stopped)
        {
            // Nobody to nudge there any more: the schedule stops (its settings stay, for a restore) and its job goes.
            if (reason != SkipReasons.Stopped)
            {
                await scheduleStops.StopAsync(record.Source, reason == SkipReasons.Gone ? "conversation gone" : "bot not installed", cancellationToken);
            }
            else
            {
                await DeleteJobAsync(record.Source, cancellationToken);
            }
        }
    }

    /// <summary>Nobody clicked Done on the last few nudges: pause, and say so once (the skip record is the "once").</summary>
    private async Task PauseUnansweredAsync(Schedule schedule, NewDelivery record, CancellationToken cancellationToken)
    {
        if (await deliveries.TryAddAsync(record, DeliveryStatus.Skipped, SkipReasons.Unanswered, cancellationToken) is null)
        {
            return;
        }

        await schedules.PauseAsync(schedule.Id, UntilResumed, PauseReasons.Unanswered, cancellationToken);
        LogPausedUnanswered(logger, _options.UnansweredLimit);
        var notice = await deliveries.TryAddAsync(
            record with { Source = $"{schedule.Id}/unanswered", Kind = DeliveryKinds.Notice, DueAt = time.GetUtcNow() },
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
            WHERE tenant_id = @TenantId AND channel_id = @ChannelId AND conversation_id = @ConversationId AND kind = 'scheduled' AND prompt_id IS NOT NULL;
            """, new { schedule.TenantId, schedule.ChannelId, schedule.ConversationId }, cancellationToken: cancellationToken));
        var inCycle = (int)(total % allowed.Count);
        var recent = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT p.stretch_id FROM deliveries d JOIN prompts p ON p.id = d.prompt_id
            WHERE d.tenant_id = @TenantId AND d.channel_id = @ChannelId AND d.conversation_id = @ConversationId AND d.kind = 'scheduled' AND d.prompt_id IS NOT NULL
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Nudge skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule paused: nobody answered the last {Count} nudges")]
    private static partial void LogPausedUnanswered(ILogger logger, int count);
}
