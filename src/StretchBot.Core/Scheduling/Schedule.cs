namespace StretchBot.Scheduling;

/// <summary>
/// A conversation's schedule and its settings, as stored. <see cref="OwnerId"/> is empty for a conversation's own
/// schedule and the person's id for a personal reminder in their 1:1 chat. <see cref="Spec"/> is the canonical text
/// of the schedule ("weekdays 10:30 15:00", "every 90m 9:00-17:00 mon-fri"), null when it is off; the settings stay.
/// </summary>
public sealed record Schedule(
    string Id,
    string TenantId,
    string ChannelId,
    string ConversationId,
    string OwnerId,
    string? Spec,
    string? TimeZone,
    string? SetterZone,
    string StretchKinds,
    int JitterMinutes,
    DateTimeOffset? PausedUntil,
    string? PauseReason,
    DateTimeOffset? StoppedAt,
    string? StoppedReason,
    string? SetBy,
    IReadOnlyList<DateOnly> Holidays)
{
    /// <summary>The zone nudges follow: the one set with <c>timezone</c>, else the zone of who set the schedule.</summary>
    public string? EffectiveZone => TimeZone ?? SetterZone;

    public bool IsPersonal => OwnerId.Length > 0;

    /// <summary>
    /// The row's version as read (0 for one not stored yet): a save succeeds only over the version it read, so a stop or
    /// pause written meanwhile (by delivery, without the service's gate) is never overwritten.
    /// </summary>
    public long Version { get; init; }

    /// <summary>Paused as of <paramref name="now"/> (a pause for nobody answering lasts until <c>resume</c>).</summary>
    public bool IsPausedAt(DateTimeOffset now) => PausedUntil is { } until && until > now;
}

/// <summary>Why a schedule paused itself or was paused: shown to people and kept for the record.</summary>
public static class PauseReasons
{
    public const string Manual = "manual";

    /// <summary>Nobody answered the last few nudges: paused until someone says <c>resume</c>.</summary>
    public const string Unanswered = "unanswered";
}
