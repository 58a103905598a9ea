using StretchBot.Conversation;

namespace StretchBot.Scheduling;

/// <summary>
/// A conversation's schedule (or a person's reminder) as people read it. Every string is ours (built from the stored,
/// validated schedule); <see cref="Note"/> and <see cref="Hint"/> keep any words of a person apart, like MessageView.
/// </summary>
/// <param name="Heading">"Schedule set", "This chat's schedule", …</param>
/// <param name="When">The schedule in words; null when there is none.</param>
/// <param name="Zone">The zone id and its offset now: "Europe/Berlin (UTC+01:00)".</param>
/// <param name="ZoneSource">Where the zone comes from: set with timezone, the setter's, or the default.</param>
/// <param name="Status">Running, paused until…, paused for no answers, stopped; null when there is no schedule.</param>
/// <param name="Next">The next nudges in local time, "Thu 3 Dec, 10:30".</param>
/// <param name="Holidays">The next few holidays, "Thu 24 Dec", "Fri 1 Jan 2027" (the year when not this one), then "+N more" when there are more.</param>
/// <param name="Kinds">Which stretches nudges pick, in words.</param>
/// <param name="Jitter">The random offset in words, or null when off.</param>
public sealed record ScheduleView(
    string Heading,
    bool IsPersonal,
    string? When,
    string Zone,
    string ZoneSource,
    string? Status,
    IReadOnlyList<string> Next,
    IReadOnlyList<string> Holidays,
    string Kinds,
    string? Jitter,
    Said? Note = null,
    Said? Hint = null) : View
{
    public bool HasSchedule => When is not null;
}
