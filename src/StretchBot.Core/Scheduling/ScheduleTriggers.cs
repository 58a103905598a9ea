using System.Globalization;
using Quartz;

namespace StretchBot.Scheduling;

/// <summary>
/// Turns a <see cref="ScheduleSpec"/> into the Quartz triggers that fire it, in the spec's time zone. Pure: the same
/// spec, ids and clock reading give the same triggers, and nothing is scheduled here.
/// </summary>
/// <remarks>
/// <para>
/// <b>Fixed times</b> become cron triggers with the zone set on them: cron is Quartz's own "at these wall-clock
/// times on these weekdays", and its daylight-saving rules are documented and fixed (CronExpression.GetTimeAfter): a
/// time that does not exist that day (spring-forward gap) fires once, at the end of the gap, the instant the clocks
/// jumped; a time that exists twice (fall-back overlap) fires once, at its first occurrence. One cron expression holds
/// one set of minutes times one set of hours, so times are grouped by their minutes: "10:00 14:00 16:00" is one
/// trigger, "10:30 15:00" is two ("0 30 10" and "0 0 15"). They share the schedule's id and job, so a changed schedule
/// removes them all by job (ScheduleJobOptions.Replacing leaves a job's other triggers behind).
/// </para>
/// <para>
/// <b>Intervals in a window</b> become one DailyTimeIntervalTrigger: "every 90m 9:00-17:00" is not a cron expression
/// (90 minutes does not divide an hour), while this trigger restarts at the window's start each day, steps the
/// interval, and stops at the window's end, on the chosen weekdays in the zone. Its interval is real time: two nudges
/// are never closer than it. A step that lands in a spring-forward gap fires once, at the end of the gap, and the day's
/// later steps keep the real interval from it (so they read an hour later on the wall clock that day); a step in a
/// fall-back overlap fires at its first occurrence, and a wall time in the repeated hour comes round again only when
/// the interval is shorter than the overlap. No zone tested changes its clocks inside working hours; the next day
/// starts at the window's start again. ScheduleTriggerTests pins each of these.
/// </para>
/// <para>
/// Every trigger ignores misfires: after downtime Quartz hands each missed time to the job, with its own scheduled
/// fire time, and then goes on at the next one on time. The job's service compares that fire time with the clock and
/// records a nudge more than SchedulingOptions.MisfireThreshold late as skipped ("late") instead of posting it, so a
/// restart never posts a burst of stale nudges and every missed one is on record. (DoNothing would move on silently,
/// leaving no record; cron's smart policy would post one stale nudge.)
/// </para>
/// </remarks>
public static class ScheduleTriggers
{
    /// <summary>The trigger group of every schedule trigger.</summary>
    public const string Group = "stretch-schedules";

    /// <param name="spec">The schedule.</param>
    /// <param name="scheduleId">Names the triggers: <c>{scheduleId}/1</c>, <c>{scheduleId}/2</c>, … in <see cref="Group"/>.</param>
    /// <param name="job">The job they fire.</param>
    /// <param name="clock">
    /// The app's clock: nothing fires before its "now", and the triggers carry it. A Quartz trigger reads "now" from
    /// the clock it was built with when it is scheduled (a first fire time in the past is moved past "now") and when it
    /// misfires; built without one it reads the system clock, whatever clock the scheduler runs on.
    /// </param>
    public static IReadOnlyList<ITrigger> Build(ScheduleSpec spec, string scheduleId, JobKey job, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(scheduleId);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(clock);
        var startAt = clock.GetUtcNow();

        IEnumerable<IScheduleBuilder> schedules = spec switch
        {
            ScheduleSpec.AtTimes at => CronExpressions(at).Select(cron => (IScheduleBuilder)CronScheduleBuilder.Create(cron)
                .InTimeZone(spec.TimeZone)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.IgnoreMisfires)),
            ScheduleSpec.EveryInterval every => [DailyTimeIntervalScheduleBuilder.Create()
                .OnDaysOfTheWeek(every.Days.ToList())
                .StartingDailyAt(every.From)
                .EndingDailyAt(every.Until)
                .WithInterval((int)every.Interval.TotalMinutes, IntervalUnit.Minute)
                .InTimeZone(spec.TimeZone)
                .WithMisfireInstruction(DailyTimeIntervalTriggerMisfireInstruction.IgnoreMisfires)],
            _ => throw new ArgumentException($"Unknown schedule kind {spec.GetType().Name}.", nameof(spec)),
        };

        return schedules
            .Select((schedule, index) => TriggerBuilder.Create(clock)
                .WithIdentity(new TriggerKey($"{scheduleId}/{index + 1}", Group))
                .ForJob(job)
                .StartAt(startAt)
                .WithSchedule(schedule)
                .Build())
            .ToList();
    }

    /// <summary>One cron expression per distinct set of minutes: "0 0 10,14 ? * MON-FRI", "0 30 10 ? * MON-FRI".</summary>
    internal static IReadOnlyList<string> CronExpressions(ScheduleSpec.AtTimes spec)
    {
        var days = string.Join(',', spec.Days.Select(CronDay));
        return spec.Times
            .GroupBy(t => t.Hour)
            .GroupBy(hour => string.Join(',', hour.Select(t => t.Minute.ToString(CultureInfo.InvariantCulture))))
            .Select(sameMinutes => $"0 {sameMinutes.Key} {string.Join(',', sameMinutes.Select(h => h.Key.ToString(CultureInfo.InvariantCulture)))} ? * {days}")
            .ToList();
    }

    private static string CronDay(DayOfWeek day) => day switch
    {
        DayOfWeek.Sunday => "SUN",
        DayOfWeek.Monday => "MON",
        DayOfWeek.Tuesday => "TUE",
        DayOfWeek.Wednesday => "WED",
        DayOfWeek.Thursday => "THU",
        DayOfWeek.Friday => "FRI",
        DayOfWeek.Saturday => "SAT",
        _ => throw new ArgumentOutOfRangeException(nameof(day)),
    };
}
