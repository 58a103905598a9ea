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

    /// <summary>
    /// Approximate bytes of all stored activities together; past it the least recently used conversations are dropped,
    /// then the oldest activities of the one in use. 1000 conversations of 500 activities would otherwise be gigabytes.
    /// </summary>
    public long MaxStoredBytes { get; set; } = 64L * 1024 * 1024;
}
