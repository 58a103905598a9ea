using StretchBot.Catalog;

namespace StretchBot.Conversation;

/// <summary>What to show, independent of any channel. Renderers turn these into Adaptive Cards or Block Kit.</summary>
public abstract record View;

/// <param name="ChosenName">The name the person goes by here when their channel gives none (the playground): set, the
/// card says how to change it with <c>name</c>.</param>
public sealed record WelcomeView(bool FirstContact, SafetyAdvice Safety, string? ChosenName = null) : View;

public sealed record SafetyView(SafetyAdvice Safety) : View;

public sealed record StretchView(string PromptId, Stretch Stretch, bool Scheduled, int DoneCount, SafetyAdvice Safety, string? Intro = null) : View;

/// <summary>
/// One person's own walk through a shared card's stretch: step <paramref name="Step"/> of the stretch's steps (1-based),
/// as the server keeps it. <paramref name="AlreadyDone"/>: their Done is already counted (going through it again is fine).
/// </summary>
public sealed record WalkthroughView(string PromptId, Stretch Stretch, int Step, bool AlreadyDone, SafetyAdvice Safety) : View
{
    public int StepCount => Stretch.Steps.Count;

    public bool IsLast => Step >= Stretch.Steps.Count;
}

/// <param name="CallName">How to greet the person: a first name, the name they chose, or null for none.</param>
public sealed record DoneView(
    string PromptId,
    Stretch Stretch,
    string DisplayName,
    string? CallName,
    bool AlreadyDone,
    int StreakDays,
    int TotalStretches,
    int WeekCount,
    int Rank,
    int DoneCount) : View;

public sealed record CatalogView(IReadOnlyList<Stretch> Stretches, string? FilterText) : View;

public sealed record RecentCompletion(string StretchName, DateTimeOffset LocalTime);

public sealed record StatsView(string DisplayName, int Total, int WeekCount, int StreakDays, string? Favourite, IReadOnlyList<RecentCompletion> Recent, DateOnly Today) : View;

public sealed record LeaderboardEntry(int Rank, string UserId, string DisplayName, int Count, bool IsMe);

public sealed record LeaderboardView(DateOnly WeekStart, DateOnly WeekEnd, IReadOnlyList<LeaderboardEntry> Entries, LeaderboardEntry? Me) : View;

/// <summary>
/// A short friendly message: a reply to a mistake says how to write it. Title is ours; Text and Hint keep a person's
/// words apart from ours (see <see cref="Said"/>), so every channel escapes them for its format.
/// </summary>
public sealed record MessageView(string Title, Said Text, Said? Hint = null) : View;

/// <summary>
/// A view meant for one person in a shared conversation: the channel mentions them with it (Teams: an at-mention),
/// so they are notified and everyone sees who it is for. <see cref="Name"/> is the person's name, data to escape.
/// </summary>
public sealed record MentionView(string UserId, string Name, View Inner) : View;

/// <summary>A person's home page (Slack's App Home tab): their stats, the workspace's week, the schedules where they are.</summary>
public sealed record HomeView(StatsView Stats, LeaderboardView Leaderboard, IReadOnlyList<(Where Where, Scheduling.ScheduleView Schedule)> Schedules) : View;

/// <summary>The outcome of a turn: messages to post, in order.</summary>
public sealed record TurnResult(IReadOnlyList<View> Messages)
{
    public static TurnResult Of(params View[] views) => new(views);
}
