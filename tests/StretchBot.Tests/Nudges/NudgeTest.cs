using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StretchBot.Nudges;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Nudges;

/// <summary>
/// Scheduled nudges through the running app: the bot installed in a Teams channel (fake Bot Connector), a schedule
/// stored and its Quartz job scheduled as the schedule commands do, and the app's fake clock moved to each fire time.
/// Quartz calls the job, the job the nudge service; the test waits on signals (the fire handled, the connector's
/// arrivals, the dispatcher idle), never on sleeps.
/// </summary>
public abstract class NudgeTest : TeamsTest
{
    /// <summary>Every fire time the app's INudgeFiring finished handling, in order.</summary>
    protected FiringProbe Fired { get; } = new();

    protected override void Configure(StretchBotFactory factory)
    {
        // Time passes in big steps here; no call on the wire should time out meanwhile.
        factory.Settings["Teams:OutboundAttemptTimeout"] = "01:00:00";
        factory.ServiceChanges.Add(services => Fired.Wrap(services));
    }

    /// <summary>The app installed in the test channel (TeamsClient.Channel, TeamsClient.Tenant), its welcome posted.</summary>
    protected async Task InstallAsync()
    {
        var install = TeamsClient.Fixture("installationUpdate-add-team.json");
        install["recipient"] = new JsonObject { ["id"] = TeamsClient.BotId, ["name"] = "StretchBot" };
        install["conversation"]!["id"] = TeamsClient.Channel;
        install["conversation"]!["tenantId"] = TeamsClient.Tenant;
        install["channelData"]!["tenant"]!["id"] = TeamsClient.Tenant;
        install["channelData"]!["channel"]!["id"] = TeamsClient.Channel;
        install["channelData"]!["settings"]!["selectedChannel"]!["id"] = TeamsClient.Channel;
        await Teams.SendAsync(install);
        await BackgroundWorkFinishedAsync();
        Assert.Equal(1, Factory.Count("installs"));
    }

    /// <summary>Stores a channel schedule and schedules its Quartz job, as `schedule …` does.</summary>
    protected async Task<Schedule> ScheduleAsync(ScheduleSpec spec, string kinds = "desk", IReadOnlyList<DateOnly>? holidays = null, DateTimeOffset? pausedUntil = null, int jitter = 0,
        (string Tenant, string Channel, string Conversation)? where = null)
    {
        var (tenant, channel, conversation) = where ?? (TeamsClient.Tenant, "msteams", TeamsClient.Channel);
        var store = Factory.Services.GetRequiredService<ScheduleStore>();
        // The canonical text `schedule …` stores, so the start-up reconciler rebuilds exactly these triggers.
        var text = spec switch
        {
            ScheduleSpec.AtTimes at => new ScheduleShape([.. at.Days], [.. at.Times], null, default, default).Text,
            ScheduleSpec.EveryInterval every => new ScheduleShape([.. every.Days], [], every.Interval, every.From, every.Until).Text,
            _ => throw new ArgumentOutOfRangeException(nameof(spec)),
        };
        var schedule = await store.SaveAsync(new Schedule(
            ScheduleStore.NewId(), tenant, channel, conversation, string.Empty, text, spec.TimeZoneId, null, kinds, jitter,
            pausedUntil, pausedUntil is null ? null : PauseReasons.Manual, null, null, TeamsUser.Ada.Id, holidays ?? []), CancellationToken.None)
            ?? throw new InvalidOperationException("A fresh schedule row met a concurrent change.");
        var scheduler = await Factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.ScheduleJob(NudgeJob.For(schedule.Id), ScheduleTriggers.Build(spec, schedule.Id, NudgeJob.KeyFor(schedule.Id), Clock), ScheduleJobOptions.Replacing);
        return schedule;
    }

    /// <summary>Moves the app's clock to <paramref name="instant"/>, waits until the schedule's fire there is handled and what is due is delivered.</summary>
    protected async Task FireAtAsync(DateTimeOffset instant)
    {
        var handled = Fired.Next(instant);
        Clock.AdvanceTo(instant);
        await handled.WaitAsync(TimeSpan.FromSeconds(30));
        // Prepared (Quartz runs Scheduling:PrepareAhead early): delivered, or skipped, now that its time has come, and
        // before the clock moves on, as it would in real time.
        await DeliveriesFinishedAsync();
    }

    /// <summary>Waits until every due delivery record is sent, failed or skipped.</summary>
    protected Task DeliveriesFinishedAsync() =>
        Factory.Services.GetRequiredService<NudgeDispatcher>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

    protected List<object?[]> Deliveries() =>
        Factory.Rows("SELECT kind, status, reason, fire_time, message_id, prompt_id, attempts FROM deliveries ORDER BY fire_time, id");

    protected static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Stretch cards the bot posted (scheduled nudges and Laters).</summary>
    protected List<ConnectorRequest> StretchCards() => Fake.Requests.Where(r => r.HasSummary("Stretch:")).ToList();

    /// <summary>Signals each fire time once the app's nudge service has handled it (recorded, queued or skipped).</summary>
    public sealed class FiringProbe
    {
        private readonly ConcurrentDictionary<DateTimeOffset, TaskCompletionSource> _fires = new();

        public Task Next(DateTimeOffset fireTime) => Slot(fireTime).Task;

        public void Wrap(IServiceCollection services) =>
            services.AddSingleton<INudgeFiring>(sp => new Probe(sp.GetRequiredService<NudgeService>(), this));

        private TaskCompletionSource Slot(DateTimeOffset fireTime) =>
            _fires.GetOrAdd(fireTime.ToUniversalTime(), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        private sealed class Probe(NudgeService inner, FiringProbe probe) : INudgeFiring
        {
            public async Task FireAsync(string scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken)
            {
                try
                {
                    await inner.FireAsync(scheduleId, fireTime, cancellationToken);
                }
                finally
                {
                    probe.Slot(fireTime).TrySetResult();
                }
            }
        }
    }
}

internal static class FakeClockExtensions
{
    public static void AdvanceTo(this Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, DateTimeOffset instant)
    {
        var step = instant - clock.GetUtcNow();
        Assert.True(step >= TimeSpan.Zero, $"the clock is already past {instant:O}");
        clock.Advance(step);
    }
}
