using System.Text.Json.Serialization;
using StretchBot.Conversation;
using StretchBot.Scheduling;

namespace StretchBot.Cards;

/// <summary>A Block Kit message: the fallback text (notifications, screen readers) and the blocks.</summary>
public sealed record SlackMessage(string Text, System.Text.Json.Nodes.JsonArray Blocks);

/// <summary>What a person's App Home tab shows: their stats, the workspace's week, and the schedules of their channels.</summary>
public sealed record SlackHome(StatsView Stats, LeaderboardView Leaderboard, IReadOnlyList<SlackHomeSchedule> Schedules);

/// <param name="ChannelName">The channel's name without '#', data to escape.</param>
public sealed record SlackHomeSchedule(string ChannelName, ScheduleView Schedule);

// The data bound to the templates in cards/slack. Each shape matches the template's sample data file beside it.
// Strings named for mrkdwn are escaped with SlackMrkdwn already; "plain" ones (headers, button labels) are one line,
// unescaped, because Slack shows plain_text as it is. Button values are compact JSON strings (SlackRenderer.Value).

/// <param name="Rhythm">How many and Breathing, a full-width line each (long texts squeeze in a half-width field).</param>
/// <param name="Cautions">The stretch's cautions, a line each with ⚠️, shown above the steps; null when it has none.</param>
public sealed record SlackStretchCardData(
    string Heading, string Name, string Intro, string Targets, string Where, string Equipment, string Duration, string? Rhythm,
    string? Cautions, string StepsTitle, string Steps, int StepCount, int DoneCount, string DoneText, string Value);

/// <param name="Rhythm">How many and Breathing: on the first step only.</param>
public sealed record SlackWalkthroughCardData(
    string Name, int Step, int StepCount, string StepTitle, string Progress, string Text, bool IsFirst, bool IsLast, string? Rhythm,
    string? Cautions, bool AlreadyDone, string Value);

public sealed record SlackDoneCardData(
    string Title, string Name, bool AlreadyDone, string Message, int StreakDays, string StreakText, int TotalStretches, string TotalText,
    int WeekCount, string WeekText, int Rank, string RankText, int DoneCount, string DoneText);

/// <param name="Text">The fallback (notification) text: no markup.</param>
/// <param name="SafetyLine">One line on safety; the Safety button has the rest.</param>
public sealed record SlackWelcomeCardData(
    bool FirstContact, string Text, string Title, string Intro, string? NameLine, string Commands, string DirectMessages, string SafetyLine,
    string SafetyTitle, IReadOnlyList<string> SafetyParagraphs);

public sealed record SlackCatalogItemData(string BlockId, string Name, string Details, string Value);

public sealed record SlackCatalogCardData(
    string Title, string Summary, bool Filtered, int Count, IReadOnlyList<SlackCatalogItemData> Stretches, string? More, string SurpriseValue);

public sealed record SlackStatsCardData(
    string DisplayName, bool HasAny, int Total, string TotalText, int WeekCount, string WeekText, int StreakDays, string StreakText,
    string? Favourite, string? Recent);

/// <param name="MyLine">Where the person stands, only when their row isn't among the rows shown.</param>
public sealed record SlackLeaderboardCardData(string Title, string Period, bool IsEmpty, string Lines, string? MyLine);

public sealed record SlackFactData(string Title, string Value);

/// <param name="Text">The fallback (notification) text, saying when: "Schedule set: weekdays (Mon–Fri) at 10:30".</param>
public sealed record SlackScheduleCardData(
    string Text, string Heading, string Title, bool HasSchedule, string? When, string EmptyText, string? Next, IReadOnlyList<SlackFactData> Facts,
    string? Note, string? Hint);

public sealed record SlackParagraphData(string BlockId, string Text);

public sealed record SlackMessageCardData(string Title, IReadOnlyList<SlackParagraphData> Paragraphs, string? Hint);

/// <param name="Heading">The safety title as a header (plain_text).</param>
/// <param name="Title">The safety title for the fallback text (mrkdwn).</param>
public sealed record SlackSafetyCardData(string Heading, string Title, IReadOnlyList<SlackParagraphData> Paragraphs);

public sealed record SlackHomeScheduleData(string BlockId, string Channel, string Details);

public sealed record SlackHomeData(
    SlackStatsCardData Stats, SlackLeaderboardCardData Leaderboard, bool HasSchedules, IReadOnlyList<SlackHomeScheduleData> Schedules,
    string? MoreSchedules);

/// <summary>A button's value: what the core needs back from the click (prompt, stretch, step, filter), short names.</summary>
public sealed record SlackButtonValue(
    [property: JsonPropertyName("p")] string? PromptId = null,
    [property: JsonPropertyName("s")] string? StretchId = null,
    [property: JsonPropertyName("n")] int? Step = null,
    [property: JsonPropertyName("f")] string? Filter = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SlackStretchCardData))]
[JsonSerializable(typeof(SlackWalkthroughCardData))]
[JsonSerializable(typeof(SlackDoneCardData))]
[JsonSerializable(typeof(SlackWelcomeCardData))]
[JsonSerializable(typeof(SlackCatalogCardData))]
[JsonSerializable(typeof(SlackStatsCardData))]
[JsonSerializable(typeof(SlackLeaderboardCardData))]
[JsonSerializable(typeof(SlackScheduleCardData))]
[JsonSerializable(typeof(SlackMessageCardData))]
[JsonSerializable(typeof(SlackSafetyCardData))]
[JsonSerializable(typeof(SlackHomeData))]
internal sealed partial class SlackCardJsonContext : JsonSerializerContext;

/// <summary>Button values: compact, nulls left out, so they stay far below Slack's 2000 characters.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SlackButtonValue))]
internal sealed partial class SlackValueJsonContext : JsonSerializerContext;
