namespace StretchBot.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// SQLite database file; created on first start. A relative path is under the app's content root: the folder
    /// holding StretchBot.dll when published, the project folder under <c>dotnet run</c>, never the working folder.
    /// </summary>
    public string SqlitePath { get; set; } = "data/stretchbot.db";

    /// <summary>The database file's full path: <see cref="SqlitePath"/> as is when absolute, else under <paramref name="contentRoot"/>.</summary>
    public string ResolvePath(string contentRoot) => Path.GetFullPath(SqlitePath, contentRoot);
}
