using StretchBot.Text;

namespace StretchBot.Conversation;

public enum CommandKind { Help, Stretch, Stretches, Stats, Leaderboard, Safety, Schedule, Name, Unknown, TimeZone, Pause, Resume, Holidays, Nudge, Jitter, Remind }

/// <summary>
/// A parsed chat command. Argument is the rest of the text after the command word, normalised for matching; Typed is
/// the same as the person typed it (all of it for an unknown command), for echoing back and for names.
/// </summary>
public sealed record Command(CommandKind Kind, string Argument, string? Suggestion = null, string Typed = "");

/// <summary>Reads what a person typed. Forgiving: case, a leading slash, punctuation and a few synonyms are fine.</summary>
public static class Commands
{
    public const int MaxTextLength = 500;

    // One table, so a newcomer sees every word the bot understands in one place.
    private static readonly Dictionary<string, CommandKind> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["help"] = CommandKind.Help, ["hi"] = CommandKind.Help, ["hello"] = CommandKind.Help, ["hey"] = CommandKind.Help,
        ["start"] = CommandKind.Help, ["commands"] = CommandKind.Help, ["?"] = CommandKind.Help, ["menu"] = CommandKind.Help,
        ["stretch"] = CommandKind.Stretch, ["another"] = CommandKind.Stretch, ["break"] = CommandKind.Stretch,
        ["stretches"] = CommandKind.Stretches, ["list"] = CommandKind.Stretches, ["catalog"] = CommandKind.Stretches, ["catalogue"] = CommandKind.Stretches, ["browse"] = CommandKind.Stretches,
        ["stats"] = CommandKind.Stats, ["streak"] = CommandKind.Stats, ["mystats"] = CommandKind.Stats,
        ["leaderboard"] = CommandKind.Leaderboard, ["leaders"] = CommandKind.Leaderboard, ["top"] = CommandKind.Leaderboard, ["ranking"] = CommandKind.Leaderboard, ["board"] = CommandKind.Leaderboard,
        ["safety"] = CommandKind.Safety, ["doctor"] = CommandKind.Safety, ["safe"] = CommandKind.Safety,
        ["schedule"] = CommandKind.Schedule, ["schedules"] = CommandKind.Schedule,
        ["name"] = CommandKind.Name, ["rename"] = CommandKind.Name, ["nickname"] = CommandKind.Name,
        // Scheduling (Scheduling/ScheduleCommands reads the rest): these change things, so only as the first word.
        ["timezone"] = CommandKind.TimeZone, ["tz"] = CommandKind.TimeZone, ["zone"] = CommandKind.TimeZone,
        ["pause"] = CommandKind.Pause, ["resume"] = CommandKind.Resume, ["unpause"] = CommandKind.Resume,
        ["holidays"] = CommandKind.Holidays, ["holiday"] = CommandKind.Holidays,
        ["nudge"] = CommandKind.Nudge, ["nudges"] = CommandKind.Nudge, ["jitter"] = CommandKind.Jitter,
        ["remind"] = CommandKind.Remind, ["reminder"] = CommandKind.Remind, ["reminders"] = CommandKind.Remind,
    };

    private static readonly string[] Canonical = ["help", "stretch", "stretches", "stats", "leaderboard", "safety", "schedule", "name", "timezone", "pause", "resume", "holidays", "jitter", "remind"];

    /// <summary>Words that change a schedule: a command only as the first word, never picked out of a sentence.</summary>
    private static bool FirstWordOnly(CommandKind kind) =>
        kind is CommandKind.Help or CommandKind.Name or CommandKind.TimeZone or CommandKind.Pause or CommandKind.Resume
            or CommandKind.Holidays or CommandKind.Nudge or CommandKind.Jitter or CommandKind.Remind;

    /// <summary>
    /// The text of a slash command (/stretch …): empty asks for a stretch, a command word is that command
    /// ("/stretch stats"), anything else names the stretch wanted ("/stretch desk", "/stretch cat and cow").
    /// </summary>
    public static string SlashText(string? text) =>
        Normalize(text).Length == 0 ? "stretch"
        : Parse(text).Kind == CommandKind.Unknown ? "stretch " + text
        : text!;

    public static Command Parse(string? text)
    {
        var cleaned = Normalize(text);
        if (cleaned.Length == 0)
        {
            return new Command(CommandKind.Help, string.Empty);
        }

        var space = cleaned.IndexOf(' ');
        var word = space < 0 ? cleaned : cleaned[..space];
        var rest = space < 0 ? string.Empty : cleaned[(space + 1)..].Trim();

        // "give me a quick stretch", "stretch please", "my stats": a short sentence around one command word.
        if (!Words.TryGetValue(word, out var kind))
        {
            var tokens = cleaned.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // Not "name": "my name is Ada" would lose Ada's capital letter, so that one is only a command word first.
            var hit = tokens.Length <= 6 ? Array.FindIndex(tokens, t => Words.TryGetValue(t, out var k) && !FirstWordOnly(k)) : -1;
            if (hit >= 0)
            {
                // "what's our schedule?" shows it; setting one starts with the word "schedule".
                var argument = Words[tokens[hit]] == CommandKind.Schedule ? string.Empty : string.Join(' ', tokens.Where((t, i) => i != hit && !Filler.Contains(t)));
                return new Command(Words[tokens[hit]], argument);
            }

            // The suggestion is a command to type, shown as code: it keeps the rest only when that is a few plain words.
            var suggestion = Closest(word);
            return new Command(CommandKind.Unknown, cleaned, suggestion is null ? null : (IsPlainWords(rest) ? $"{suggestion} {rest}" : suggestion), Typed(text!));
        }

        // A name keeps its case and punctuation: the rest of what was typed, as typed.
        if (kind == CommandKind.Name)
        {
            return new Command(kind, RawRest(text!), Typed: RawRest(text!));
        }

        if (kind == CommandKind.Stretch && rest.Length > 0)
        {
            rest = StripFiller(rest);
        }

        return new Command(kind, rest, Typed: RawRest(text!));
    }

    private static readonly HashSet<string> Filler = new(StringComparer.OrdinalIgnoreCase)
    {
        "give", "me", "a", "an", "please", "pls", "my", "show", "the", "some", "i", "want", "need", "can", "get", "let's", "lets", "do", "time", "for", "now", "new", "one", "another", "go",
    };

    private static bool IsPlainWords(string rest) =>
        rest.Length is > 0 and <= 30 && rest.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '\'');

    private static string Typed(string text) => (text.Length > MaxTextLength ? text[..MaxTextLength] : text).Trim();

    private static string RawRest(string text)
    {
        var trimmed = Typed(text);
        var start = trimmed.StartsWith('/') ? 1 : 0;
        var space = trimmed.AsSpan(start).IndexOfAny(' ', '\t', '\n');
        return space < 0 ? string.Empty : trimmed[(start + space)..].Trim();
    }

    private static string StripFiller(string rest)
    {
        var tokens = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = tokens.Where(t => t is not ("please" or "pls" or "for" or "me" or "a" or "an" or "stretch")).ToArray();
        return string.Join(' ', kept);
    }

    private static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var span = text.Length > MaxTextLength ? text[..MaxTextLength] : text;
        var builder = new System.Text.StringBuilder(span.Length);
        var lastWasSpace = true;
        foreach (var c in span.Trim())
        {
            if (char.IsWhiteSpace(c) || c is ',' or ';')
            {
                if (!lastWasSpace)
                {
                    builder.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            if (builder.Length == 0 && c == '/')
            {
                continue;
            }

            if (c is '!' or '.' or '…')
            {
                continue;
            }

            builder.Append(char.ToLowerInvariant(c));
            lastWasSpace = false;
        }

        return builder.ToString().Trim();
    }

    private static string? Closest(string word)
    {
        if (word.Length < 2)
        {
            return null;
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in Canonical.Concat(Words.Keys))
        {
            var distance = EditDistance.Between(word, candidate);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        // Close enough to be a typo: up to a third of the word wrong.
        if (best is null || bestDistance > Math.Max(1, word.Length / 3))
        {
            return null;
        }

        return Canonical.FirstOrDefault(c => Words[c] == Words[best]) ?? best;
    }
}
