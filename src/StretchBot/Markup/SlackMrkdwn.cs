using System.Text;
using StretchBot.Conversation;

namespace StretchBot.Markup;

/// <summary>
/// Text a person wrote, escaped for Slack mrkdwn. Slack asks for &amp;, &lt; and &gt; as entities and nothing else (so
/// "&lt;!channel&gt;", "&lt;@U123&gt;" and "&lt;http://x|y&gt;" stay text); it has no escape for *bold*, _italic_,
/// ~strike~ or `code`, so where a marker could pair up with another it is swapped for a look-alike that never formats.
/// </summary>
public static class SlackMrkdwn
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var line = Said.OneLine(text);
        // Counted once: a marker formats only when another of its kind is there to pair with.
        var paired = new HashSet<char>();
        foreach (var marker in "*_~`")
        {
            if (line.Count(x => x == marker) > 1)
            {
                paired.Add(marker);
            }
        }

        var escaped = new StringBuilder(line.Length + 8);
        foreach (var c in line)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                // A lone marker can't format anything; two of a kind can.
                '*' or '_' or '~' or '`' when paired.Contains(c) => LookAlike(c),
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    /// <summary>Our words with **bold** made Slack's *bold*, theirs escaped, commands in a code span they can't leave.</summary>
    public static string Render(Said said)
    {
        var text = new StringBuilder();
        foreach (var part in said.Parts)
        {
            text.Append(part.Kind switch
            {
                SaidKind.Ours => part.Text.Replace("**", "*", StringComparison.Ordinal),
                SaidKind.Theirs => Escape(part.Text),
                // Slack's code spans can't hold a backtick at all.
                _ => "`" + Escape(Said.OneLine(part.Text).Replace('`', '\'')) + "`",
            });
        }

        return text.ToString();
    }

    private static string LookAlike(char c) => c switch
    {
        '*' => "\u2217", // ∗ asterisk operator
        '_' => "\uFF3F", // ＿ fullwidth low line
        '~' => "\u223C", // ∼ tilde operator
        _ => "\u02CB",   // ˋ modifier letter grave accent
    };
}

/// <summary>
/// Plain text, where nothing is parsed: a Teams invoke message, an activity summary. Our markdown is dropped; a
/// person's words are kept on one line, and &lt; and &gt; become ‹ and › in case a client reads the text as HTML after all.
/// </summary>
public static class PlainText
{
    public static string Escape(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : Said.OneLine(text).Replace('<', '\u2039').Replace('>', '\u203A');

    public static string Render(Said said)
    {
        var text = new StringBuilder();
        foreach (var part in said.Parts)
        {
            text.Append(part.Kind switch
            {
                SaidKind.Ours => part.Text.Replace("**", string.Empty, StringComparison.Ordinal),
                SaidKind.Theirs => Escape(part.Text),
                _ => "`" + Escape(part.Text).Replace('`', '\'') + "`",
            });
        }

        return text.ToString();
    }
}
