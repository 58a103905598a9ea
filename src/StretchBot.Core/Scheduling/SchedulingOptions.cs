using System.ComponentModel.DataAnnotations;

namespace StretchBot.Scheduling;

/// <summary>Who may change a conversation's schedule and its settings.</summary>
public enum ScheduleEditors
{
    /// <summary>Anyone in the conversation (the default: a team lead installs it and sets it up in minutes).</summary>
    Anyone,

    /// <summary>Only the person who installed the bot, the platform's owners, and <see cref="SchedulingOptions.Owners"/>.</summary>
    Owners,
}

/// <summary>Settings of scheduled nudges ("Scheduling" section). The defaults run the app with no configuration.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    public ScheduleEditors WhoCanChange { get; set; } = ScheduleEditors.Anyone;

    /// <summary>User ids (as the channel gives them) who may always change schedules, whatever <see cref="WhoCanChange"/> says.</summary>
    public List<string> Owners { get; set; } = [];

    /// <summary>The shortest "every …" a schedule may have: nobody wants a nudge every five minutes.</summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The local playground's own minimum, so anyone can watch a nudge arrive within a minute.</summary>
    public TimeSpan PlaygroundMinimumInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A nudge more than this late (downtime, a restart) is skipped and recorded as skipped, never posted stale.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long before its time a nudge is prepared: Quartz fires the schedule's trigger this much early, the nudge's
    /// stretch is picked and its delivery record written then, and the dispatcher posts it at the exact instant. Ten
    /// thousand channels due at 10:00 are then ten thousand posts at 10:00, not ten thousand trigger firings and
    /// database writes racing the posts. What can change in that minute (a pause, a holiday, <c>schedule off</c>, a new
    /// time) is checked again at the instant of posting. Zero prepares nothing ahead.
    /// </summary>
    public TimeSpan PrepareAhead { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After this many nudges in a row that nobody answered with Done, the schedule pauses itself and says so once.</summary>
    [Range(1, 100)]
    public int UnansweredLimit { get; set; } = 5;

    /// <summary>How long "Later" waits before the stretch comes back to the person who clicked it.</summary>
    public TimeSpan LaterDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The largest random offset <c>jitter</c> may set.</summary>
    public TimeSpan MaxJitter { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// How many nudges are on their way to the platforms at once (the rate gates pace them further). Enough for every
    /// tenant to spend its per-second allowance at the start of each second: FanoutBench, 10,000 channels in 20 tenants,
    /// took 10.2 s with 32 and 10.0 s with 128 (the floor the limits allow is 9.0 s); 256 gained nothing more.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentDeliveries { get; set; } = 128;

    /// <summary>The minimum interval for a channel: the playground ("local") has its own.</summary>
    public TimeSpan MinimumIntervalFor(string channelId) => channelId == "local" ? PlaygroundMinimumInterval : MinimumInterval;

    /// <summary>A one-line description of the first bad setting, or null.</summary>
    public string? Problem()
    {
        if (MinimumInterval < TimeSpan.FromMinutes(1) || MinimumInterval >= TimeSpan.FromDays(1))
        {
            return "Scheduling:MinimumInterval must be at least 00:01:00 and under a day.";
        }

        if (PlaygroundMinimumInterval < TimeSpan.FromMinutes(1) || PlaygroundMinimumInterval >= TimeSpan.FromDays(1))
        {
            return "Scheduling:PlaygroundMinimumInterval must be at least 00:01:00 and under a day.";
        }

        if (MisfireThreshold < TimeSpan.Zero || MisfireThreshold > TimeSpan.FromDays(1))
        {
            return "Scheduling:MisfireThreshold must be between 00:00:00 and 1.00:00:00.";
        }

        if (PrepareAhead < TimeSpan.Zero || PrepareAhead > TimeSpan.FromMinutes(10))
        {
            return "Scheduling:PrepareAhead must be between 00:00:00 and 00:10:00.";
        }

        if (LaterDelay < TimeSpan.FromMinutes(1) || LaterDelay > TimeSpan.FromDays(1))
        {
            return "Scheduling:LaterDelay must be between 00:01:00 and 1.00:00:00.";
        }

        if (MaxJitter < TimeSpan.Zero || MaxJitter > TimeSpan.FromHours(12))
        {
            return "Scheduling:MaxJitter must be between 00:00:00 and 12:00:00.";
        }

        return null;
    }
}
