namespace StretchBot.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>SQLite database file; created on first start. Relative paths are under the app's content root.</summary>
    public string SqlitePath { get; set; } = "data/stretchbot.db";
}
