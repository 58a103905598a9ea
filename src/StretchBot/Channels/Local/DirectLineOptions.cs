namespace StretchBot.Channels.Local;

public sealed class LocalChannelOptions
{
    public const string Section = "LocalChannel";

    /// <summary>The Direct Line 3.0 endpoint and the playground. They answer loopback clients only, whatever the binding.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest activity body accepted, in bytes.</summary>
    public int MaxActivityBytes { get; set; } = 64 * 1024;

    /// <summary>Conversations kept in memory; the least recently used is dropped past this.</summary>
    public int MaxConversations { get; set; } = 1000;

    /// <summary>Activities kept per conversation; older ones are dropped (the watermark keeps counting).</summary>
    public int MaxActivitiesPerConversation { get; set; } = 500;
}
