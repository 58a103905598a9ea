using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StretchBot.Catalog;
using StretchBot.Scheduling;
using StretchBot.Nudges;
using StretchBot.Stats;
using StretchBot.Stretching;

namespace StretchBot.Conversation;

/// <summary>
/// The conversation core: the same for every channel. A turn comes in (who, where, what they typed or clicked),
/// views come out. It never sees a channel's JSON, and adapters never decide what to say.
/// </summary>
public sealed partial class TurnHandler(
    StretchCatalog catalog,
    PeopleStore people,
    PromptStore prompts,
    CompletionStore completions,
    WalkthroughStore walkthroughs,
    ScheduleConversation schedules,
    NudgeService nudges,
    TimeProvider time,
    Random random,
    IOptions<StretchBotOptions> options,
    ILogger<TurnHandler> logger)
{
    private readonly StretchBotOptions _options = options.Value;
    private readonly TimeZoneInfo _defaultZone = TimeZones.Resolve(options.Value.DefaultTimeZone, TimeZoneInfo.Utc);

    public async Task<TurnResult> HandleAsync(Turn turn, CancellationToken cancellationToken)
    {
        var person = await people.TouchAsync(turn.Where.TenantId, turn.Who, cancellationToken);
        var context = new TurnContext(turn, person, TimeZones.Resolve(person.TimeZone, _defaultZone));
        var views = new List<View>();

        // First contact: the safety advice comes before anything else, whatever the person asked.
        if (person.IsNew)
        {
            views.Add(Welcome(context, firstContact: true));
        }

        var answer = turn.Action is { } action
            ? await OnActionAsync(context, action, cancellationToken)
            : await OnTextAsync(context, Commands.Parse(turn.Text), cancellationToken);

        // A newcomer who said "hi" already got the welcome; don't show it twice.
        views.AddRange(answer.Where(v => !(person.IsNew && v is WelcomeView)));
        return new TurnResult(views);
    }

    private Task<IReadOnlyList<View>> OnTextAsync(TurnContext context, Command command, CancellationToken cancellationToken) => command.Kind switch
    {
        CommandKind.Help => One(Welcome(context, firstContact: false)),
        CommandKind.Safety => One(new SafetyView(catalog.Safety)),
        CommandKind.Stretch => StretchAsync(context, command.Argument, cancellationToken, command.Typed),
        CommandKind.Stretches => One(ListStretches(command.Argument)),
        CommandKind.Stats => StatsAsync(context, cancellationToken),
        CommandKind.Leaderboard => LeaderboardAsync(context, cancellationToken),
        CommandKind.Name => NameAsync(context, command.Typed, cancellationToken),
        _ when ScheduleCommands.IsScheduling(command.Kind) => schedules.HandleAsync(context.Turn, context.Person, command, cancellationToken),
        _ => One(Unknown(command)),
    };

    private Task<IReadOnlyList<View>> OnActionAsync(TurnContext context, CardAction action, CancellationToken cancellationToken) => action.Name switch
    {
        "done" => DoneAsync(context, action, cancellationToken),
        "refresh" => RefreshAsync(context, action, cancellationToken),
        // A person's own walk through a shared card's steps, the step kept on the server (see WalkAsync).
        "start" => WalkAsync(context, action, Walk.Start, cancellationToken),
        "next" => WalkAsync(context, action, Walk.Next, cancellationToken),
        "back" => WalkAsync(context, action, Walk.Back, cancellationToken),
        "later" => LaterAsync(context, action, cancellationToken),
        "stretch" when action.StretchId is { } id => StretchByIdAsync(context, id, cancellationToken),
        "stretch" => StretchAsync(context, action.Filter ?? string.Empty, cancellationToken),
        "stretches" => One(ListStretches(action.Filter ?? string.Empty)),
        "stats" => StatsAsync(context, cancellationToken),
        "leaderboard" => LeaderboardAsync(context, cancellationToken),
        "safety" => One(new SafetyView(catalog.Safety)),
        "help" => One(Welcome(context, firstContact: false)),
        // A client says hello when a person opens it (the playground): a newcomer already gets the welcome card.
        "hello" => One(context.Person.IsNew ? [] : [Hello(context)]),
        _ => One(new MessageView("I can't use that button", "It may be from an older version of one of my cards.", "Type `help` to see what I can do.")),
    };

    /// <param name="typed">The argument as the person typed it, to echo; the normalised argument where none.</param>
    private async Task<IReadOnlyList<View>> StretchAsync(TurnContext context, string argument, CancellationToken cancellationToken, string? typed = null)
    {
        if (argument.Length == 0)
        {
            return await OfferAsync(context, catalog.All, cancellationToken);
        }

        if (catalog.TryParseFilter(argument, out var filter, out _))
        {
            var matching = catalog.Filter(filter);
            if (matching.Count == 0)
            {
                return [new MessageView("No stretch fits that", $"I have no {filter.Describe()} stretch.", "Try `stretch desk`, `stretch floor`, `stretch back`, or `stretches` to see them all.")];
            }

            return await OfferAsync(context, matching, cancellationToken);
        }

        var match = catalog.Match(argument);
        if (match.Best is { } stretch)
        {
            return await OfferAsync(context, [stretch], cancellationToken);
        }

        Said hint = match.Suggestions.Count switch
        {
            0 => "Try `stretch desk`, `stretch floor`, `stretch quick`, a body area such as `stretch back`, or `stretches` to see them all.",
            1 => $"Did you mean {Said.Command($"stretch {match.Suggestions[0].Name.ToLowerInvariant()}")}? Type `stretches` to see them all.",
            _ => $"Did you mean {Said.Command($"stretch {match.Suggestions[0].Name.ToLowerInvariant()}")} or {Said.Command($"stretch {match.Suggestions[1].Name.ToLowerInvariant()}")}? Type `stretches` to see them all.",
        };
        return [new MessageView("I don't know that stretch", $"I couldn't find a stretch called \"{(string.IsNullOrWhiteSpace(typed) ? argument : typed)}\".", hint)];
    }

    private async Task<IReadOnlyList<View>> StretchByIdAsync(TurnContext context, string stretchId, CancellationToken cancellationToken)
    {
        var stretch = catalog.Find(stretchId);
        return stretch is null
            ? [new MessageView("That stretch is gone", "It's no longer in the catalog.", "Type `stretches` to see the ones I have.")]
            : await OfferAsync(context, [stretch], cancellationToken);
    }

    private async Task<IReadOnlyList<View>> OfferAsync(TurnContext context, IReadOnlyList<Stretch> candidates, CancellationToken cancellationToken)
    {
        var stretch = candidates.Count == 1 ? candidates[0] : await PickAsync(context, candidates, cancellationToken);
        var prompt = await prompts.CreateAsync(context.Turn.Where, stretch.Id, PromptKind.OnDemand, context.Turn.Who.UserId, cancellationToken);
        return [new StretchView(prompt.Id, stretch, Scheduled: false, DoneCount: 0, catalog.Safety)];
    }

    /// <summary>A random pick that avoids the person's last few stretches where the candidates leave a choice.</summary>
    private async Task<Stretch> PickAsync(TurnContext context, IReadOnlyList<Stretch> candidates, CancellationToken cancellationToken)
    {
        var recent = _options.AvoidRecent == 0
            ? []
            : await prompts.RecentStretchesAsync(context.Turn.Where.TenantId, context.Turn.Who.UserId, _options.AvoidRecent, cancellationToken);
        var fresh = candidates.Where(s => !recent.Contains(s.Id)).ToList();
        if (fresh.Count > 0)
        {
            return fresh[random.Next(fresh.Count)];
        }

        // Every candidate was offered lately: take the one offered longest ago.
        return candidates.OrderByDescending(s => recent.ToList().IndexOf(s.Id)).First();
    }

    private CatalogView ListStretches(string argument)
    {
        if (argument.Length > 0 && catalog.TryParseFilter(argument, out var filter, out _))
        {
            return new CatalogView(catalog.Filter(filter), filter.Describe());
        }

        return new CatalogView(catalog.All, null);
    }

    private async Task<IReadOnlyList<View>> DoneAsync(TurnContext context, CardAction action, CancellationToken cancellationToken)
    {
        var where = context.Turn.Where;
        var prompt = action.PromptId is { } promptId ? await prompts.FindAsync(promptId, cancellationToken) : null;
        if (prompt is null
            || prompt.TenantId != where.TenantId
            || prompt.ChannelId != where.ChannelId
            || prompt.ConversationId != where.ConversationId
            || (action.StretchId is not null && action.StretchId != prompt.StretchId))
        {
            // Unknown, expired, or taken from another conversation or tenant: count nothing, say so kindly.
            LogRejectedDone(logger, where.ChannelId, action.PromptId is null ? "missing" : "unknown or mismatched");
            return [new MessageView("I couldn't count that one", "That Done button doesn't belong to a stretch card I sent here.", "Type `stretch` for a fresh card.")];
        }

        var stretch = catalog.Find(prompt.StretchId) ?? Placeholder(prompt.StretchId);
        var now = time.GetUtcNow();
        var today = context.LocalDate(now);
        // The name as the leaderboard shows it: the channel's, or the one the person chose where the channel has none.
        var who = context.Turn.Who with { DisplayName = context.Person.DisplayName };
        var isNew = await completions.RecordAsync(new StretchCompleted(prompt, where, who, now, today), cancellationToken);
        return [await DoneViewAsync(context, prompt, stretch, alreadyDone: !isNew, cancellationToken)];
    }

    private enum Walk { Start, Next, Back }

    /// <summary>
    /// Start shows the person's own walkthrough at the step they last reached (step 1 the first time), so pressing it
    /// on a shared card that was re-sent meanwhile never loses their place. Next and Back carry the step their card
    /// showed: a double click lands on the same step, not two further. Only a step of this stretch is ever stored.
    /// </summary>
    private async Task<IReadOnlyList<View>> WalkAsync(TurnContext context, CardAction action, Walk walk, CancellationToken cancellationToken)
    {
        var prompt = await PromptHereAsync(context, action, cancellationToken);
        if (prompt is null)
        {
            LogRejectedAction(logger, action.Name, context.Turn.Where.ChannelId, action.PromptId is null ? "missing prompt id" : "unknown or mismatched prompt id");
            return [new MessageView("I couldn't open that stretch", "That button doesn't belong to a stretch card I sent here.", "Type `stretch` for a fresh card.")];
        }

        if (catalog.Find(prompt.StretchId) is not { Steps.Count: > 0 } stretch)
        {
            return [new MessageView("That stretch is gone", "It's no longer in the catalog.", "Type `stretches` to see the ones I have.")];
        }

        var userId = context.Turn.Who.UserId;
        var count = stretch.Steps.Count;
        int step;
        if (walk == Walk.Start)
        {
            step = Math.Clamp(await walkthroughs.StepAsync(prompt.Id, userId, cancellationToken) ?? 1, 1, count);
        }
        else if (action.Step is { } shown && shown >= 1 && shown <= count)
        {
            step = Math.Clamp(walk == Walk.Next ? shown + 1 : shown - 1, 1, count);
        }
        else
        {
            LogRejectedAction(logger, action.Name, context.Turn.Where.ChannelId, action.Step is null ? "missing step" : "step out of range");
            return [new MessageView("I couldn't find that step", "That button doesn't match the steps of this stretch.", "Press Start on the stretch card to pick up where you were.")];
        }

        await walkthroughs.SaveAsync(prompt.Id, userId, step, cancellationToken);
        var done = await completions.HasCompletedAsync(prompt.Id, userId, cancellationToken);
        return [new WalkthroughView(prompt.Id, stretch, step, done, catalog.Safety)];
    }

    /// <summary>The prompt a button names, if it was posted in this very conversation (and tenant) for this stretch.</summary>
    private async Task<Prompt?> PromptHereAsync(TurnContext context, CardAction action, CancellationToken cancellationToken)
    {
        var where = context.Turn.Where;
        var prompt = action.PromptId is { } promptId ? await prompts.FindAsync(promptId, cancellationToken) : null;
        return prompt is null
            || prompt.TenantId != where.TenantId
            || prompt.ChannelId != where.ChannelId
            || prompt.ConversationId != where.ConversationId
            || (action.StretchId is not null && action.StretchId != prompt.StretchId)
            ? null
            : prompt;
    }

    /// <summary>"Later" on a stretch card: the same stretch comes back to this person alone in a while.</summary>
    private async Task<IReadOnlyList<View>> LaterAsync(TurnContext context, CardAction action, CancellationToken cancellationToken)
    {
        if (await PromptHereAsync(context, action, cancellationToken) is not { } prompt)
        {
            return [new MessageView("I couldn't save that one for later", "That button doesn't belong to a stretch card I sent here.", "Type `stretch` whenever you're ready.")];
        }

        var due = await nudges.LaterAsync(prompt, context.Turn.Who, context.Person.DisplayName, cancellationToken);
        var local = TimeZoneInfo.ConvertTime(due, context.Zone);
        return [new MessageView("Later it is", $"OK, I'll bring this stretch back at {local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)}.", "Or type `stretch` whenever you're ready.")];
    }

    private async Task<DoneView> DoneViewAsync(TurnContext context, Prompt prompt, Stretch stretch, bool alreadyDone, CancellationToken cancellationToken)
    {
        var today = context.LocalDate(time.GetUtcNow());
        var weekStart = TimeZones.WeekStart(today);
        var stats = await completions.DoneStatsAsync(context.Turn.Where, context.Turn.Who.UserId, prompt.Id, weekStart, cancellationToken);
        return new DoneView(prompt.Id, stretch, context.Person.DisplayName, CallName(context), alreadyDone,
            StreakDays: Streaks.Current(stats.Days, today), stats.Total, stats.WeekCount, stats.Rank, stats.PromptCount);
    }

    /// <summary>
    /// A channel asks what one person should see on a shared card (Teams: automatic refresh): their own Done card
    /// once they did it, their current step while they are part-way through, the shared card otherwise. Nothing is recorded.
    /// </summary>
    private async Task<IReadOnlyList<View>> RefreshAsync(TurnContext context, CardAction action, CancellationToken cancellationToken)
    {
        var where = context.Turn.Where;
        var prompt = action.PromptId is { } promptId ? await prompts.FindAsync(promptId, cancellationToken) : null;
        if (prompt is null || prompt.TenantId != where.TenantId || prompt.ChannelId != where.ChannelId || prompt.ConversationId != where.ConversationId)
        {
            return [new MessageView("I couldn't refresh that card", "It doesn't belong to a stretch card I sent here.", "Type `stretch` for a fresh card.")];
        }

        if (!await completions.HasCompletedAsync(prompt.Id, context.Turn.Who.UserId, cancellationToken))
        {
            // Part-way through the steps: their step, from the server, so a re-sent shared card doesn't reset them.
            if (await walkthroughs.StepAsync(prompt.Id, context.Turn.Who.UserId, cancellationToken) is { } step
                && catalog.Find(prompt.StretchId) is { Steps.Count: > 0 } walked)
            {
                return [new WalkthroughView(prompt.Id, walked, Math.Clamp(step, 1, walked.Steps.Count), AlreadyDone: false, catalog.Safety)];
            }

            return [await SharedCardAsync(prompt, cancellationToken)];
        }

        var stretch = catalog.Find(prompt.StretchId) ?? Placeholder(prompt.StretchId);
        return [await DoneViewAsync(context, prompt, stretch, alreadyDone: false, cancellationToken)];
    }

    /// <summary>The stretch card of a prompt as everyone in the conversation sees it, with its current tally.</summary>
    public async Task<StretchView?> PromptCardAsync(string promptId, CancellationToken cancellationToken)
    {
        var prompt = await prompts.FindAsync(promptId, cancellationToken);
        return prompt is null ? null : await SharedCardAsync(prompt, cancellationToken);
    }

    /// <summary>
    /// What to say where the bot was just installed: who it is, what it does, and the safety advice; where a schedule
    /// stopped because the bot was removed, an offer to restore it.
    /// </summary>
    public async Task<TurnResult> InstalledAsync(Where where, CancellationToken cancellationToken) =>
        new([new WelcomeView(FirstContact: true, catalog.Safety), .. await schedules.RestoreOfferAsync(where, cancellationToken)]);

    private async Task<StretchView> SharedCardAsync(Prompt prompt, CancellationToken cancellationToken)
    {
        var stretch = catalog.Find(prompt.StretchId) ?? Placeholder(prompt.StretchId);
        var count = await completions.CountForPromptAsync(prompt.Id, cancellationToken);
        return new StretchView(prompt.Id, stretch, prompt.Kind == PromptKind.Scheduled, count, catalog.Safety);
    }


    /// <summary>
    /// What a person's home page shows (Slack's App Home): their stats, the whole workspace's leaderboard of the week, and
    /// the schedules of the conversations given (those they are in), each under its name. Nothing is recorded.
    /// </summary>
    public async Task<HomeView> HomeAsync(string channelId, string tenantId, Who who, IReadOnlyList<Where> conversations, CancellationToken cancellationToken)
    {
        // Looked up, not recorded: opening a home page is not first contact, so the person's first turn still starts
        // with the welcome and the safety advice.
        var person = await people.FindAsync(tenantId, who.UserId, cancellationToken)
            ?? new Person(tenantId, who.UserId, who.DisplayName ?? PeopleStore.DefaultName(who.UserId), who.TimeZone, IsNew: true);
        var context = new TurnContext(new Turn(new Where(channelId, tenantId, string.Empty), who), person, TimeZones.Resolve(who.TimeZone ?? person.TimeZone, _defaultZone));
        var stats = (StatsView)(await StatsAsync(context, cancellationToken))[0];
        var today = context.LocalDate(time.GetUtcNow());
        var weekStart = TimeZones.WeekStart(today);
        var ranked = RankAll(await completions.TenantLeaderboardAsync(tenantId, channelId, weekStart, 500, cancellationToken), who.UserId);
        var board = new LeaderboardView(weekStart, weekStart.AddDays(6), ranked.Take(_options.LeaderboardSize).ToList(), ranked.FirstOrDefault(e => e.IsMe));
        var shown = new List<(Where, ScheduleView)>();
        foreach (var where in conversations)
        {
            if (await schedules.ScheduleOfAsync(where, person, where.ConversationName ?? where.ConversationId, cancellationToken) is { HasSchedule: true } schedule)
            {
                shown.Add((where, schedule));
            }
        }

        return new HomeView(stats, board, shown);
    }

    private async Task<IReadOnlyList<View>> StatsAsync(TurnContext context, CancellationToken cancellationToken)
    {
        var today = context.LocalDate(time.GetUtcNow());
        var totals = await completions.TotalsAsync(context.Turn.Where.TenantId, context.Turn.Who.UserId, TimeZones.WeekStart(today), cancellationToken);
        var recent = totals.Recent
            .Select(r => new RecentCompletion(catalog.Find(r.StretchId)?.Name ?? r.StretchId, TimeZoneInfo.ConvertTime(r.At, context.Zone)))
            .ToList();
        var favourite = totals.FavouriteStretchId is { } id ? catalog.Find(id)?.Name ?? id : null;
        return [new StatsView(context.Person.DisplayName, totals.Total, totals.WeekCount, Streaks.Current(totals.Days, today), favourite, recent, today)];
    }

    private async Task<IReadOnlyList<View>> LeaderboardAsync(TurnContext context, CancellationToken cancellationToken)
    {
        var today = context.LocalDate(time.GetUtcNow());
        var weekStart = TimeZones.WeekStart(today);
        var rows = await completions.LeaderboardAsync(context.Turn.Where, weekStart, 500, cancellationToken);
        var ranked = RankAll(rows, context.Turn.Who.UserId);
        var me = ranked.FirstOrDefault(e => e.IsMe);
        return [new LeaderboardView(weekStart, weekStart.AddDays(6), ranked.Take(_options.LeaderboardSize).ToList(), me)];
    }

    private static List<LeaderboardEntry> RankAll(IReadOnlyList<LeaderboardRow> rows, string me)
    {
        var entries = new List<LeaderboardEntry>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            // Standard competition ranking: equal counts share a rank (1, 2, 2, 4).
            var rank = i > 0 && rows[i].Count == rows[i - 1].Count ? entries[i - 1].Rank : i + 1;
            entries.Add(new LeaderboardEntry(rank, rows[i].UserId, rows[i].DisplayName, rows[i].Count, rows[i].UserId == me));
        }

        return entries;
    }

    private static MessageView Unknown(Command command) => command.Suggestion is { } suggestion
        ? new MessageView("Sorry, I didn't get that", $"I don't understand \"{command.Typed}\".", $"Did you mean {Said.Command(suggestion)}? Type `help` to see everything I can do.")
        : new MessageView("Sorry, I didn't get that", $"I don't understand \"{command.Typed}\".", "Try `stretch`, `stretch desk`, `stretches`, `stats` or `leaderboard`. Type `help` to see everything I can do.");

    /// <summary>The welcome or help card; where the channel gives no name, it says what we call the person and how to change it.</summary>
    private WelcomeView Welcome(TurnContext context, bool firstContact) =>
        new(firstContact, catalog.Safety, context.Turn.Who.DisplayName is null ? context.Person.DisplayName : null);

    private static MessageView Hello(TurnContext context) =>
        new("Welcome back", $"Good to see you, {CallName(context)}. Type `stretch` when you're ready for a break.", "Type `help` to see everything I can do.");

    /// <summary>
    /// How to greet someone: the first word of a name their channel gives (a full name, "Ada Lovelace"), or all of the
    /// name they chose or were given here (it's what they asked to be called).
    /// </summary>
    private static string CallName(TurnContext context) => context.Turn.Who.DisplayName is null
        ? context.Person.DisplayName
        : context.Person.DisplayName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? context.Person.DisplayName;

    /// <summary>"name Ada": where the channel gives no name, the person chooses theirs; where it does, that one stays.</summary>
    private async Task<IReadOnlyList<View>> NameAsync(TurnContext context, string argument, CancellationToken cancellationToken)
    {
        var current = context.Person.DisplayName;
        if (context.Turn.Who.DisplayName is not null)
        {
            return [new MessageView("Your name comes from your chat app", $"Here I call you {current}, the name your account gives me.", "To change it, change it in your profile there.")];
        }

        if (argument.Length == 0)
        {
            return [new MessageView("What should I call you?", $"I call you {current} for now.", "Type `name` and then your name, for example `name Ada`.")];
        }

        if (PeopleStore.CleanChosenName(argument, out var problem) is not { } name)
        {
            Said text = problem == "long"
                ? $"A name can be up to {PeopleStore.MaxChosenName} characters."
                : "A name needs at least one letter or digit.";
            return [new MessageView("I couldn't use that name", text, "Type `name` and then your name, for example `name Ada`.")];
        }

        var renamed = await people.RenameAsync(context.Person, name, cancellationToken);
        return [new MessageView("Nice to meet you", $"I'll call you {renamed.DisplayName} from now on, on the leaderboard too.", "Type `stretch` when you're ready for a break.")];
    }

    private static Stretch Placeholder(string id) =>
        new(id, id, [], string.Empty, [], [], [], [], null, null, [], 60, [], null);

    private static Task<IReadOnlyList<View>> One(View view) => Task.FromResult<IReadOnlyList<View>>([view]);

    private static Task<IReadOnlyList<View>> One(IReadOnlyList<View> views) => Task.FromResult(views);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a {Action} on {ChannelId}: {Reason}")]
    private static partial void LogRejectedAction(ILogger logger, string action, string channelId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Done on {ChannelId}: prompt id {Reason}")]
    private static partial void LogRejectedDone(ILogger logger, string channelId, string reason);

    private sealed record TurnContext(Turn Turn, Person Person, TimeZoneInfo Zone)
    {
        public DateOnly LocalDate(DateTimeOffset utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, Zone).DateTime);
    }
}
