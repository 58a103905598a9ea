using System.Text.Json.Nodes;
using StretchBot.Conversation;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Cards;

/// <summary>
/// People with markup in their names, and markup in what they type, through the real Direct Line endpoint: every card
/// and message the bot answers with is rendered by the official renderer and by Web Chat's markdown, and nothing a
/// person wrote comes back as a link or any other markup. Their words still read as they wrote them.
/// </summary>
public sealed class HostileMarkupTests : AppTest
{
    private static readonly User Mallory = new("u-mallory", "[Reset password](http://x)", "Europe/London");
    private static readonly User Eve = new("u-eve", "**Eve** <script>alert(1)</script> eve@evil.com", "Europe/London");

    // Words that only a person wrote: no element of markup may contain one.
    private static readonly string[] Markers = ["Reset", "alert", "evil", "Click", "Eve", "pwned"];

    [Fact]
    public async Task NamesAndTextWithMarkupComeBackAsTextOnEveryCardAndMessage()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        var replies = new List<(string Name, JsonObject Reply)>();

        async Task Say(string name, string text, User user)
        {
            await chat.SayAsync(text, user);
            replies.AddRange((await chat.RepliesAsync()).Select((r, i) => ($"{name}#{i}", r)));
        }

        foreach (var user in new[] { Mallory, Eve })
        {
            await Say($"{user.Id} stretch", "stretch cat and cow", user);
            await chat.SubmitAsync(DirectLineClient.DoneDataOf(DirectLineClient.CardOf(replies[^1].Reply)!), user);
            replies.AddRange((await chat.RepliesAsync()).Select(r => ($"{user.Id} done", r)));
            await Say($"{user.Id} stats", "stats", user);
        }

        await Say("leaderboard", "leaderboard", Mallory);
        await Say("help", "help", Eve);
        await Say("name in Teams-like channel", "name [Click](http://evil.com)", Eve);
        await Say("unknown stretch", "stretch [Reset](http://evil.com) *pwned*", Mallory);
        await Say("typo with code", "strech `` ` <script>alert(1)</script> evil.com", Mallory);
        await Say("entities", "&lt;script&gt;alert(1)&lt;/script&gt;", Mallory);
        await Say("html", "<script>alert(1)</script> [Click](http://evil.com)", Mallory);
        await Say("long", "strech " + new string('x', 480), Mallory);
        await Say("long unknown", new string('y', 490), Mallory);
        // Scheduling commands echo what was typed when it can't be read.
        await Say("schedule echo", "schedule [Reset](http://evil.com) 10:00", Mallory);
        await Say("timezone echo", "timezone <script>alert(1)</script>", Mallory);
        await Say("holidays echo", "holidays add [Click](http://evil.com)", Eve);
        await Say("pause echo", "pause until *pwned*", Mallory);
        await Say("nudge echo", "nudge stretches [Reset](http://evil.com)", Eve);
        await Say("jitter echo", "jitter **pwned**", Eve);
        await Say("schedule card", "schedule weekdays 10:30", Eve);

        var items = replies.Select(r => (r.Name, DirectLineClient.CardOf(r.Reply), DirectLineClient.CardOf(r.Reply) is null ? DirectLineClient.TextOf(r.Reply) : null)).ToList();
        var rendered = await MarkupRenderer.RenderAsync(items, Factory.DataDirectory);

        foreach (var view in rendered)
        {
            var where = $"{view.Name} ({view.Mode})";
            Assert.DoesNotContain(view.Elements, e => e.Tag == "a");
            var smuggled = view.Elements.Where(e => Markers.Any(m => e.Text.Contains(m, StringComparison.Ordinal))).ToList();
            Assert.True(smuggled.Count == 0, $"{where}: {string.Join(", ", smuggled.Select(e => $"<{e.Tag}>{e.Text}"))}");
            // Echoes stay short: no run of a person's 480 x's or 490 y's comes back.
            Assert.DoesNotContain(new string('x', Said.MaxQuote), view.Text);
            Assert.DoesNotContain(new string('y', Said.MaxQuote), view.Text);
        }

        // The markdown text itself never carries a tag a client could run.
        foreach (var (name, reply) in replies.Where(r => DirectLineClient.CardOf(r.Reply) is null))
        {
            Assert.DoesNotContain("<script", DirectLineClient.TextOf(reply), StringComparison.OrdinalIgnoreCase);
        }

        // And they read as written.
        foreach (var mode in new[] { "official", "webchat" })
        {
            string Shown(string name) => rendered.Single(v => v.Name == name && v.Mode == mode).Text;
            var board = Shown("leaderboard#0");
            Assert.Contains($"{Mallory.Name} (you)", board);
            Assert.Contains(Eve.Name, board);
            Assert.Contains(Mallory.Name, Shown("u-mallory stats#0"));
            Assert.Contains(Eve.Name, Shown("u-eve stats#0"));
            Assert.Contains("Nice work, [Reset!", Shown("u-mallory done"));
            Assert.Contains("Nice work, **Eve**!", Shown("u-eve done"));
            Assert.Contains("I couldn't find a stretch called \"[Reset](http://evil.com) *pwned*\"", Typography(Shown("unknown stretch#0")));
            Assert.Contains("I don't understand \"&lt;script&gt;alert(1)&lt;/script&gt;\"", Typography(Shown("entities#0")));
            Assert.True(Typography(Shown("html#0")).Contains("\"<script>alert(1)</script> [Click](http:…\"", StringComparison.Ordinal), Shown("html#0"));
        }
    }

    private static string Typography(string text) => text.Replace('“', '"').Replace('”', '"').Replace('‘', '\'').Replace('’', '\'');
}
