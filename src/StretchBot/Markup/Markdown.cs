using System.Text;
using StretchBot.Conversation;

namespace StretchBot.Markup;

/// <summary>
/// Text a person wrote, escaped for Adaptive Card TextBlock markdown (TextBlock and Fact text, fallbackText). Teams,
/// Web Chat (markdown-it with html, linkify and typographer on) and the official renderer (markdown-it) all honour
/// CommonMark's backslash escapes, so markup is escaped with backslashes and the text reads as written.
/// Everything bound into a card template goes through here (see CardRenderer); the templates hold our own markup.
/// </summary>
public static class CardMarkdown
{
    public static string Escape(string? text) => Markdown.Escape(text, htmlEntities: false);

    public static string? EscapeOrNull(string? text) => text is null ? null : Escape(text);
}

/// <summary>
/// Text a person wrote, escaped for a markdown message (Teams <c>textFormat: markdown</c>, Web Chat). Teams reads a
/// message's text as HTML as well as markdown, so &lt;, &gt; and &amp; become entities; the rest is backslash-escaped.
/// </summary>
public static class MessageMarkdown
{
    public static string Escape(string? text) => Markdown.Escape(text, htmlEntities: true);

    /// <summary>Our words as they are, theirs escaped, commands as code spans that nothing can break out of.</summary>
    public static string Render(Said said)
    {
        var text = new StringBuilder();
        foreach (var part in said.Parts)
        {
            text.Append(part.Kind switch
            {
                SaidKind.Ours => part.Text,
                SaidKind.Theirs => Escape(part.Text),
                _ => Markdown.CodeSpan(part.Text),
            });
        }

        return text.ToString();
    }
}

internal static class Markdown
{
    public static string Escape(string? text, bool htmlEntities)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // One line: a line break could start a heading, a list, a quote or a code block.
        var line = Said.OneLine(text);
        var escaped = new StringBuilder(line.Length + 8);
        var leadingDigits = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            var next = i + 1 < line.Length ? line[i + 1] : '\0';
            var atStart = i == 0;
            leadingDigits = leadingDigits == i && char.IsAsciiDigit(c) ? i + 1 : leadingDigits;
            switch (c)
            {
                case '<' when htmlEntities:
                    escaped.Append("&lt;");
                    continue;
                case '>' when htmlEntities:
                    escaped.Append("&gt;");
                    continue;
                case '&' when htmlEntities:
                    escaped.Append("&amp;");
                    continue;
                // Emphasis, strikethrough, code, links and images, raw HTML and entities, and {{DATE(...)}}, which the
                // Adaptive Cards renderers format before markdown.
                case '\\' or '`' or '*' or '_' or '~' or '[' or ']' or '<' or '>' or '&' or '{' or '}':
                // Autolinks (linkify): a scheme's "://", an email's "@", and the dots of a domain such as x.com.
                case ':' when next == '/':
                case '/' when i > 0 && line[i - 1] == '/':
                case '@':
                case '.' when char.IsLetterOrDigit(next):
                // At the start of a line: a heading, a bullet or a quote ('>' above), or "1." / "1)" of a numbered list.
                case '#' or '-' or '+' or '=' or '|' when atStart:
                case '.' or ')' when leadingDigits == i && i > 0:
                    escaped.Append('\\').Append(c);
                    continue;
                default:
                    escaped.Append(c);
                    continue;
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// A CommonMark code span around text: fenced with one more backtick than the longest run inside, padded when the text
    /// starts or ends with a backtick, so the text can't close it. One line, like any quote.
    /// </summary>
    public static string CodeSpan(string text)
    {
        var line = Said.OneLine(text);
        var longest = 0;
        for (var i = 0; i < line.Length;)
        {
            var run = 0;
            while (i < line.Length && line[i] == '`')
            {
                run++;
                i++;
            }

            longest = Math.Max(longest, run);
            i += run == 0 ? 1 : 0;
        }

        var fence = new string('`', longest + 1);
        var pad = line.StartsWith('`') || line.EndsWith('`') ? " " : string.Empty;
        return fence + pad + line + pad + fence;
    }
}
