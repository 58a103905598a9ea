namespace StretchBot.Catalog;

/// <summary>Bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>
    /// Optional JSON file (<c>{"stretches":[...]}</c>) whose entries are added to the built-in
    /// catalog, or replace built-in entries with the same id. Relative paths resolve against the
    /// app's content root.
    /// </summary>
    public string? CustomPath { get; set; }
}
