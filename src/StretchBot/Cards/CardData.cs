using System.Text.Json.Serialization;

namespace StretchBot.Cards;

// The data bound to the templates in cards/teams. Each shape matches the template's sample data file beside it.

public sealed record CapabilitiesData(bool Execute);

public sealed record SafetyData(string Title, IReadOnlyList<string> Paragraphs);

public sealed record StepData(int Number, string Text, bool IsFirst, bool IsLast);

public sealed record StretchData(
    string Id, string Name, string Targets, string Where, string Equipment, string Duration, string? Dose, string? Breathing,
    IReadOnlyList<string> Cautions, IReadOnlyList<StepData> Steps, int StepCount);

public sealed record StretchCardData(
    string PromptId, string Heading, string Intro, CapabilitiesData Capabilities, int DoneCount, string DoneText, StretchData Stretch, SafetyData Safety);

public sealed record WalkthroughCardData(
    string PromptId, string StretchId, string Name, int Step, int StepCount, string StepTitle, string Progress, string Text, bool IsFirst,
    bool IsLast, string? Dose, string? Breathing, IReadOnlyList<string> Cautions, bool AlreadyDone, CapabilitiesData Capabilities, SafetyData Safety);

public sealed record DoneCardData(
    string StretchName, string Title, bool AlreadyDone, string Message, int StreakDays, string StreakText, int TotalStretches,
    int WeekCount, int Rank, string RankText, int DoneCount, string DoneText, CapabilitiesData Capabilities, SafetyData Safety);

public sealed record CommandData(string Command, string Description, string? Example);

public sealed record WelcomeCardData(bool FirstContact, string Title, string Intro, string? NameLine, IReadOnlyList<CommandData> Commands, SafetyData Safety);

public sealed record CatalogItemData(string Id, string Name, string Targets, string Where, string Duration, bool IsQuick);

public sealed record CatalogCardData(string Title, string? FilterText, int Count, IReadOnlyList<CatalogItemData> Stretches, SafetyData Safety);

public sealed record RecentData(string Name, string When);

public sealed record StatsCardData(
    string DisplayName, int Total, int WeekCount, int StreakDays, string StreakText, string? Favourite, IReadOnlyList<RecentData> Recent, bool HasAny, SafetyData Safety);

public sealed record LeaderboardEntryData(int Rank, string Name, int Count, bool IsMe, string Medal);

public sealed record LeaderboardCardData(string Title, string Period, IReadOnlyList<LeaderboardEntryData> Entries, bool IsEmpty, string? MyLine, SafetyData Safety);

public sealed record FactData(string Title, string Value);

public sealed record ScheduleCardData(
    string Heading, bool HasSchedule, bool IsPersonal, string? When, string EmptyText, IReadOnlyList<string> Next, IReadOnlyList<FactData> Facts,
    string? Note, string? Hint, SafetyData Safety);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StretchCardData))]
[JsonSerializable(typeof(WalkthroughCardData))]
[JsonSerializable(typeof(DoneCardData))]
[JsonSerializable(typeof(WelcomeCardData))]
[JsonSerializable(typeof(CatalogCardData))]
[JsonSerializable(typeof(StatsCardData))]
[JsonSerializable(typeof(LeaderboardCardData))]
[JsonSerializable(typeof(ScheduleCardData))]
internal sealed partial class CardJsonContext : JsonSerializerContext;
