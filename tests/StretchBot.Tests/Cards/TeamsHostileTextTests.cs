using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Cards;

/// <summary>
/// Teams sends what people type HTML-encoded ("&amp;lt;script&amp;gt;"); the adapter decodes it, so the bot must encode
/// it again wherever it echoes it: in markdown message text and in the plain text of an invoke answer.
/// </summary>
public sealed class TeamsHostileTextTests : TeamsTest
{
    private static readonly TeamsUser Mallory = new("29:1mallory", "[Reset password](http://x)");

    [Fact]
    public async Task AnEchoInATeamsMessageIsNeverLiveHtmlOrALink()
    {
        await Teams.SendAsync(TeamsClient.ChannelMessage("&lt;script&gt;alert(1)&lt;/script&gt; [Click](http://evil.com)", Mallory));
        var reply = await Fake.WaitForAsync(r => r.Method == "POST" && ((string?)r.Body?["text"])?.Contains("understand", StringComparison.Ordinal) == true);
        var text = (string)reply.Body!["text"]!;

        Assert.Equal("markdown", (string?)reply.Body["textFormat"]);
        Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", text);
        var rendered = await MarkupRenderer.RenderAsync([("reply", null, text)], Factory.DataDirectory);
        Assert.All(rendered, v =>
        {
            Assert.DoesNotContain(v.Elements, e => e.Tag is "a" or "script");
            Assert.Contains("<script>alert(1)</script> [Click](http:", v.Text);
        });
    }

    [Fact]
    public async Task AnEchoInAnInvokeAnswerIsPlainTextWithoutTags()
    {
        var data = new JsonObject { ["action"] = "stretch", ["filter"] = "<script>alert(1)</script> **[Click](http://evil.com)**" };

        var answer = await Teams.InvokeAsync(TeamsClient.Execute(data, Mallory, "1"));

        Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
        var text = (string)answer["value"]!;
        Assert.DoesNotContain("<", text);
        // Our markdown is dropped; the person's words are kept as they wrote them, angle brackets aside, and cut short.
        Assert.StartsWith("I don't know that stretch. I couldn't find a stretch called \"‹script›alert(1)‹/script› **[Click](htt…\".", text);
    }
}
