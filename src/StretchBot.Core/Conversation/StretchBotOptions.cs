using System.ComponentModel.DataAnnotations;

namespace StretchBot.Conversation;

public sealed class StretchBotOptions
{
    public const string Section = "StretchBot";

    /// <summary>Used for days and weeks when a person's client doesn't tell us their time zone (IANA or Windows id).</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "UTC";

    [Range(3, 50)]
    public int LeaderboardSize { get; set; } = 10;

    /// <summary>On-demand stretches avoid repeating this many of the person's latest, where the filter leaves a choice.</summary>
    [Range(0, 10)]
    public int AvoidRecent { get; set; } = 3;
}
