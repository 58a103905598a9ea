using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Markup;
using StretchBot.Scheduling;
using StretchBot.Templating;

namespace StretchBot.Cards;

/// <summary>What a channel posts for one view: an Adaptive Card, or plain (markdown) text for short messages.</summary>
public sealed record RenderedMessage(string? Text, JsonObject? Card, string Summary);

/// <summary>
/// Binds views to the Adaptive Card templates in cards/teams with the templating engine. Every string bound into a
/// template is text, not markup: names, echoes, and the catalog's words too (an admin's custom catalog is data written by
/// a person, and the built-in one has no markup), so each is escaped with <see cref="CardMarkdown"/> as the data is built
/// here. The templates hold our own markup. Ids only travel in Submit data and element ids, and are left as they are.
/// </summary>
public sealed partial class CardRenderer
{
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    private readonly string _folder;
    private readonly SafetyData _safety;
    private readonly ConcurrentDictionary<string, AdaptiveCardTemplate> _templates = new(StringComparer.Ordinal);

    public CardRenderer(IOptions<CardOptions> options, IWebHostEnvironment environment, StretchCatalog catalog)
    {
        // The safety advice is one click away on every card.
        _safety = Safety(catalog.Safety);
        _folder = options.Value.TemplatesPath is { Length: > 0 } configured
            ? Path.GetFullPath(configured, environment.ContentRootPath)
            : Path.Combine(AppContext.BaseDirectory, "cards", "teams");
    }

    public IReadOnlyList<string> TemplateNames => ["stretch", "walkthrough", "done", "welcome", "catalog", "stats", "leaderboard", "schedule"];

    /// <summary>Parses every template once at start-up so a broken template stops the app instead of a turn.</summary>
    public void LoadAll()
    {
        foreach (var name in TemplateNames)
        {
            _ = Template(name);
        }
    }

    public RenderedMessage Render(View view, ChannelCapabilities capabilities) => view switch
    {
        StretchView v => Card("stretch", StretchData(v, capabilities), CardJsonContext.Default.StretchCardData, $"Stretch: {PlainText.Escape(v.Stretch.Name)}"),
        WalkthroughView v => Card("walkthrough", WalkthroughData(v, capabilities, _safety), CardJsonContext.Default.WalkthroughCardData, $"Step {v.Step} of {v.StepCount}: {PlainText.Escape(v.Stretch.Name)}"),
        DoneView v => Card("done", DoneData(v, capabilities, _safety), CardJsonContext.Default.DoneCardData, $"Done: {PlainText.Escape(v.Stretch.Name)}"),
        WelcomeView v => Card("welcome", WelcomeData(v), CardJsonContext.Default.WelcomeCardData, "Welcome to StretchBot"),
        CatalogView v => Card("catalog", CatalogData(v, _safety), CardJsonContext.Default.CatalogCardData, "Stretches"),
        StatsView v => Card("stats", StatsData(v, _safety), CardJsonContext.Default.StatsCardData, "Your stretch stats"),
        LeaderboardView v => Card("leaderboard", LeaderboardData(v, _safety), CardJsonContext.Default.LeaderboardCardData, "Leaderboard"),
        ScheduleView v => Card("schedule", ScheduleData(v, _safety), CardJsonContext.Default.ScheduleCardData, v.Heading),
        SafetyView v => Text(Markdown(v.Safety), v.Safety.Title),
        MessageView v => Text(Markdown(v), v.Title),
        _ => throw new ArgumentOutOfRangeException(nameof(view), view.GetType().Name, "No renderer for this view."),
    };

    public JsonObject Expand<T>(string template, T data, JsonTypeInfo<T> typeInfo) =>
        (JsonObject)Template(template).Expand(JsonSerializer.SerializeToNode(data, typeInfo))!;

    internal static StretchCardData StretchData(StretchView v, ChannelCapabilities capabilities)
    {
        var s = v.Stretch;
        var steps = s.Steps.Select((text, i) => new StepData(i + 1, Md(text), i == 0, i == s.Steps.Count - 1)).ToList();
        return new StretchCardData(
            v.PromptId,
            v.Scheduled ? $"Time for a {Length(s.DurationSeconds)} stretch" : "Here's your stretch",
            Md(v.Intro ?? Intro(s, v.Scheduled)),
            new CapabilitiesData(capabilities.SupportsExecute),
            v.DoneCount,
            DoneText(v.DoneCount),
            new StretchData(s.Id, Md(s.Name), Md(s.Targets), Md(Where(s.Places)), Md(s.Equipment.Count == 0 ? "None" : string.Join(", ", s.Equipment)),
                Md(Duration(s.DurationSeconds)), MdOrNull(s.Dose), MdOrNull(s.Breathing), s.Cautions.Select(Md).ToList(), steps, steps.Count),
            Safety(v.Safety));
    }

    /// <summary>One person's step: the step number travels in the buttons' data and comes back checked by the core.</summary>
    internal static WalkthroughCardData WalkthroughData(WalkthroughView v, ChannelCapabilities capabilities, SafetyData safety)
    {
        var s = v.Stretch;
        var count = s.Steps.Count;
        return new WalkthroughCardData(
            v.PromptId,
            s.Id,
            Md(s.Name),
            v.Step,
            count,
            count == 1 ? "How to do it" : $"Step {v.Step} of {count}",
            // Where you are at a glance: filled dots for the steps reached.
            string.Join(' ', Enumerable.Range(1, count).Select(i => i <= v.Step ? "●" : "○")),
            Md(s.Steps[v.Step - 1]),
            v.Step == 1,
            v.IsLast,
            MdOrNull(s.Dose),
            MdOrNull(s.Breathing),
            s.Cautions.Select(Md).ToList(),
            v.AlreadyDone,
            new CapabilitiesData(capabilities.SupportsExecute),
            safety);
    }

    internal static DoneCardData DoneData(DoneView v, ChannelCapabilities capabilities, SafetyData safety) => new(
        Md(v.Stretch.Name),
        v.AlreadyDone ? "Already counted ✓" : "Done ✓",
        v.AlreadyDone,
        Greeting(v),
        v.StreakDays,
        v.StreakDays == 1 ? "1-day streak" : $"{v.StreakDays}-day streak",
        v.TotalStretches,
        v.WeekCount,
        v.Rank,
        v.Rank > 0 ? Md($"#{v.Rank} this week") : "Not ranked yet",
        v.DoneCount,
        DoneText(v.DoneCount),
        new CapabilitiesData(capabilities.SupportsExecute),
        safety);

    internal static WelcomeCardData WelcomeData(WelcomeView v) => new(
        v.FirstContact,
        v.FirstContact ? "Hi, I'm StretchBot" : "What I can do",
        "I help your team take short stretch breaks: one stretch at a time, step by step. Click Done when you've finished to build your streak.",
        v.ChosenName is { } name ? $"I'll call you {Md(name)} here. To change it, type `name` and your name, for example `name Ada`." : null,
        ((CommandData[])[
            new("stretch", "A random stretch, walked through step by step", null),
            new("stretch [where]", "Desk, floor, gym or quick, or a body area such as back", "stretch desk"),
            new("stretch [name]", "A stretch by name", "stretch cat and cow"),
            new("stretches", "Browse every stretch", null),
            new("stats", "Your totals and streak", null),
            new("leaderboard", "Who stretched most this week here", null),
            new("schedule [when]", "Stretch breaks posted here at set times; schedule alone shows it", "schedule weekdays 10:30 15:00"),
            new("remind me [when]", "Your own reminders, in our 1:1 chat", "remind me weekdays 11:00"),
            new("safety", "When to see the doctor", null),
            new("name [your name]", "What I call you here", "name Ada"),
            new("help", "This card", null),
        ]).Where(c => v.ChosenName is not null || !c.Command.StartsWith("name", StringComparison.Ordinal))
            .Select(c => new CommandData(Md(c.Command), Md(c.Description), MdOrNull(c.Example))).ToList(),
        Safety(v.Safety));

    /// <summary>Rows on the catalog card: about 600 bytes each, so a long custom catalog still fits in a 28 KB card.</summary>
    internal const int MaxCatalogRows = 30;

    internal static CatalogCardData CatalogData(CatalogView v, SafetyData safety)
    {
        var title = v.FilterText is null ? "Stretches" : $"Stretches: {Md(v.FilterText)}";
        if (v.Stretches.Count > MaxCatalogRows)
        {
            title += $" (first {MaxCatalogRows}; try stretches desk, floor or gym)";
        }

        return new(
            title,
            MdOrNull(v.FilterText),
            v.Stretches.Count,
            v.Stretches.Take(MaxCatalogRows).Select(s => new CatalogItemData(s.Id, Md(s.Name), Md(s.Targets), Md(Where(s.Places)), Md(Duration(s.DurationSeconds)), s.IsQuick)).ToList(),
            safety);
    }

    internal static StatsCardData StatsData(StatsView v, SafetyData safety) => new(
        Md(v.DisplayName),
        v.Total,
        v.WeekCount,
        v.StreakDays,
        v.StreakDays == 1 ? "1-day streak" : $"{v.StreakDays}-day streak",
        MdOrNull(v.Favourite),
        v.Recent.Select(r => new RecentData(Md(r.StretchName), When(r.LocalTime, v.Today))).ToList(),
        v.Total > 0,
        safety);

    internal static LeaderboardCardData LeaderboardData(LeaderboardView v, SafetyData safety) => new(
        "Leaderboard",
        $"This week ({v.WeekStart.ToString("ddd d MMM", CultureInfo.InvariantCulture)} – {v.WeekEnd.ToString("ddd d MMM", CultureInfo.InvariantCulture)})",
        v.Entries.Select(e => new LeaderboardEntryData(e.Rank, Md(e.DisplayName), e.Count, e.IsMe, Medal(e.Rank))).ToList(),
        v.Entries.Count == 0,
        v.Me is { } me ? Md($"You: #{me.Rank} with {me.Count}") : null,
        safety);

    internal static ScheduleCardData ScheduleData(ScheduleView v, SafetyData safety)
    {
        var facts = new List<FactData> { new("Time zone", $"{Md(v.Zone)} {Ours(v.ZoneSource)}") };
        if (v.Status is { } status)
        {
            facts.Add(new("Status", Ours(status)));
        }

        if (v.Holidays.Count > 0)
        {
            facts.Add(new("Holidays", Md(string.Join(", ", v.Holidays))));
        }

        facts.Add(new("Stretches", Md(v.Kinds)));
        if (v.Jitter is { } jitter)
        {
            facts.Add(new("Jitter", Md(jitter)));
        }

        return new ScheduleCardData(
            Md(v.Heading), v.HasSchedule, v.IsPersonal, MdOrNull(v.When),
            v.IsPersonal ? "No reminder yet." : "No schedule yet.",
            v.Next.Select(n => Md("• " + n)).ToList(), facts,
            v.Note is { } note ? CardSaid(note) : null,
            v.Hint is { } hint ? CardSaid(hint) : null,
            safety);
    }

    /// <summary>
    /// A <see cref="Said"/> for a card TextBlock: a person's words escaped, commands in bold (Teams' card markdown has no
    /// code spans), our own `command` marks in bold too.
    /// </summary>
    private static string CardSaid(Said said)
    {
        var text = new StringBuilder();
        foreach (var part in said.Parts)
        {
            text.Append(part.Kind switch
            {
                SaidKind.Ours => Ours(part.Text),
                SaidKind.Theirs => Md(part.Text),
                _ => "**" + Md(part.Text) + "**",
            });
        }

        return text.ToString();
    }

    /// <summary>Our own light markdown for a card: `command` becomes bold.</summary>
    private static string Ours(string text) => OursCode().Replace(text, "**$1**");

    [System.Text.RegularExpressions.GeneratedRegex("`([^`]+)`")]
    private static partial System.Text.RegularExpressions.Regex OursCode();

    private RenderedMessage Card<T>(string template, T data, JsonTypeInfo<T> typeInfo, string summary) =>
        new(null, Expand(template, data, typeInfo), summary);

    private static RenderedMessage Text(string text, string summary) => new(text, null, summary);

    private AdaptiveCardTemplate Template(string name) => _templates.GetOrAdd(name, n =>
    {
        var path = Path.Combine(_folder, n + ".json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Card template {path} is missing. Set Cards:TemplatesPath to the folder holding cards/teams.");
        }

        try
        {
            return AdaptiveCardTemplate.Parse(File.ReadAllText(path));
        }
        catch (TemplateException exception)
        {
            throw new InvalidOperationException($"Card template {path} is broken: {exception.Message}", exception);
        }
    });

    private static SafetyData Safety(SafetyAdvice safety) => new(Md(safety.Title), safety.Paragraphs.Select(Md).ToList());

    private static string Md(string text) => CardMarkdown.Escape(text);

    private static string? MdOrNull(string? text) => CardMarkdown.EscapeOrNull(text);

    private static string Markdown(SafetyAdvice safety)
    {
        var text = new StringBuilder().Append("**").Append(MessageMarkdown.Escape(safety.Title)).Append("**");
        foreach (var paragraph in safety.Paragraphs)
        {
            text.Append("\n\n").Append(MessageMarkdown.Escape(paragraph));
        }

        return text.ToString();
    }

    /// <summary>A message as markdown text: our title in bold, then the text and the hint, a person's words escaped.</summary>
    private static string Markdown(MessageView v)
    {
        var text = $"**{v.Title}**\n\n{MessageMarkdown.Render(v.Text)}";
        return v.Hint is null ? text : $"{text}\n\n{MessageMarkdown.Render(v.Hint)}";
    }

    private static string DoneText(int count) => count switch
    {
        0 => "Be the first to do this stretch",
        1 => "1 person did this stretch",
        _ => $"{count} people did this stretch",
    };

    internal static string Where(IReadOnlyList<StretchPlace> places) => places.Count == 0
        ? "Anywhere"
        : string.Join(" or ", places.Select(p => p switch
        {
            StretchPlace.Desk => "At your desk",
            StretchPlace.Floor => "On the floor / a mat",
            StretchPlace.Gym => "At the gym",
            _ => p.ToString(),
        }));

    /// <summary>A scheduled card's heading already says how long ("Time for a 2-minute stretch"), so its intro doesn't.</summary>
    private static string Intro(Stretch s, bool scheduled)
    {
        var area = s.BodyAreas.FirstOrDefault()?.Replace('-', ' ');
        return (scheduled, area) switch
        {
            (true, null) => "Take it slowly.",
            (true, _) => $"Good for your {area}. Take it slowly.",
            (false, null) => $"A {Length(s.DurationSeconds)} break. Take it slowly.",
            _ => $"A {Length(s.DurationSeconds)} break for your {area}. Take it slowly.",
        };
    }

    /// <summary>"30-second", "2-minute": the stretch's real duration, as a heading says it.</summary>
    internal static string Length(int seconds) => StretchLength.Words(seconds);

    internal static string Duration(int seconds, bool capitalise = false)
    {
        var text = seconds < 60 ? $"about {Math.Max(10, (int)Math.Round(seconds / 10.0) * 10)} s"
            : seconds < 90 ? "about 1 min"
            : $"about {(int)Math.Round(seconds / 60.0)} min";
        return capitalise ? char.ToUpperInvariant(text[0]) + text[1..] : text;
    }

    private static string Greeting(DoneView v)
    {
        var name = string.IsNullOrWhiteSpace(v.CallName) ? null : Md(v.CallName);
        return (v.AlreadyDone, name) switch
        {
            (true, null) => "You already logged this one. It counts once.",
            (true, _) => $"You already logged this one, {name}. It counts once.",
            (false, null) => "Nice work!",
            _ => $"Nice work, {name}!",
        };
    }

    private static string When(DateTimeOffset local, DateOnly today)
    {
        var day = DateOnly.FromDateTime(local.DateTime);
        var prefix = day == today ? "Today" : day == today.AddDays(-1) ? "Yesterday" : local.ToString("ddd d MMM", CultureInfo.InvariantCulture);
        return $"{prefix} {local.ToString("HH:mm", CultureInfo.InvariantCulture)}";
    }

    private static string Medal(int rank) => rank switch { 1 => "🥇", 2 => "🥈", 3 => "🥉", _ => string.Empty };
}
