using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Markup;
using StretchBot.Scheduling;
using StretchBot.Templating;

namespace StretchBot.Cards;

/// <summary>
/// Binds views to the Block Kit templates in cards/slack with the same templating engine as the Teams cards. Every
/// string from a person or the catalog is escaped with <see cref="SlackMrkdwn"/> where it lands in mrkdwn (and every
/// mrkdwn object is verbatim, so Slack doesn't link-ify "@channel" or "#general" by itself); plain_text (headers,
/// button labels) is shown by Slack as it is, so it is kept to one line and not entity-escaped. Slack refuses a whole
/// message over any one limit, and a custom catalog can hold long text, so after expansion <see cref="BlockKitFit"/>
/// cuts whatever is still too long.
/// </summary>
public sealed partial class SlackRenderer
{
    /// <summary>Block Kit: 50 blocks in a message, 100 in a Home tab.</summary>
    public const int MaxMessageBlocks = 50;
    public const int MaxHomeBlocks = 100;

    /// <summary>
    /// Rows on a catalog message. Slack refuses a block-heavy message well below the documented limits
    /// (msg_blocks_too_long at about 13k characters), so a list stays short and says how many more there are.
    /// </summary>
    internal const int MaxCatalogRows = 20;
    internal const int MaxLeaderboardRows = 20;
    internal const int MaxHomeLeaderboardRows = 10;
    internal const int MaxHomeSchedules = 15;
    internal const int MaxListItems = 10;

    private const int MaxNameLength = 80;
    private const int MaxShortText = 300;
    private const int MaxStepText = 1500;

    private readonly string _folder;
    private readonly SafetyAdvice _safety;
    private readonly ConcurrentDictionary<string, AdaptiveCardTemplate> _templates = new(StringComparer.Ordinal);

    public SlackRenderer(IOptions<CardOptions> options, IWebHostEnvironment environment, StretchCatalog catalog)
    {
        _safety = catalog.Safety;
        _folder = options.Value.SlackTemplatesPath is { Length: > 0 } configured
            ? Path.GetFullPath(configured, environment.ContentRootPath)
            : Path.Combine(AppContext.BaseDirectory, "cards", "slack");
    }

    public IReadOnlyList<string> TemplateNames => ["stretch", "walkthrough", "done", "welcome", "catalog", "stats", "leaderboard", "schedule", "message", "safety", "home"];

    /// <summary>Parses every template once at start-up so a broken template stops the app instead of a turn.</summary>
    public void LoadAll()
    {
        foreach (var name in TemplateNames)
        {
            _ = Template(name);
        }
    }

    public SlackMessage Render(View view) => view switch
    {
        StretchView v => Message("stretch", StretchData(v), SlackCardJsonContext.Default.SlackStretchCardData),
        WalkthroughView v => Message("walkthrough", WalkthroughData(v), SlackCardJsonContext.Default.SlackWalkthroughCardData),
        DoneView v => Message("done", DoneData(v), SlackCardJsonContext.Default.SlackDoneCardData),
        WelcomeView v => Message("welcome", WelcomeData(v), SlackCardJsonContext.Default.SlackWelcomeCardData),
        CatalogView v => Message("catalog", CatalogData(v), SlackCardJsonContext.Default.SlackCatalogCardData),
        StatsView v => Message("stats", StatsData(v), SlackCardJsonContext.Default.SlackStatsCardData),
        LeaderboardView v => Message("leaderboard", LeaderboardData(v, MaxLeaderboardRows), SlackCardJsonContext.Default.SlackLeaderboardCardData),
        ScheduleView v => Message("schedule", ScheduleData(v), SlackCardJsonContext.Default.SlackScheduleCardData),
        SafetyView v => Message("safety", SafetyData(v.Safety), SlackCardJsonContext.Default.SlackSafetyCardData),
        MessageView v => Message("message", MessageData(v), SlackCardJsonContext.Default.SlackMessageCardData),
        MentionView v => Mention(v),
        _ => throw new ArgumentOutOfRangeException(nameof(view), view.GetType().Name, "No Slack renderer for this view."),
    };

    /// <summary>The App Home tab: a view object for views.publish, <c>{"type":"home","blocks":[…]}</c>.</summary>
    public JsonObject RenderHome(SlackHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        var view = Expand("home", HomeData(home), SlackCardJsonContext.Default.SlackHomeData);
        BlockKitFit.Blocks((JsonArray)view["blocks"]!, MaxHomeBlocks);
        return view;
    }

    /// <summary>The template bound to data as it is, for the sample data files and tests.</summary>
    public JsonObject Expand<T>(string template, T data, JsonTypeInfo<T> typeInfo) =>
        (JsonObject)Template(template).Expand(JsonSerializer.SerializeToNode(data, typeInfo))!;

    /// <summary>
    /// A view for one person in a shared channel: a first line mentions them. Only a real Slack user id becomes a
    /// mention; anything else shows their name as text, so a name can never notify anyone.
    /// </summary>
    private SlackMessage Mention(MentionView v)
    {
        var inner = Render(v.Inner);
        var who = SlackUserId().IsMatch(v.UserId) ? $"<@{v.UserId}>" : Md(v.Name, MaxNameLength);
        var line = who.Length == 0 ? "Here's your stretch." : $"{who}, here's your stretch.";
        var blocks = new JsonArray(Section("mention", line));
        foreach (var block in inner.Blocks.ToList())
        {
            inner.Blocks.Remove(block);
            blocks.Add(block);
        }

        BlockKitFit.Blocks(blocks, MaxMessageBlocks);
        return new SlackMessage(BlockKitFit.Fallback($"{line} {inner.Text}"), blocks);
    }

    internal static SlackStretchCardData StretchData(StretchView v)
    {
        var s = v.Stretch;
        return new SlackStretchCardData(
            Plain(v.Scheduled ? $"Time for a {StretchLength.Words(s.DurationSeconds)} stretch" : "Here's your stretch"),
            Md(s.Name, MaxNameLength),
            v.Intro is { } intro ? Md(intro, MaxShortText) : Intro(s, v.Scheduled),
            Md(s.Targets, MaxShortText),
            Md(CardRenderer.Where(s.Places), MaxShortText),
            Md(s.Equipment.Count == 0 ? "None" : string.Join(", ", s.Equipment), MaxShortText),
            KeepTogether(CardRenderer.Duration(s.DurationSeconds, capitalise: true)),
            Rhythm(s),
            Cautions(s),
            s.Steps.Count == 1 ? "How to do it" : $"{s.Steps.Count} steps",
            StepsText(s.Steps),
            s.Steps.Count,
            v.DoneCount,
            DoneText(v.DoneCount),
            Value(new SlackButtonValue(v.PromptId, s.Id)));
    }

    /// <summary>One person's step, shown to them alone; the step travels in the buttons and the core checks it.</summary>
    internal static SlackWalkthroughCardData WalkthroughData(WalkthroughView v)
    {
        var s = v.Stretch;
        var count = s.Steps.Count;
        var step = Math.Clamp(v.Step, 1, Math.Max(1, count));
        return new SlackWalkthroughCardData(
            Md(s.Name, MaxNameLength),
            step,
            count,
            count <= 1 ? "How to do it" : $"Step {step} of {count}",
            // Where you are at a glance: filled dots for the steps reached.
            count <= 1 ? string.Empty : string.Join(' ', Enumerable.Range(1, count).Select(i => i <= step ? "●" : "○")),
            count == 0 ? "Take it slowly." : Md(s.Steps[step - 1], MaxStepText),
            step == 1,
            step >= count,
            // Said once at the start: repeated on every step it crowds out the step itself.
            step == 1 ? Rhythm(s) : null,
            // Cautions stay on every step: they matter while doing it.
            Cautions(s),
            v.AlreadyDone,
            Value(new SlackButtonValue(v.PromptId, s.Id, step)));
    }

    internal static SlackDoneCardData DoneData(DoneView v) => new(
        v.AlreadyDone ? "Already counted ✓" : "Done ✓",
        Md(v.Stretch.Name, MaxNameLength),
        v.AlreadyDone,
        Greeting(v),
        v.StreakDays,
        v.StreakDays == 1 ? "1 day" : $"{v.StreakDays} days",
        v.TotalStretches,
        Stretches(v.TotalStretches),
        v.WeekCount,
        Stretches(v.WeekCount),
        v.Rank,
        // The rank is among the people of this conversation (DoneStats), not the workspace.
        v.Rank > 0 ? $"#{v.Rank} in this channel this week" : "Not ranked yet",
        v.DoneCount,
        DoneText(v.DoneCount));

    /// <summary>
    /// Help as people type it in Slack: in a channel every command goes through /stretch; in our DM the words alone
    /// work too. Safety is one line and a button, so a first hello stays short.
    /// </summary>
    internal static SlackWelcomeCardData WelcomeData(WelcomeView v)
    {
        (string Command, string Description)[] commands =
        [
            ("/stretch", "A random stretch, walked through step by step"),
            ("/stretch desk", "One for your desk; or floor, gym, quick, or a body area such as back"),
            ("/stretch cat and cow", "A stretch by name"),
            ("/stretch stretches", "Browse every stretch"),
            ("/stretch stats", "Your totals and streak"),
            ("/stretch leaderboard", "Who stretched most here this week"),
            ("/stretch schedule weekdays 10:30 15:00", "Stretch breaks here at set times"),
            ("/stretch help", "This message"),
        ];
        var title = v.FirstContact ? "Hi, I'm StretchBot" : "What I can do";
        return new SlackWelcomeCardData(
            v.FirstContact,
            $"{title}. I help your team take short stretch breaks, one stretch at a time. Type /stretch to start.",
            title,
            "I help your team take short stretch breaks: one stretch at a time, step by step. Click *Done* when you've finished to build your streak.",
            v.ChosenName is { } name ? $"I'll call you {Md(name, MaxNameLength)} here. To change it, type `name` and your name, for example `name Ada`." : null,
            string.Join('\n', commands.Select(c => $"`{c.Command}`  {c.Description}")),
            "In a DM with StretchBot, type the words without /stretch: `stretch`, `stats`, or `remind me weekdays 11:00` for reminders of your own.",
            "⚠️ Go gently and stop if it hurts. *Safety* says when to see a doctor.",
            Md(v.Safety.Title, MaxNameLength),
            // The "when to see the doctor" advice in full on first contact, whatever the person asked; after that, one line and the button.
            v.FirstContact
                ? List(v.Safety.Paragraphs.Select(p => Md(p, BlockKitFit.MaxSectionText)), MaxListItems, n => $"…and {n} more paragraphs: see the full advice with `safety`.").ToList()
                : []);
    }

    internal static SlackCatalogCardData CatalogData(CatalogView v)
    {
        var filter = v.FilterText is { Length: > 0 } text ? text : null;
        var count = v.Stretches.Count;
        var things = count == 1 ? "1 stretch" : $"{count} stretches";
        var summary = (count, filter) switch
        {
            (0, null) => "No stretches yet.",
            (0, _) => $"No stretches match “{Md(filter, MaxNameLength)}”. Try desk, floor or gym, or see them all.",
            (_, null) => $"{things}. Pick one to start.",
            _ => $"{things} for “{Md(filter, MaxNameLength)}”. Pick one to start.",
        };
        var rows = v.Stretches.Take(MaxCatalogRows).Select((s, i) => new SlackCatalogItemData(
            $"row-{i + 1}",
            Md(s.Name, MaxNameLength),
            $"{Md(s.Targets, MaxShortText)} · {Md(CardRenderer.Where(s.Places), MaxShortText)} · {KeepTogether(CardRenderer.Duration(s.DurationSeconds))}",
            Value(new SlackButtonValue(StretchId: s.Id)))).ToList();
        return new SlackCatalogCardData(
            Plain(filter is null ? "Stretches" : $"Stretches: {filter}"),
            summary,
            filter is not null,
            count,
            rows,
            count > MaxCatalogRows ? $"…and {count - MaxCatalogRows} more. Try `stretches desk`, `stretches floor` or `stretches gym`." : null,
            Value(new SlackButtonValue(Filter: filter)));
    }

    internal static SlackStatsCardData StatsData(StatsView v)
    {
        var recent = v.Recent.Take(MaxListItems)
            .Select(r => $"• {Md(r.StretchName, MaxNameLength)}  _{When(r.LocalTime, v.Today)}_").ToList();
        return new SlackStatsCardData(
            NameOr(v.DisplayName, "you"),
            v.Total > 0,
            v.Total,
            Stretches(v.Total),
            v.WeekCount,
            Stretches(v.WeekCount),
            v.StreakDays,
            v.StreakDays switch { <= 0 => "0 days", 1 => "🔥 1 day", _ => $"🔥 {v.StreakDays} days" },
            MdOrNull(v.Favourite, MaxNameLength),
            recent.Count == 0 ? null : string.Join('\n', recent));
    }

    internal static SlackLeaderboardCardData LeaderboardData(LeaderboardView v, int rows)
    {
        var lines = v.Entries.Take(rows).Select(e =>
        {
            var rank = Medal(e.Rank) is { Length: > 0 } medal ? medal : $"{e.Rank}.";
            var name = NameOr(e.DisplayName, "Someone");
            return e.IsMe ? $"{rank} *{name} (you)* · {Stretches(e.Count)}" : $"{rank} {name} · {Stretches(e.Count)}";
        }).ToList();
        if (v.Entries.Count > rows)
        {
            lines.Add($"…and {v.Entries.Count - rows} more");
        }

        return new SlackLeaderboardCardData(
            "Leaderboard",
            $"This week ({v.WeekStart.ToString("ddd d MMM", CultureInfo.InvariantCulture)} – {v.WeekEnd.ToString("ddd d MMM", CultureInfo.InvariantCulture)})",
            v.Entries.Count == 0,
            string.Join('\n', lines),
            // Only for someone outside the rows shown: inside them, their row already says it.
            v.Me is { } me && !v.Entries.Take(rows).Any(e => e.IsMe) ? $"You: #{me.Rank} with {Stretches(me.Count)}" : null);
    }

    internal static SlackScheduleCardData ScheduleData(ScheduleView v)
    {
        var facts = new List<SlackFactData> { new("Time zone", $"{Md(v.Zone, MaxShortText)}. {Ours(v.ZoneSource)}") };
        if (v.Status is { } status)
        {
            facts.Add(new("Status", Ours(Clause(status))));
        }

        if (v.Holidays.Count > 0)
        {
            facts.Add(new("Holidays", Md(string.Join(", ", v.Holidays), MaxShortText)));
        }

        facts.Add(new("Stretches", Md(v.Kinds, MaxShortText)));
        if (v.Jitter is { } jitter)
        {
            facts.Add(new("Random delay", Md(jitter, MaxShortText)));
        }

        var empty = v.IsPersonal ? "No reminder yet." : "No schedule yet.";
        return new SlackScheduleCardData(
            // The notification says when, not just that something changed.
            v.When is { } words ? $"{Md(v.Heading, MaxShortText)}: {Md(LowerStart(words), MaxShortText)}" : $"{Md(v.Heading, MaxShortText)}. {empty}",
            Plain("⏰ " + v.Heading),
            Md(v.Heading, MaxShortText),
            v.HasSchedule,
            MdOrNull(v.When, MaxShortText),
            empty,
            NextText(v.Next),
            facts,
            v.Note is { } note ? SlackMrkdwn.Render(note) : null,
            v.Hint is { } hint ? SlackMrkdwn.Render(hint) : null);
    }

    internal static SlackSafetyCardData SafetyData(SafetyAdvice safety) => new(
        Plain(safety.Title),
        Md(safety.Title, MaxNameLength),
        List(safety.Paragraphs.Select(p => Md(p, BlockKitFit.MaxSectionText)), MaxListItems, n => $"…and {n} more paragraphs: see the full advice with `safety`.")
            .Select((p, i) => new SlackParagraphData($"text-{i + 1}", p)).ToList());

    internal static SlackMessageCardData MessageData(MessageView v) => new(
        Ours(v.Title),
        [new SlackParagraphData("text-1", SlackMrkdwn.Render(v.Text))],
        v.Hint is { } hint ? SlackMrkdwn.Render(hint) : null);

    internal static SlackHomeData HomeData(SlackHome home)
    {
        var schedules = home.Schedules.Take(MaxHomeSchedules).Select((s, i) =>
        {
            var v = s.Schedule;
            var details = new List<string> { v.When is { } when ? Md(when, MaxShortText) : "No schedule yet." };
            if (NextText(v.Next, 3) is { } next)
            {
                // The times hold commas themselves ("Thu 19 Nov, 10:30"), so a comma can't also part them.
                details.Add("Next: " + next.Replace("\n• ", " · ", StringComparison.Ordinal).TrimStart('•', ' '));
            }

            details.Add($"Time zone: {Md(v.Zone, MaxShortText)}");
            if (v.Status is { } status)
            {
                details.Add($"Status: {Ours(Clause(status))}");
            }

            return new SlackHomeScheduleData($"schedule-{i + 1}", "#" + NameOr(s.ChannelName, "a channel"), string.Join('\n', details));
        }).ToList();
        return new SlackHomeData(
            StatsData(home.Stats),
            LeaderboardData(home.Leaderboard, MaxHomeLeaderboardRows),
            schedules.Count > 0,
            schedules,
            home.Schedules.Count > MaxHomeSchedules ? $"…and {home.Schedules.Count - MaxHomeSchedules} more channels" : null);
    }

    /// <summary>
    /// A button's value as compact JSON (<c>{"p":"pr_1","s":"cat-cow","n":2}</c>). Ids are short by construction
    /// (prompt ids, catalog ids of at most 60 characters); a filter is a person's words, cut so the value stays far
    /// below Slack's 2000 characters even with every character escaped.
    /// </summary>
    internal static string Value(SlackButtonValue value)
    {
        var bounded = value with
        {
            PromptId = Cut(value.PromptId, 100),
            StretchId = Cut(value.StretchId, 100),
            Filter = Cut(value.Filter, 100),
        };
        return JsonSerializer.Serialize(bounded, SlackValueJsonContext.Default.SlackButtonValue);

        static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : BlockKitFit.Truncate(text, max, mrkdwn: false);
    }

    private SlackMessage Message<T>(string template, T data, JsonTypeInfo<T> typeInfo)
    {
        var message = Expand(template, data, typeInfo);
        var blocks = (JsonArray)message["blocks"]!;
        BlockKitFit.Blocks(blocks, MaxMessageBlocks);
        message.Remove("blocks");
        return new SlackMessage(BlockKitFit.Fallback((string?)message["text"]), blocks);
    }

    private AdaptiveCardTemplate Template(string name) => _templates.GetOrAdd(name, n =>
    {
        var path = Path.Combine(_folder, n + ".json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Slack template {path} is missing. Set Cards:SlackTemplatesPath to the folder holding cards/slack.");
        }

        try
        {
            return AdaptiveCardTemplate.Parse(File.ReadAllText(path));
        }
        catch (TemplateException exception)
        {
            throw new InvalidOperationException($"Slack template {path} is broken: {exception.Message}", exception);
        }
    });

    private static JsonObject Section(string blockId, string mrkdwn) => new()
    {
        ["type"] = "section",
        ["block_id"] = blockId,
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn, ["verbatim"] = true },
    };

    /// <summary>The steps in brief on the channel prompt: as many as fit, then how many more (Start walks through all).</summary>
    private static string StepsText(IReadOnlyList<string> steps)
    {
        const int budget = 2500;
        var text = new StringBuilder();
        for (var i = 0; i < steps.Count; i++)
        {
            var line = $"{i + 1}. {Md(steps[i], 400)}";
            if (text.Length + line.Length + 1 > budget)
            {
                text.Append($"…and {steps.Count - i} more {(steps.Count - i == 1 ? "step" : "steps")}: press *Start* to go through them.");
                break;
            }

            text.Append(line).Append('\n');
        }

        return text.Length == 0 ? "Take it slowly." : text.ToString().TrimEnd('\n');
    }

    private static string? NextText(IReadOnlyList<string> next, int max = MaxListItems) =>
        next.Count == 0 ? null : string.Join('\n', next.Take(max).Select(n => "• " + Md(n, MaxNameLength)));

    /// <summary>How many and Breathing, a full-width line each: in half-width fields a long breathing text squeezes into a column.</summary>
    private static string? Rhythm(Stretch s)
    {
        var lines = new List<string>();
        if (MdOrNull(s.Dose, MaxShortText) is { } dose)
        {
            lines.Add($"*How many:* {dose}");
        }

        if (MdOrNull(s.Breathing, MaxShortText) is { } breathing)
        {
            lines.Add($"*Breathing:* {breathing}");
        }

        return lines.Count == 0 ? null : string.Join('\n', lines);
    }

    /// <summary>The cautions as normal text, a line each: safety is not small print.</summary>
    private static string? Cautions(Stretch s) => s.Cautions.Count == 0
        ? null
        : string.Join('\n', List(s.Cautions.Select(c => "⚠️ " + Md(c, MaxShortText)), MaxListItems, n => $"…and {n} more cautions"));

    private static string Stretches(int count) => count == 1 ? "1 stretch" : $"{count} stretches";

    /// <summary>"about 40 s" with no-break spaces, so a line never ends between a number and its unit.</summary>
    private static string KeepTogether(string text) => text.Replace(' ', '\u00A0');

    /// <summary>A one-sentence status ("Running.") reads as a value in a fact; longer ones keep their full stops.</summary>
    private static string Clause(string text) =>
        text.EndsWith('.') && !text[..^1].Contains(". ", StringComparison.Ordinal) ? text[..^1] : text;

    /// <summary>"Weekdays (Mon–Fri) at 10:30" reads as "Schedule set: weekdays…"; a day's name keeps its capital.</summary>
    private static string LowerStart(string words) =>
        words.StartsWith("Every ", StringComparison.Ordinal) || words.StartsWith("Week", StringComparison.Ordinal)
            ? char.ToLowerInvariant(words[0]) + words[1..]
            : words;

    private static IReadOnlyList<string> List(IEnumerable<string> items, int max, Func<int, string> more)
    {
        var all = items.ToList();
        return all.Count <= max ? all : [.. all.Take(max - 1), more(all.Count - (max - 1))];
    }

    /// <summary>The intro under the name: the scheduled heading already says how long, so its intro doesn't.</summary>
    private static string Intro(Stretch s, bool scheduled)
    {
        var area = s.BodyAreas.FirstOrDefault() is { } first ? Md(first.Replace('-', ' '), MaxNameLength) : null;
        var length = StretchLength.Words(s.DurationSeconds);
        return (scheduled, area) switch
        {
            (true, null) => "Take it slowly.",
            (true, _) => $"Good for your {area}. Take it slowly.",
            (false, null) => $"A {length} break. Take it slowly.",
            _ => $"A {length} break for your {area}. Take it slowly.",
        };
    }

    private static string Greeting(DoneView v)
    {
        var name = string.IsNullOrWhiteSpace(v.CallName) ? null : Md(v.CallName, MaxNameLength);
        return (v.AlreadyDone, name) switch
        {
            (true, null) => "You already logged this one, so it only counts once. Thanks for stretching again!",
            (true, _) => $"You already logged this one, {name}, so it only counts once. Thanks for stretching again!",
            (false, null) => "Nice work!",
            _ => $"Nice work, {name}!",
        };
    }

    private static string DoneText(int count) => count switch
    {
        <= 0 => "Be the first to do this stretch",
        1 => "1 person did this stretch",
        _ => $"{count} people did this stretch",
    };

    private static string When(DateTimeOffset local, DateOnly today)
    {
        var day = DateOnly.FromDateTime(local.DateTime);
        var prefix = day == today ? "Today" : day == today.AddDays(-1) ? "Yesterday" : local.ToString("ddd d MMM", CultureInfo.InvariantCulture);
        return $"{prefix} {local.ToString("HH:mm", CultureInfo.InvariantCulture)}";
    }

    private static string Medal(int rank) => rank switch { 1 => "🥇", 2 => "🥈", 3 => "🥉", _ => string.Empty };

    /// <summary>Our own words (a title, a status): **bold** becomes Slack's *bold*, `command` stays code, &amp; &lt; &gt; escaped.</summary>
    private static string Ours(string text) => SlackMrkdwn.Render(EscapeEntities(text));

    private static string EscapeEntities(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string NameOr(string? name, string otherwise) => Md(name, MaxNameLength) is { Length: > 0 } escaped ? escaped : otherwise;

    /// <summary>A person's or the catalog's words for mrkdwn: escaped, then cut (never inside an escape) to <paramref name="max"/>.</summary>
    private static string Md(string? text, int max)
    {
        // Escaping only lengthens text: cut it first, so a long custom text costs no more than a short one.
        var escaped = SlackMrkdwn.Escape(text is { Length: > 0 } && text.Length > max ? BlockKitFit.Truncate(text, max, mrkdwn: false) : text);
        // Slack reads "&gt;" at the start of a line as a quote, and templates put these words at the start of lines.
        escaped = escaped.StartsWith("&gt;", StringComparison.Ordinal) ? "\u203A" + escaped[4..] : escaped;
        return BlockKitFit.Truncate(escaped, max, mrkdwn: true);
    }

    private static string? MdOrNull(string? text, int max) => string.IsNullOrWhiteSpace(text) ? null : Md(text, max);

    /// <summary>plain_text: shown literally by Slack, so not entity-escaped; one line, and short enough for a header.</summary>
    private static string Plain(string text) => BlockKitFit.Truncate(Said.OneLine(text), BlockKitFit.MaxHeaderText, mrkdwn: false);

    [GeneratedRegex("^[UW][A-Z0-9]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlackUserId();
}

/// <summary>
/// Block Kit's limits, applied to expanded blocks whatever the data: Slack refuses the whole message when one text is
/// a character too long, so text is cut with "…" (never inside an escape such as &amp;amp; or a &lt;…&gt; link, nor
/// inside a character), lists are cut to their limits, and blocks past the limit give way to a "…and N more" line.
/// </summary>
internal static class BlockKitFit
{
    public const int MaxSectionText = 3000;
    public const int MaxFieldText = 2000;
    public const int MaxFields = 10;
    public const int MaxHeaderText = 150;
    public const int MaxButtonText = 75;
    public const int MaxContextElements = 10;
    public const int MaxActionsElements = 25;
    public const int MaxId = 255;
    public const int MaxButtonValue = 2000;

    /// <summary>Well under Slack's 40,000: the fallback is for a notification and a screen reader.</summary>
    public const int MaxFallbackText = 3000;

    public static string Fallback(string? text)
    {
        var line = string.IsNullOrWhiteSpace(text) ? "StretchBot" : Said.OneLine(text);
        return Truncate(line, MaxFallbackText, mrkdwn: true);
    }

    public static void Blocks(JsonArray blocks, int maxBlocks)
    {
        if (blocks.Count > maxBlocks)
        {
            // Keep the buttons and the last line at the end; the rows in between give way.
            var tail = 0;
            while (tail < 2 && tail < blocks.Count && (string?)blocks[blocks.Count - 1 - tail]?["type"] is "actions" or "context")
            {
                tail++;
            }

            var keep = maxBlocks - 1 - tail;
            var dropped = blocks.Count - tail - keep;
            for (var i = 0; i < dropped; i++)
            {
                blocks.RemoveAt(keep);
            }

            blocks.Insert(keep, new JsonObject
            {
                ["type"] = "context",
                ["block_id"] = "more-blocks",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"…and {dropped} more", ["verbatim"] = true }),
            });
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in blocks.OfType<JsonObject>())
        {
            Id(block, "block_id", ids);
            switch ((string?)block["type"])
            {
                case "header":
                    Text(block["text"] as JsonObject, MaxHeaderText);
                    break;
                case "section":
                    Text(block["text"] as JsonObject, MaxSectionText);
                    if (block["fields"] is JsonArray fields)
                    {
                        Cut(fields, MaxFields);
                        foreach (var field in fields.OfType<JsonObject>())
                        {
                            Text(field, MaxFieldText);
                        }
                    }

                    if (block["accessory"] is JsonObject accessory)
                    {
                        Element(accessory, new HashSet<string>(StringComparer.Ordinal));
                    }

                    break;
                case "context":
                    if (block["elements"] is JsonArray elements)
                    {
                        Cut(elements, MaxContextElements);
                        foreach (var element in elements.OfType<JsonObject>())
                        {
                            Text(element, MaxSectionText);
                        }
                    }

                    break;
                case "actions":
                    if (block["elements"] is JsonArray buttons)
                    {
                        Cut(buttons, MaxActionsElements);
                        var actionIds = new HashSet<string>(StringComparer.Ordinal);
                        foreach (var button in buttons.OfType<JsonObject>())
                        {
                            Element(button, actionIds);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Cuts to at most <paramref name="max"/> UTF-16 units (at least as many as Slack counts) ending in "…", at a
    /// character boundary; in mrkdwn, never inside an entity (&amp;amp;) or a &lt;…&gt; mention of ours.
    /// </summary>
    public static string Truncate(string text, int max, bool mrkdwn)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var budget = max - 1;
        var cut = 0;
        foreach (var start in StringInfo.ParseCombiningCharacters(text))
        {
            if (start > budget)
            {
                break;
            }

            cut = start;
        }

        // cut is the start of the last text element that begins within the budget; it only fits if it ends there too.
        var next = StringInfo.GetNextTextElementLength(text, cut);
        if (cut + next <= budget)
        {
            cut += next;
        }

        if (mrkdwn)
        {
            var amp = text.LastIndexOf('&', Math.Max(0, cut - 1), Math.Min(cut, 10));
            if (cut > 0 && amp >= 0 && text.IndexOf(';', amp, cut - amp) < 0)
            {
                cut = amp;
            }

            var open = cut > 0 ? text.LastIndexOf('<', cut - 1) : -1;
            if (open >= 0 && text.IndexOf('>', open, cut - open) < 0)
            {
                cut = open;
            }
        }

        return text[..cut].TrimEnd() + "…";
    }

    private static void Text(JsonObject? text, int max)
    {
        if (text is null || text["text"] is not JsonValue value || !value.TryGetValue<string>(out var s))
        {
            return;
        }

        var plain = (string?)text["type"] == "plain_text";
        var fitted = plain ? Said.OneLine(s) : s;
        if (string.IsNullOrWhiteSpace(fitted))
        {
            // Slack refuses empty text.
            fitted = "–";
        }

        text["text"] = Truncate(fitted, max, mrkdwn: !plain);
    }

    private static void Element(JsonObject element, HashSet<string> actionIds)
    {
        Text(element["text"] as JsonObject, MaxButtonText);
        Id(element, "action_id", actionIds);
        if ((string?)element["value"] is { Length: > MaxButtonValue })
        {
            // Values are built short (SlackRenderer.Value); a cut JSON value would not parse, so fall back to none.
            element["value"] = "{}";
        }
    }

    private static void Id(JsonObject owner, string name, HashSet<string> seen)
    {
        if ((string?)owner[name] is not { } id)
        {
            return;
        }

        var fitted = id.Length > MaxId ? id[..MaxId] : id;
        for (var n = 2; !seen.Add(fitted); n++)
        {
            var suffix = "-" + n.ToString(CultureInfo.InvariantCulture);
            fitted = (id.Length + suffix.Length > MaxId ? id[..(MaxId - suffix.Length)] : id) + suffix;
        }

        owner[name] = fitted;
    }

    private static void Cut(JsonArray items, int max)
    {
        while (items.Count > max)
        {
            items.RemoveAt(items.Count - 1);
        }
    }
}
