using Quartz;

namespace StretchBot.Scheduling;

/// <summary>What a schedule's trigger does when it fires: hands the fire time to the application (a few lines, by design).</summary>
public interface INudgeFiring
{
    /// <param name="scheduleId">The schedule whose trigger fired.</param>
    /// <param name="fireTime">The instant the trigger was due (not when it ran): the nudge's identity, and how late it is.</param>
    Task FireAsync(string scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken);
}

/// <summary>One Quartz job per schedule (key: the schedule's id in <see cref="ScheduleTriggers.Group"/>); its triggers are the schedule's times.</summary>
public sealed class NudgeJob(INudgeFiring nudges) : IJob
{
    public const string ScheduleIdKey = "scheduleId";

    public static JobKey KeyFor(string scheduleId) => new(scheduleId, ScheduleTriggers.Group);

    public static IJobDetail For(string scheduleId) => JobBuilder.Create<NudgeJob>()
        .WithIdentity(KeyFor(scheduleId))
        .UsingJobData(ScheduleIdKey, scheduleId)
        .StoreDurably()
        .Build();

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduleId = context.MergedJobDataMap.GetString(ScheduleIdKey);
        if (string.IsNullOrEmpty(scheduleId))
        {
            return;
        }

        await nudges.FireAsync(scheduleId, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, cancellationToken);
    }
}
