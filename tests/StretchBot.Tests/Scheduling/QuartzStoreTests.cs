using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Scheduling;

/// <summary>Quartz runs inside the app, on the app's own SQLite file and the app's clock.</summary>
public sealed class QuartzStoreTests
{
    private static readonly JobKey NudgeJob = new("nudge-team-a", ScheduleTriggers.Group);

    [Fact]
    public async Task TheAppStartsWithQuartzTablesInItsOwnDatabaseFile()
    {
        using var factory = new StretchBotFactory();

        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var metadata = await scheduler.GetMetadata();
        Assert.True(metadata.JobStorePersistent);
        var tables = factory.Rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'QRTZ\\_%' ESCAPE '\\'")
            .Select(row => (string)row[0]!).ToList();
        Assert.Contains("QRTZ_JOB_DETAILS", tables);
        Assert.Contains("QRTZ_TRIGGERS", tables);
        Assert.Contains("QRTZ_CRON_TRIGGERS", tables);
        Assert.Contains("QRTZ_LOCKS", tables);
        // The app's own tables are in the same file, untouched.
        Assert.Single(factory.Rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'completions'"));
    }

    [Fact]
    public async Task AScheduleSurvivesARestartWithTheSameNextFireTime()
    {
        using var restarted = new StretchBotFactory();
        var spec = ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 30), new TimeOnly(15, 0)], "Europe/Berlin");
        IReadOnlyList<ITrigger> scheduled;

        using (var first = new StretchBotFactory())
        {
            // The first run writes into the file the restarted app will open.
            var app = first.WithWebHostBuilder(builder => UseDatabase(builder, restarted.DatabasePath));
            var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            var job = JobBuilder.Create<RecordingJob>().WithIdentity(NudgeJob).UsingJobData("conversation", "team-a").StoreDurably().Build();
            scheduled = ScheduleTriggers.Build(spec, "team-a", NudgeJob, first.Clock);
            await scheduler.ScheduleJob(job, scheduled, ScheduleJobOptions.Replacing);
        }

        var reopened = await restarted.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        // Wednesday 18 November 2026, 10:30 UTC (11:30 in Berlin): today's 15:00 and tomorrow's 10:30 are next.
        var triggers = await reopened.GetTriggersOfJob(NudgeJob);
        Assert.Equal(2, triggers.Count);
        var byKey = triggers.Cast<ICronTrigger>().OrderBy(t => t.Key.Name).ToList();
        Assert.Equal(["team-a/1", "team-a/2"], byKey.Select(t => t.Key.Name));
        Assert.Equal(scheduled.Select(t => ((ICronTrigger)t).CronExpressionString), byKey.Select(t => t.CronExpressionString));
        Assert.All(byKey, t => Assert.Equal("Europe/Berlin", t.TimeZone.Id));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 9, 30, 0, TimeSpan.Zero), byKey[0].NextFireTimeUtc);
        Assert.Equal(new DateTimeOffset(2026, 11, 18, 14, 0, 0, TimeSpan.Zero), byKey[1].NextFireTimeUtc);
        Assert.Equal("team-a", (await reopened.GetJobDetail(NudgeJob))!.JobDataMap.GetString("conversation"));
    }

    [Fact]
    public async Task QuartzFiresOnTheAppsClock()
    {
        using var factory = new StretchBotFactory();
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var run = Guid.NewGuid().ToString("N");
        var fired = RecordingJob.Expect(run);
        var dueAt = factory.Clock.GetUtcNow().AddMinutes(5);

        await scheduler.ScheduleJob(
            JobBuilder.Create<RecordingJob>().WithIdentity(NudgeJob).UsingJobData("run", run).Build(),
            TriggerBuilder.Create(factory.Clock).ForJob(NudgeJob).StartAt(dueAt).Build());
        Assert.False(fired.IsCompleted);

        // Only the fake clock moves: a scheduler on the wall clock would wait five real minutes and the test time out.
        factory.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(dueAt, await fired.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static void UseDatabase(IWebHostBuilder builder, string path) =>
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:SqlitePath"] = path }));

    /// <summary>Reports the scheduled fire time of each run it is told about.</summary>
    private sealed class RecordingJob : IJob
    {
        private static readonly ConcurrentDictionary<string, TaskCompletionSource<DateTimeOffset>> Runs = new();

        public static Task<DateTimeOffset> Expect(string run) =>
            Runs.GetOrAdd(run, _ => new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            if (context.MergedJobDataMap.GetString("run") is { } run && Runs.TryGetValue(run, out var completion))
            {
                completion.TrySetResult(context.ScheduledFireTimeUtc ?? DateTimeOffset.MinValue);
            }

            return ValueTask.CompletedTask;
        }
    }
}
