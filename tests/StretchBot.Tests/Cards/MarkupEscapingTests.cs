using System.Text.Json.Nodes;
using StretchBot.Conversation;
using StretchBot.Markup;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Cards;

/// <summary>
/// The escaper of each format against its real reader: what people write, escaped for Adaptive Card markdown and for a
/// markdown message, renders with no markup at all in the official renderer and in Web Chat's markdown, and reads as
/// they wrote it. Slack mrkdwn has no renderer here, so its rules are checked as Slack documents them.
/// </summary>
public sealed class MarkupEscapingTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stretchbot-markup-").FullName;

    /// <summary>Names and messages a tester (or a prankster) would try; each must come out as plain text.</summary>
    public static readonly string[] Hostile =
    [
        "[Reset password](http://x)",
        "[Reset password][1]",
        "![pic](http://x/p.png)",
        "**bold** and *em* and _em_ and __strong__",
        "~~gone~~ and ~sub~",
        "`code` and ``co`de``",
        "<script>alert(1)</script>",
        "<a href=\"http://x\">click</a>",
        "<b>bold</b> &lt;i&gt; &amp; &copy;",
        "http://evil.com/reset",
        "https://x.co",
        "www.evil.com",
        "evil.com",
        "mail me at mallory@evil.com",
        "mailto:mallory@evil.com",
        "<http://x> and <mallory@evil.com>",
        "//evil.com/x",
        "# Heading",
        "### Heading",
        "- item",
        "+ item",
        "* item",
        "1. first",
        "2) second",
        "> quoted",
        "---",
        "===",
        "    indented code",
        "line one\n\n# two\n- three",
        "{{DATE(2026-12-01T10:00:00Z, SHORT)}}",
        "back\\slash \\* \\[",
        "a | b | c",
        "<at>Everyone</at>",
        "Ada (c) -- \"quotes\"...",
        "J.R.R. Tolkien, Dr. No and ada.lovelace",
        "Reset: see www.x.io/reset or ring 555.1234",
        "x_y_z and snake_case_name",
        "O'Brien & Sons <ops@evil.com>",
    ];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task EscapedTextRendersAsWrittenWithNoMarkupInCardsAndMessages()
    {
        var items = new List<(string, JsonObject?, string?)>();
        for (var i = 0; i < Hostile.Length; i++)
        {
            var card = new JsonObject
            {
                ["type"] = "AdaptiveCard",
                ["version"] = "1.5",
                ["fallbackText"] = CardMarkdown.Escape(Hostile[i]),
                ["body"] = new JsonArray(
                    new JsonObject { ["type"] = "TextBlock", ["text"] = CardMarkdown.Escape(Hostile[i]), ["wrap"] = true },
                    new JsonObject { ["type"] = "FactSet", ["facts"] = new JsonArray(new JsonObject { ["title"] = "Name", ["value"] = CardMarkdown.Escape(Hostile[i]) }) }),
            };
            items.Add(($"card {i}", card, null));
            items.Add(($"message {i}", null, MessageMarkdown.Escape(Hostile[i])));
        }

        var rendered = await MarkupRenderer.RenderAsync(items, _work);

        foreach (var view in rendered)
        {
            var written = Hostile[int.Parse(view.Name.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)];
            var expected = Said.OneLine(written);
            Assert.True(view.Elements.Count == 0, $"{view.Name} ({view.Mode}) of {written}: {string.Join(", ", view.Elements.Select(e => $"<{e.Tag}>{e.Text}"))}");
            // Every block reads as the person wrote it (typographer quotes aside: they are typography, not markup).
            Assert.True(view.Text.Trim().Length > 0, $"{view.Name} ({view.Mode}) shows nothing");
            foreach (var line in view.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l != "Name"))
            {
                var shown = line;
                Assert.True(Typography(shown) == Typography(expected), $"{view.Name} ({view.Mode}): shown «{shown}», written «{expected}»");
            }
        }
    }

    [Fact]
    public async Task UnescapedTheSameTextWouldBeLiveMarkup()
    {
        var rendered = await MarkupRenderer.RenderAsync(
            [("link", Card("[Reset password](http://x)"), null), ("bare", Card("see evil.com or mallory@evil.com"), null), ("html", null, "<script>alert(1)</script>")],
            _work);

        Assert.All(rendered.Where(v => v.Name == "link"), v => Assert.Contains(v.Elements, e => e.Tag == "a"));
        Assert.Equal(2, rendered.Single(v => v.Name == "bare" && v.Mode == "webchat").Elements.Count(e => e.Tag == "a"));
        Assert.Contains(rendered.Single(v => v.Name == "html" && v.Mode == "webchat").Elements, e => e.Tag == "script");
    }

    [Fact]
    public async Task AMessageShowsOurMarkupButAPersonsWordsAsTextAndACommandAsOneCodeSpan()
    {
        var name = "[Reset password](http://x) `x` <script>";
        Said said = $"Hi **there**, {name}. Did you mean {Said.Command("stretch a``b`")}?";

        var markdown = MessageMarkdown.Render(said);
        var rendered = await MarkupRenderer.RenderAsync([("said", null, markdown)], _work);

        foreach (var view in rendered)
        {
            Assert.Equal(["strong", "code"], view.Elements.Select(e => e.Tag));
            Assert.Equal("there", view.Elements[0].Text);
            Assert.Equal("stretch a``b`", view.Elements[1].Text);
            Assert.Contains("[Reset password](http://x) `x` <script>", view.Text);
        }
    }

    [Fact]
    public void APersonsWordsInASaidAreTheirsAndCutShort()
    {
        var long490 = new string('x', 490);
        Said said = $"I don't understand \"{long490}\". Did you mean {Said.Command("help")}?";

        Assert.Equal([SaidKind.Ours, SaidKind.Theirs, SaidKind.Ours, SaidKind.Command, SaidKind.Ours], said.Parts.Select(p => p.Kind));
        Assert.Equal(Said.MaxQuote, said.Parts[1].Text.Length);
        Assert.EndsWith("…", said.Parts[1].Text);
        // An emoji is never cut in half.
        var emoji = string.Concat(Enumerable.Repeat("🧘", 60));
        Said cut = $"{emoji}";
        Assert.Equal(Said.MaxQuote - 1, cut.Parts[0].Text.Replace("…", string.Empty, StringComparison.Ordinal).Length / 2);
        // A plain string is all ours.
        Said ours = "Type `help`";
        Assert.Equal(SaidKind.Ours, Assert.Single(ours.Parts).Kind);
    }

    [Theory]
    [InlineData("Tom & Jerry", "Tom &amp; Jerry")]
    [InlineData("<!channel> hi <@U123>", "&lt;!channel&gt; hi &lt;@U123&gt;")]
    [InlineData("<http://x|Reset password>", "&lt;http://x|Reset password&gt;")]
    [InlineData("a lone * star", "a lone * star")]
    [InlineData("snake_case", "snake_case")]
    [InlineData("*bold*", "\u2217bold\u2217")]
    [InlineData("_it_ and ~gone~", "\uFF3Fit\uFF3F and \u223Cgone\u223C")]
    [InlineData("`code`", "\u02CBcode\u02CB")]
    [InlineData("two\nlines", "two lines")]
    public void SlackMrkdwnEscapesEntitiesAndDisarmsPairedMarkers(string text, string expected) =>
        Assert.Equal(expected, SlackMrkdwn.Escape(text));

    [Fact]
    public void SlackRendersOurBoldTheirWordsEscapedAndACommandWithoutBackticks()
    {
        var name = "*Mallory* <!here>";
        Said said = $"**Hi** {name}, try {Said.Command("stretch `x`")}";

        Assert.Equal("*Hi* \u2217Mallory\u2217 &lt;!here&gt;, try `stretch 'x'`", SlackMrkdwn.Render(said));
    }

    [Fact]
    public void PlainTextDropsOurMarkdownAndDisarmsAngleBrackets()
    {
        var text = "<script>alert(1)</script>";
        Said said = $"**Sorry**, I don't understand \"{text}\". Type `help`.";

        Assert.Equal("Sorry, I don't understand \"‹script›alert(1)‹/script›\". Type `help`.", PlainText.Render(said));
    }

    private static JsonObject Card(string text) => new()
    {
        ["type"] = "AdaptiveCard",
        ["version"] = "1.5",
        ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true }),
    };

    private static string Typography(string text) => text
        .Replace('“', '"').Replace('”', '"').Replace('‘', '\'').Replace('’', '\'')
        .Replace("…", "...", StringComparison.Ordinal).Replace("–", "--", StringComparison.Ordinal).Replace("—", "---", StringComparison.Ordinal)
        .Replace("©", "(c)", StringComparison.Ordinal);
}
