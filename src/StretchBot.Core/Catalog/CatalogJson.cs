using System.Text.Json;
using System.Text.Json.Serialization;

namespace StretchBot.Catalog;

// The file shapes are loose on purpose (everything nullable): the loader reports a missing or
// empty field by name, which a deserializer's "required" failure would not do as clearly.
internal sealed class StretchDto
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public List<string?>? Aliases { get; set; }
    public string? Targets { get; set; }
    public List<string?>? BodyAreas { get; set; }
    public List<string?>? Places { get; set; }
    public List<string?>? Equipment { get; set; }
    public List<string?>? Steps { get; set; }
    public string? Dose { get; set; }
    public string? Breathing { get; set; }
    public List<string?>? Cautions { get; set; }
    public int? DurationSeconds { get; set; }
    public List<SourceDto?>? Sources { get; set; }
    public string? EditorialNote { get; set; }
}

internal sealed class SourceDto
{
    public string? Article { get; set; }
    public string? Section { get; set; }
}

internal sealed class SafetyDto
{
    public string? Title { get; set; }
    public List<string?>? Paragraphs { get; set; }
    public string? Source { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(StretchDto))]
[JsonSerializable(typeof(SafetyDto))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
