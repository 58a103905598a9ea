using System.Globalization;
using Microsoft.Extensions.Options;
using StretchBot.Conversation;
using StretchBot.Installs;

namespace StretchBot.Scheduling;

/// <summary>
/// The scheduling commands in a conversation: <c>schedule</c>, <c>timezone</c>, <c>pause</c>, <c>resume</c>,
/// <c>holidays</c>, <c>nudge stretches</c>, <c>jitter</c> and, in a 1:1 chat, <c>remind me</c>. Reads the request
/// (<see cref="ScheduleCommands"/>), checks who may change it, and answers with what the schedule now is.
/// </summary>
public sealed class ScheduleConversation(
    ScheduleService schedules,
    ScheduleStore store,
    InstallStore installs,
    TimeProvider time,
    IOptions<SchedulingOptions> options,
    IOptions<StretchBotOptions> botOptions)
{
    /// <summary>How many upcoming nudges a reply shows.</summary>
    public const int NextCount = 3;

    /// <summary>How many upcoming holidays a reply lists before "+N more" (a card listing them all outgrows Teams' 28 KB).</summary>
    public const int HolidaysShown = 10;

    /// <summary>Holidays kept ahead of today: a year of days, and no further than two years ahead.</summary>
    public const int MaxHolidays = ScheduleCommands.MaxHolidays;

    private const int HolidayYearsAhead = 2;

    private const string Conversation = "";

    private SchedulingOptions Options => options.Value;

    public async Task<IReadOnlyList<View>> HandleAsync(Turn turn, Person person, Command command, CancellationToken cancellationToken)
    {
        var where = turn.Where;
        var own = await store.FindAsync(where.TenantId, where.ChannelId, where.ConversationId, Conversation, cancellationToken);
        var today = Today(own is null ? PersonZone(person) : schedules.ZoneOf(own));
        var typed = command.Typed.Length > 0 ? command.Typed : command.Argument;
        var request = ScheduleCommands.Parse(command.Kind, typed, today);

        if (request is ScheduleMistakeRequest mistake)
        {
            return [new MessageView(mistake.Title, mistake.Text, mistake.Hint)];
        }

        if (request is ShowReminder or SetReminder or ReminderOff)
        {
            return IsOneToOne(where)
                ? [await ReminderAsync(turn, person, request, cancellationToken)]
                : [new MessageView("Personal reminders live in our 1:1 chat", "A reminder of your own goes to our private chat, at your own local time.", "Open a chat with me and type `remind me weekdays 11:00` there.")];
        }

        // A person's own 1:1 chat is theirs alone: whatever Scheduling:WhoCanChange says, they set their own reminder's
        // pause, zone, holidays, jitter and stretches there (its settings rows nudge nobody else).
        if (request.Changes && !IsOneToOne(where) && !await MayChangeAsync(turn, cancellationToken))
        {
            return [new MessageView("Only owners can change this", "Here only the person who installed StretchBot and the owners can change the schedule and its settings.", "Anyone can see it: type `schedule`.")];
        }

        return request switch
        {
            ShowSchedule => [Show(own, "This chat's schedule", person)],
            SetSchedule set => [await SetAsync(turn, person, set.Shape, set.DaysGiven, Conversation, cancellationToken)],
            ScheduleOff => [await OffAsync(turn, own, Conversation, cancellationToken)],
            RestoreSchedule => [await RestoreAsync(turn, person, cancellationToken)],
            ShowTimeZone => [Show(own, "Time zone", person)],
            SetTimeZone zone => [await ChangeSettingAsync(turn, person, s => s with { TimeZone = zone.ZoneId }, zone.ZoneId is null ? "Time zone back to automatic" : "Time zone set", cancellationToken)],
            PauseFor or PauseUntil or PauseUntilDay => [await PauseAsync(turn, person, own, request, cancellationToken)],
            ResumeSchedule => [await ResumeAsync(turn, person, own, cancellationToken)],
            ShowHolidays => [Show(own, "Holidays", person)],
            AddHolidays add => [await AddHolidaysAsync(turn, person, own, add.Days, cancellationToken)],
            RemoveHolidays remove => [await RemoveHolidaysAsync(turn, person, own, remove.Days, cancellationToken)],
            SetStretchKinds kinds => [await KindsAsync(turn, person, own, kinds.Kinds, cancellationToken)],
            SetJitter jitter => [await JitterAsync(turn, person, own, jitter.Minutes, cancellationToken)],
            _ => [Show(own, "This chat's schedule", person)],
        };
    }

    /// <summary>A conversation's schedule as its card shows it to <paramref name="person"/>; null when it has none (the App Home tab).</summary>
    public async Task<ScheduleView?> ScheduleOfAsync(Where where, Person person, string heading, CancellationToken cancellationToken)
    {
        var own = await store.FindAsync(where.TenantId, where.ChannelId, where.ConversationId, Conversation, cancellationToken);
        return own is null ? null : Show(own, heading, person);
    }

    /// <summary>After an install: where a schedule stopped because the bot was gone, offer to start it again.</summary>
    public async Task<IReadOnlyList<View>> RestoreOfferAsync(Where where, CancellationToken cancellationToken)
    {
        var stopped = (await store.ListForConversationAsync(where.TenantId, where.ChannelId, where.ConversationId, cancellationToken))
            .FirstOrDefault(s => s.StoppedAt is not null && s.Spec is not null && !s.IsPersonal);
        if (stopped is null || ScheduleText.ParseStored(stopped.Spec!) is not { } shape)
        {
            return [];
        }

        return [new MessageView("Welcome back: restore the schedule?",
            $"This chat had scheduled stretches ({shape.Words}, {schedules.ZoneOf(stopped)}). They stopped when I was removed.",
            "Type `schedule restore` to start them again, or `schedule weekdays 10:30` for a new one.")];
    }

    private async Task<View> SetAsync(Turn turn, Person person, ScheduleShape shape, bool daysGiven, string ownerId, CancellationToken cancellationToken)
    {
        var minimum = Options.MinimumIntervalFor(turn.Where.ChannelId);
        if (shape.ShortestGap < minimum)
        {
            var example = shape.IsEvery ? $"every {(int)minimum.TotalMinutes}m" : "10:30 15:00";
            return new MessageView("That's too often", $"Nudges here are at least {ScheduleText.Duration(minimum)} apart, so people get a break from the breaks.",
                $"For example {Said.Command((ownerId.Length > 0 ? "remind me " : "schedule ") + (shape.IsEvery ? $"{example} 9:00-17:00 weekdays" : $"weekdays {example}"))}.");
        }

        var setterZone = PersonZone(person);
        var saved = await schedules.ChangeAsync(turn.Where.TenantId, turn.Where.ChannelId, turn.Where.ConversationId, ownerId, s => s with
        {
            Spec = shape.Text,
            SetterZone = setterZone,
            SetBy = turn.Who.UserId,
            StoppedAt = null,
            StoppedReason = null,
            // A new schedule is someone answering: a pause for no answers ends; a pause someone asked for stays.
            PausedUntil = s.PauseReason == PauseReasons.Unanswered ? null : s.PausedUntil,
            PauseReason = s.PauseReason == PauseReasons.Unanswered ? null : s.PauseReason,
        }, reapply: true, cancellationToken);

        Said? note = null;
        if (!daysGiven)
        {
            var example = (ownerId.Length > 0 ? "remind me weekdays " : "schedule weekdays ") + (shape.IsEvery
                ? $"every {(int)shape.Interval!.Value.TotalMinutes}m {shape.From:HH\\:mm}-{shape.Until:HH\\:mm}"
                : string.Join(' ', shape.Times.Select(t => t.ToString("HH:mm", CultureInfo.InvariantCulture))));
            note = $"No days given, so that's every day, weekends too. For workdays only: {Said.Command(example.Replace("weekdays every", "every", StringComparison.Ordinal) + (shape.IsEvery ? " weekdays" : string.Empty))}.";
        }

        return View(saved, ownerId.Length > 0 ? "Reminder set" : "Schedule set", person, note);
    }

    private async Task<View> OffAsync(Turn turn, Schedule? current, string ownerId, CancellationToken cancellationToken)
    {
        if (current?.Spec is null)
        {
            return new MessageView(ownerId.Length > 0 ? "No reminder to turn off" : "No schedule to turn off", "Nothing is scheduled here.",
                ownerId.Length > 0 ? "Type `remind me weekdays 11:00` to set one." : $"Type `schedule weekdays 10:30 15:00` to set one.");
        }

        await schedules.ChangeAsync(turn.Where.TenantId, turn.Where.ChannelId, turn.Where.ConversationId, ownerId, s => s with { Spec = null, SetBy = turn.Who.UserId }, cancellationToken);
        return ownerId.Length > 0
            ? new MessageView("Reminder off", "I won't remind you any more.", "Type `remind me weekdays 11:00` to set it again.")
            : new MessageView("Schedule off", "I won't post scheduled stretches here any more. The time zone, holidays and other settings are kept.", "Type `schedule weekdays 10:30 15:00` to set one again, or `stretch` for a break now.");
    }

    private async Task<View> RestoreAsync(Turn turn, Person person, CancellationToken cancellationToken)
    {
        var where = turn.Where;
        var all = await store.ListForConversationAsync(where.TenantId, where.ChannelId, where.ConversationId, cancellationToken);
        var stopped = all.Where(s => s.StoppedAt is not null && s.Spec is not null && (!s.IsPersonal || s.OwnerId == turn.Who.UserId)).ToList();
        if (stopped.Count == 0)
        {
            var own = all.FirstOrDefault(s => !s.IsPersonal);
            return new MessageView("Nothing to restore", own?.Spec is null ? "There's no stopped schedule here." : "The schedule here is running.", "Type `schedule` to see it.");
        }

        Schedule? restored = null;
        foreach (var schedule in stopped)
        {
            var saved = await schedules.ChangeAsync(where.TenantId, where.ChannelId, where.ConversationId, schedule.OwnerId, s => s with { StoppedAt = null, StoppedReason = null }, cancellationToken);
            restored = schedule.IsPersonal && restored is not null ? restored : saved;
        }

        return View(restored!, "Schedule restored", person);
    }

    private async Task<View> PauseAsync(Turn turn, Person person, Schedule? current, ScheduleRequest request, CancellationToken cancellationToken)
    {
        const string Form = "Type `pause 1w`, `pause 3d` or `pause until 2026-12-01`.";
        if (current?.Spec is null && !HasReminder(turn, await ReminderOfAsync(turn, cancellationToken)))
        {
            return new MessageView("Nothing to pause", "There's no schedule here yet.", $"Type `schedule weekdays 10:30 15:00` to set one.");
        }

        var zone = TimeZones.Resolve(current is null ? PersonZone(person) : schedules.ZoneOf(current), TimeZoneInfo.Utc);
        var now = time.GetUtcNow();
        var today = Today(zone.Id);
        DateTimeOffset until;
        switch (request)
        {
            case PauseFor pause:
                if (pause.Length > TimeSpan.FromDays(366))
                {
                    return new MessageView("That's a long pause", "A pause lasts up to a year. To stop the nudges for good, type `schedule off`.", Form);
                }

                if (pause.Length < TimeSpan.FromMinutes(1))
                {
                    return new MessageView("That's a short pause", "A pause lasts at least a minute.", Form);
                }

                until = now + pause.Length;
                break;
            case PauseUntil pauseUntil:
                if (pauseUntil.Date <= today)
                {
                    return new MessageView(pauseUntil.Date < today ? "That date has passed" : "That's today",
                        $"Pick a day after today ({Format(today)}): nudges start again that day.", Form);
                }

                if (pauseUntil.Date.DayNumber - today.DayNumber > 366)
                {
                    return new MessageView("That's a long pause", "A pause lasts up to a year. To stop the nudges for good, type `schedule off`.", Form);
                }

                until = StartOf(pauseUntil.Date, zone);
                break;
            case PauseUntilDay day:
                var next = today.AddDays(1);
                while (next.DayOfWeek != day.Day)
                {
                    next = next.AddDays(1);
                }

                until = StartOf(next, zone);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request));
        }

        var saved = await ForEachTargetAsync(turn, person, s => s with { PausedUntil = until, PauseReason = PauseReasons.Manual }, cancellationToken);
        return View(saved, $"Paused until {FormatNext(until, zone, today)}", person, hint: "Type `resume` to start again sooner.");
    }

    private async Task<View> ResumeAsync(Turn turn, Person person, Schedule? current, CancellationToken cancellationToken)
    {
        var reminder = await ReminderOfAsync(turn, cancellationToken);
        var paused = new[] { current, reminder }.Any(s => s is not null && s.IsPausedAt(time.GetUtcNow()));
        if (!paused)
        {
            return current is null && reminder is null
                ? new MessageView("Nothing to resume", "There's no schedule here yet.", "Type `schedule weekdays 10:30 15:00` to set one.")
                : View((current ?? reminder)!, "Not paused", person, hint: "Nudges are already on. Type `pause 1w` to take a week off.");
        }

        var saved = await ForEachTargetAsync(turn, person, s => s with { PausedUntil = null, PauseReason = null }, cancellationToken);
        return View(saved, "Nudges are back on", person);
    }

    private async Task<View> AddHolidaysAsync(Turn turn, Person person, Schedule? current, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken)
    {
        var today = Today(current is null ? PersonZone(person) : schedules.ZoneOf(current));
        var future = days.Where(d => d >= today).ToList();
        if (future.Count == 0)
        {
            return new MessageView(days.Count == 1 ? "That day has passed" : "Those days have passed", $"Holidays are today ({Format(today)}) or later.",
                "Type `holidays add 2026-12-24 2026-12-31` with dates to come.");
        }

        var last = today.AddYears(HolidayYearsAhead);
        if (future.Any(d => d > last))
        {
            return new MessageView("That's far ahead", $"Holidays go up to two years ahead, until {FormatDay(last, today)}.",
                "Type `holidays add 2026-12-24 2026-12-31` with dates in the next two years.");
        }

        var reminder = await ReminderOfAsync(turn, cancellationToken);
        var most = new[] { current, HasReminder(turn, reminder) ? reminder : null }
            .Select(s => (s?.Holidays ?? []).Where(d => d >= today).Union(future).Count()).Max();
        if (most > MaxHolidays)
        {
            return new MessageView("That's a lot of holidays", $"Up to {MaxHolidays} holidays are kept ahead, and that would make {most}.",
                "Type `holidays` to see them, or `holidays remove 2026-12-24 2026-12-31` to take some back.");
        }

        var saved = await ForEachTargetAsync(turn, person, s => s with { Holidays = s.Holidays.Union(future).Order().ToList() }, cancellationToken);
        var skipped = days.Count - future.Count;
        Said? note = null;
        if (skipped > 0)
        {
            note = skipped == 1 ? "I left out 1 day in the past." : $"I left out {skipped} days in the past.";
        }

        return View(saved, future.Count == 1 ? "Holiday added" : $"{future.Count} holidays added", person, note, "No nudges on those days. Type `holidays remove 2026-12-24` to take one back.");
    }

    private async Task<View> RemoveHolidaysAsync(Turn turn, Person person, Schedule? current, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken)
    {
        var reminder = await ReminderOfAsync(turn, cancellationToken);
        var known = new[] { current, reminder }.Where(s => s is not null).SelectMany(s => s!.Holidays).ToHashSet();
        var removing = days.Count == 0 ? known : days.Where(known.Contains).ToHashSet();
        if (removing.Count == 0)
        {
            return new MessageView(days.Count == 0 ? "No holidays to remove" : "Not a holiday here", days.Count == 0 ? "No holidays are set." : "None of those days is a holiday here.", "Type `holidays` to see them.");
        }

        var saved = await ForEachTargetAsync(turn, person, s => s with { Holidays = s.Holidays.Where(d => !removing.Contains(d)).ToList() }, cancellationToken);
        return View(saved, removing.Count == 1 ? "Holiday removed" : $"{removing.Count} holidays removed", person);
    }

    private async Task<View> KindsAsync(Turn turn, Person person, Schedule? current, string? kinds, CancellationToken cancellationToken)
    {
        if (kinds is null)
        {
            return new MessageView("Which stretches nudges pick", $"Nudges here pick {KindWords(current?.StretchKinds ?? "desk").ToLowerInvariant()}.",
                "Type `nudge stretches desk`, `nudge stretches floor` or `nudge stretches any`.");
        }

        var saved = await ForEachTargetAsync(turn, person, s => s with { StretchKinds = kinds }, cancellationToken);
        return new MessageView("Got it", $"Nudges here pick {KindWords(saved.StretchKinds).ToLowerInvariant()} from now on.", "Type `schedule` to see the whole schedule.");
    }

    private async Task<View> JitterAsync(Turn turn, Person person, Schedule? current, int? minutes, CancellationToken cancellationToken)
    {
        var max = (int)Options.MaxJitter.TotalMinutes;
        if (minutes is null)
        {
            return new MessageView("Jitter", current is { JitterMinutes: > 0 } ? $"Each nudge lands at a random moment up to {current.JitterMinutes} minutes after its time." : "Off: nudges land right on their times.",
                $"Type `jitter 10m` (up to {max} minutes) or `jitter off`.");
        }

        if (minutes > max)
        {
            return new MessageView("That's a lot of jitter", $"Jitter goes up to {max} minutes.", $"Type `jitter 10m` or `jitter off`.");
        }

        await ForEachTargetAsync(turn, person, s => s with { JitterMinutes = minutes.Value }, cancellationToken);
        return minutes == 0
            ? new MessageView("Jitter off", "Nudges land right on their times.", "Type `schedule` to see the whole schedule.")
            : new MessageView("Jitter on", $"Each nudge lands at a random moment up to {minutes} minutes after its time, so they don't always come on the hour.", "Type `jitter off` to turn it off.");
    }

    private async Task<View> ChangeSettingAsync(Turn turn, Person person, Func<Schedule, Schedule> change, string heading, CancellationToken cancellationToken)
    {
        var saved = await ForEachTargetAsync(turn, person, change, cancellationToken);
        return View(saved, heading, person);
    }

    private async Task<View> ReminderAsync(Turn turn, Person person, ScheduleRequest request, CancellationToken cancellationToken)
    {
        var reminder = await ReminderOfAsync(turn, cancellationToken);
        return request switch
        {
            SetReminder set => await SetAsync(turn, person, set.Shape, set.DaysGiven, turn.Who.UserId, cancellationToken),
            ReminderOff => await OffAsync(turn, reminder, turn.Who.UserId, cancellationToken),
            _ => reminder?.Spec is null
                ? new MessageView("No reminder yet", "I can remind you to stretch at your own local time.", "Type `remind me weekdays 11:00`, or `remind me mon wed fri 15:00`.")
                : View(reminder, "Your reminder", person),
        };
    }

    /// <summary>
    /// Settings apply to the conversation's schedule (a row is kept for them even before there is a schedule) and, in a
    /// 1:1 chat, to the person's own reminder there too. Returns the conversation's schedule, or the reminder when it is
    /// the only one running.
    /// </summary>
    private async Task<Schedule> ForEachTargetAsync(Turn turn, Person person, Func<Schedule, Schedule> change, CancellationToken cancellationToken)
    {
        var where = turn.Where;
        var own = await schedules.ChangeAsync(where.TenantId, where.ChannelId, where.ConversationId, Conversation, s => change(s) with { SetterZone = s.SetterZone ?? PersonZone(person) }, cancellationToken);
        var reminder = await ReminderOfAsync(turn, cancellationToken);
        if (HasReminder(turn, reminder))
        {
            reminder = await schedules.ChangeAsync(where.TenantId, where.ChannelId, where.ConversationId, turn.Who.UserId, change, cancellationToken);
            return own.Spec is null ? reminder : own;
        }

        return own;
    }

    private async Task<Schedule?> ReminderOfAsync(Turn turn, CancellationToken cancellationToken) => IsOneToOne(turn.Where)
        ? await store.FindAsync(turn.Where.TenantId, turn.Where.ChannelId, turn.Where.ConversationId, turn.Who.UserId, cancellationToken)
        : null;

    private static bool HasReminder(Turn turn, Schedule? reminder) => IsOneToOne(turn.Where) && reminder?.Spec is not null;

    /// <summary>
    /// Anyone may change a schedule, unless Scheduling:WhoCanChange is Owners: then the person who installed the bot
    /// here (or in the team), those the platform reports as owners, and the ids in Scheduling:Owners.
    /// </summary>
    private async Task<bool> MayChangeAsync(Turn turn, CancellationToken cancellationToken)
    {
        if (Options.WhoCanChange == ScheduleEditors.Anyone || turn.Who.IsOwner || Options.Owners.Contains(turn.Who.UserId, StringComparer.Ordinal))
        {
            return true;
        }

        var where = turn.Where;
        var install = await installs.FindAsync(where.TenantId, where.ChannelId, where.ConversationId, cancellationToken);
        if (install?.InstalledBy == turn.Who.UserId)
        {
            return true;
        }

        // A team install is stored under the channel that announced it; its installer may change every channel's schedule.
        return where.TeamId is { } team
            && (await installs.ListAsync(where.TenantId, where.ChannelId, cancellationToken)).Any(i => i.TeamId == team && i.GoneAt is null && i.InstalledBy == turn.Who.UserId);
    }

    private ScheduleView Show(Schedule? schedule, string heading, Person person) => schedule is null
        ? View(new Schedule(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, null, null, PersonZone(person), "desk", 0, null, null, null, null, null, []), heading, person)
        : View(schedule, heading, person);

    private ScheduleView View(Schedule schedule, string heading, Person person, Said? note = null, Said? hint = null)
    {
        var zoneId = schedules.ZoneOf(schedule);
        var zone = TimeZones.Resolve(zoneId, TimeZoneInfo.Utc);
        var now = time.GetUtcNow();
        var shape = schedule.Spec is { } spec ? ScheduleText.ParseStored(spec) : null;
        var today = Today(zoneId);
        var next = shape is null ? [] : schedules.NextNudges(schedule, NextCount).Select(f => FormatNext(f, zone, today)).ToList();
        var upcoming = schedule.Holidays.Where(d => d >= today).Order().ToList();
        var holidays = upcoming.Take(HolidaysShown).Select(d => FormatDay(d, today)).ToList();
        if (upcoming.Count > HolidaysShown)
        {
            holidays.Add($"+{upcoming.Count - HolidaysShown} more");
        }

        var offset = zone.GetUtcOffset(now);
        var zoneText = $"{zoneId} (UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm})";
        var source = schedule.TimeZone is not null
            ? "Set with `timezone`."
            : shape is null
                ? "Yours, unless someone sets one with `timezone Europe/Berlin`."
            : schedule.SetterZone is not null && schedule.SetterZone == zoneId
                ? schedule.IsPersonal ? "Your own zone." : "The zone of whoever set the schedule. Change it with `timezone Europe/Berlin`."
                : "The default zone. Change it with `timezone Europe/Berlin`.";
        string? status = null;
        if (shape is not null)
        {
            status = schedule.StoppedAt is { } stopped
                ? $"Stopped on {Format(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(stopped, zone).DateTime))} because I couldn't post here any more (I was removed). Type `schedule restore` to start again."
                : schedule.IsPausedAt(now) && schedule.PauseReason == PauseReasons.Unanswered
                    ? $"Paused until someone types `resume`: nobody answered the last {Options.UnansweredLimit} nudges."
                    : schedule.IsPausedAt(now)
                        ? $"Paused until {FormatNext(schedule.PausedUntil!.Value, zone, today)}. Type `resume` to start again sooner."
                        : "Running.";
        }

        if (hint is null && shape is null)
        {
            hint = schedule.IsPersonal
                ? "Type `remind me weekdays 11:00` to set one."
                : "Type `schedule weekdays 10:30 15:00` to set one. More forms: `schedule mon wed fri 11:00`, `schedule every 90m 9:00-17:00 mon-fri`.";
        }

        return new ScheduleView(
            heading,
            schedule.IsPersonal,
            shape?.Words,
            zoneText,
            source,
            status,
            next,
            holidays,
            KindWords(schedule.StretchKinds),
            schedule.JitterMinutes > 0 ? $"Up to {schedule.JitterMinutes} minutes after each time" : null,
            note,
            hint);
    }

    private string PersonZone(Person person) =>
        person.TimeZone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : botOptions.Value.DefaultTimeZone;

    private DateOnly Today(string zoneId) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), TimeZones.Resolve(zoneId, TimeZoneInfo.Utc)).DateTime);

    private static bool IsOneToOne(Where where) => !where.IsGroup && where.TeamId is null;

    /// <summary>The first instant of a local day (after a spring-forward gap at midnight, the first that exists).</summary>
    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static string Format(DateOnly day) => day.ToString("ddd d MMM", CultureInfo.InvariantCulture);

    /// <summary>"Thu 24 Dec", with the year when it is not this one: "Fri 1 Jan 2027".</summary>
    private static string FormatDay(DateOnly day, DateOnly today) =>
        day.Year == today.Year ? Format(day) : day.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>"Thu 3 Dec, 10:30" in the zone.</summary>
    public static string FormatInstant(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("ddd d MMM, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"Thu 3 Dec, 10:30" in the zone, with the year when it is not this one (a long pause, many holidays): "Thu 18 Nov 2027, 10:30".</summary>
    private static string FormatNext(DateTimeOffset instant, TimeZoneInfo zone, DateOnly today)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return local.ToString(local.Year == today.Year ? "ddd d MMM, HH:mm" : "ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
    }

    private static string KindWords(string kinds) => kinds switch
    {
        "floor" => "Floor stretches (a mat helps)",
        "gym" => "Gym stretches",
        "any" => "Any stretch: desk, floor or gym",
        _ => "Desk stretches",
    };
}
