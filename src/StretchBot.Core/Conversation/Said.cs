using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace StretchBot.Conversation;

public enum SaidKind
{
    /// <summary>The bot's own words, in light markdown: **bold** and `command`.</summary>
    Ours,

    /// <summary>Words a person wrote (or other data): shown as text, escaped by each renderer for its format.</summary>
    Theirs,

    /// <summary>A command to show as code, such as <c>stretch cat and cow</c>.</summary>
    Command,
}

public readonly record struct SaidPart(SaidKind Kind, string Text);

/// <summary>A command to show as code inside a <see cref="Said"/>: <c>$"Try {Said.Command("stretch desk")}"</c>.</summary>
public readonly record struct SaidCommand(string Text);

/// <summary>
/// Something the bot says, with what a person wrote kept apart from our words, so each channel's renderer escapes it for
/// its own format (Adaptive Card markdown, Teams message markdown, Slack mrkdwn, plain text) and it never becomes markup.
/// Write it as an interpolated string: the literal text is ours, every {hole} is theirs (cut to <see cref="MaxQuote"/>
/// characters, so echoes stay short), and {Said.Command(...)} is a command shown as code. A plain string is all ours;
/// build a string with a person's words in it and pass that, and they become ours: don't.
/// </summary>
[InterpolatedStringHandler]
public sealed class Said
{
    /// <summary>The longest echo of a person's words, in characters as people count them (text elements).</summary>
    public const int MaxQuote = 40;

    private readonly List<SaidPart> _parts;

    public Said(int literalLength, int formattedCount) => _parts = new List<SaidPart>((formattedCount * 2) + 1);

    private Said(List<SaidPart> parts) => _parts = parts;

    public IReadOnlyList<SaidPart> Parts => _parts;

    public void AppendLiteral(string value) => _parts.Add(new SaidPart(SaidKind.Ours, value));

    public void AppendFormatted(SaidCommand command) => _parts.Add(new SaidPart(SaidKind.Command, command.Text));

    public void AppendFormatted(string? value) => _parts.Add(new SaidPart(SaidKind.Theirs, Quote(value ?? string.Empty)));

    public void AppendFormatted<T>(T value) => AppendFormatted(Convert.ToString(value, CultureInfo.InvariantCulture));

    public static SaidCommand Command(string text) => new(text);

    public static implicit operator Said(string ours) => new([new SaidPart(SaidKind.Ours, ours)]);

    /// <summary>A person's words on one line and at most <see cref="MaxQuote"/> characters, never cut inside a character.</summary>
    public static string Quote(string text)
    {
        var line = OneLine(text);
        var info = new StringInfo(line);
        return info.LengthInTextElements <= MaxQuote ? line : info.SubstringByTextElements(0, MaxQuote - 1).TrimEnd() + "…";
    }

    /// <summary>Line breaks, tabs and other control characters become single spaces: a quote can't start a new block.</summary>
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>The words without any markup, for logs and tests.</summary>
    public override string ToString() => string.Concat(_parts.Select(p => p.Kind == SaidKind.Ours ? p.Text.Replace("**", string.Empty, StringComparison.Ordinal) : p.Text));
}
