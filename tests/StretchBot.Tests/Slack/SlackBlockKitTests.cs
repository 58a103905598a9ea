using StretchBot.Markup;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Scheduling;
using StretchBot.Templating;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// The Slack messages drawn from cards/slack: every template with its sample data, and every view for every stretch of
/// the real catalog, pass a strict Block Kit check (<see cref="BlockKitChecker"/>); people's and the catalog's words never
/// become Slack markup and never break a limit; every button comes back as the action, prompt, stretch and step it showed.
/// </summary>
public sealed class SlackBlockKitTests : AppTest
{
    private const string PromptId = "p_0123456789abcdef0123456789abcdef";
    private const string Hostile = "<!channel> <@U123> <http://evil|click> &amp; *bold* _it_ ~no~ `code` <#C123> <!here> @here > quote";

    private static readonly DateOnly Today = new(2026, 11, 18);

    private StretchCatalog Catalog => Factory.Services.GetRequiredService<StretchCatalog>();

    [Fact]
    public void EveryTemplateWithItsSampleDataIsValidBlockKit()
    {
        var folder = Path.Combine(NodeScript.RepoRoot, "cards", "slack");
        var templates = Directory.GetFiles(folder, "*.json").Where(f => !f.EndsWith(".data.json", StringComparison.Ordinal)).Order().ToList();
        var names = templates.Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Equal(Renderer().TemplateNames.Order(), names);

        foreach (var path in templates)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var dataPath = Path.ChangeExtension(path, ".data.json");
            Assert.True(File.Exists(dataPath), $"{name}.json has no sample data beside it ({name}.data.json)");
            var data = JsonNode.Parse(File.ReadAllText(dataPath));
            AssertSampleMatchesRenderer(name, data);

            var expanded = (JsonObject)AdaptiveCardTemplate.Parse(File.ReadAllText(path)).Expand(data)!;
            if (name == "home")
            {
                BlockKitChecker.AssertHome(name, expanded);
            }
            else
            {
                Assert.Equal(["text", "blocks"], expanded.Select(p => p.Key));
                BlockKitChecker.AssertMessage(name, (string?)expanded["text"], expanded["blocks"] as JsonArray);
            }
        }
    }

    [Fact]
    public void EveryViewForEveryStretchOfTheCatalogIsValidBlockKit()
    {
        var renderer = Renderer();
        renderer.LoadAll();
        var count = 0;
        var largest = 0;
        void Check(string name, View view, params string[] mentions)
        {
            var message = renderer.Render(view);
            BlockKitChecker.AssertMessage(name, message.Text, message.Blocks, mentions);
            // A notification shows the fallback as it is: Slack's *bold* would show its asterisks.
            Assert.False(message.Text.Contains('*', StringComparison.Ordinal), $"{name}: the fallback '{message.Text}' holds markup");
            // Slack refuses block-heavy messages from about 13k characters (msg_blocks_too_long, undocumented).
            var size = message.Blocks.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Length;
            Assert.True(size < 12_000, $"{name}: {size} characters of blocks");
            largest = Math.Max(largest, size);
            count++;
        }

        foreach (var stretch in Catalog.All)
        {
            foreach (var (scheduled, done) in new[] { (true, 0), (false, 1), (true, 6) })
            {
                Check($"stretch {stretch.Id} {done}", new StretchView(PromptId, stretch, scheduled, done, Catalog.Safety));
            }

            Check($"mention {stretch.Id}", new MentionView("U0123ABCD", "Ada", new StretchView(PromptId, stretch, true, 2, Catalog.Safety)), "U0123ABCD");
            for (var step = 1; step <= stretch.Steps.Count; step++)
            {
                Check($"walkthrough {stretch.Id} {step}", new WalkthroughView(PromptId, stretch, step, AlreadyDone: false, Catalog.Safety));
                Check($"walkthrough {stretch.Id} {step} again", new WalkthroughView(PromptId, stretch, step, AlreadyDone: true, Catalog.Safety));
            }

            foreach (var already in new[] { false, true })
            {
                foreach (var (callName, streak, rank, doneCount) in new[] { ((string?)null, 0, 0, 0), ("Ada", 1, 1, 1), ("Ada", 12, 7, 40) })
                {
                    Check($"done {stretch.Id} {already} {streak}", new DoneView(PromptId, stretch, "Ada Lovelace", callName, already, streak, streak * 3, streak, rank, doneCount));
                }
            }
        }

        Check("catalog", new CatalogView(Catalog.All, null));
        Check("catalog desk", new CatalogView(Catalog.Filter(new StretchFilter(StretchPlace.Desk, null, false)), "desk"));
        Check("catalog none", new CatalogView([], "unicycle"));
        Check("catalog empty", new CatalogView([], null));
        Check("welcome", new WelcomeView(FirstContact: true, Catalog.Safety));
        Check("help", new WelcomeView(FirstContact: false, Catalog.Safety, ChosenName: "Ada"));
        Check("stats empty", new StatsView("Ada", 0, 0, 0, null, [], Today));
        Check("stats", Stats("Ada", Catalog.All[0].Name));
        Check("leaderboard empty", new LeaderboardView(Today.AddDays(-2), Today.AddDays(4), [], null));
        Check("leaderboard 200", Leaderboard(200, "Person"));
        Check("schedule empty", new ScheduleView("This chat's schedule", false, null, "Europe/Berlin (UTC+01:00)", "The default. Set it with `timezone`.", null, [], [], "Desk stretches", null, Hint: "Type `schedule weekdays 10:30 15:00` to set one."));
        Check("schedule", Schedule("Weekdays at 10:30 and 15:00"));
        Check("safety", new SafetyView(Catalog.Safety));
        Check("message", new MessageView("I didn't understand", $"I couldn't find a stretch called \"{"cat"}\".", $"Try {Said.Command("stretches")}."));
        Check("mention by name", new MentionView("not-an-id", "Ada", new DoneView(PromptId, Catalog.All[0], "Ada", "Ada", false, 1, 1, 1, 1, 1)));
        Assert.True(count > 100, $"only {count} messages checked");
        Assert.True(largest > 1000, $"the largest message has {largest} characters of blocks");

        var home = renderer.RenderHome(new SlackHome(Stats("Ada", "Cat and cow"), Leaderboard(200, "Person"),
            [.. Enumerable.Range(1, 40).Select(i => new SlackHomeSchedule($"team-{i}", Schedule($"Weekdays at 10:{i:00}")))]));
        BlockKitChecker.AssertHome("home", home);
        Assert.Contains(BlockKitChecker.Texts(home), t => t.Text == "…and 25 more channels");
        BlockKitChecker.AssertHome("home empty", renderer.RenderHome(new SlackHome(new StatsView("Ada", 0, 0, 0, null, [], Today),
            new LeaderboardView(Today, Today.AddDays(6), [], null), [])));
    }

    [Fact]
    public void HostileTextNeverBecomesMarkupAndLimitsHold()
    {
        var longText = string.Concat(Enumerable.Repeat("&amp; <!channel> *bold* ", 400)) + "\nsecond line\n> quote";
        var evil = new Stretch("evil", Hostile + "\n" + longText, [], longText, ["back"], [StretchPlace.Desk], [Hostile, longText],
            [.. Enumerable.Range(1, 30).Select(i => $"{i}. {Hostile}\n{longText}")], longText, Hostile, [.. Enumerable.Repeat(longText, 25)], 120, [], null);
        var safety = new SafetyAdvice(Hostile + longText, [.. Enumerable.Repeat(Hostile + "\n" + longText, 60)], "test");
        var catalog = new StretchCatalog([.. Enumerable.Range(0, 120).Select(i => evil with { Id = $"evil-{i}" })], safety);
        var renderer = Renderer(catalog);
        var stretch = catalog.All[0];
        var person = Hostile + "\n" + longText;
        var command = Hostile + "\n" + longText[..1000];

        var messages = new List<(string Name, SlackMessage Message, string[] Mentions)>();
        void Add(string name, View view, params string[] mentions) => messages.Add((name, renderer.Render(view), mentions));
        Add("stretch", new StretchView(PromptId, stretch, true, 5, safety, Intro: person));
        for (var step = 1; step <= stretch.Steps.Count; step++)
        {
            Add($"walkthrough {step}", new WalkthroughView(PromptId, stretch, step, step % 2 == 0, safety));
        }

        Add("done", new DoneView(PromptId, stretch, person, person, false, 3, 9, 4, 2, 7));
        Add("done again", new DoneView(PromptId, stretch, person, person, true, 3, 9, 4, 2, 7));
        Add("catalog", new CatalogView(catalog.All, person));
        Add("welcome", new WelcomeView(true, safety, ChosenName: person));
        Add("stats", new StatsView(person, 5, 2, 2, person, [.. Enumerable.Range(0, 30).Select(i => new RecentCompletion(person, new DateTimeOffset(2026, 11, 18 - (i % 10), 9, 0, 0, TimeSpan.Zero)))], Today));
        Add("leaderboard", Leaderboard(200, person));
        Add("schedule", new ScheduleView(person, false, person, person, "Set with `timezone`.", "Running.", [.. Enumerable.Repeat(person, 30)], [person, person],
            person, person, Note: $"Saved {person} for {person}", Hint: $"Type {Said.Command(command)}"));
        Add("safety", new SafetyView(safety));
        Add("message", new MessageView("I didn't understand", $"I couldn't find {person}, {person}.", $"Try {Said.Command(command)} or {person}."));
        Add("mention name", new MentionView("<!channel>", person, new StretchView(PromptId, stretch, true, 1, safety)));
        Add("mention U-lookalike", new MentionView("U123> <!here", "Ada", new StretchView(PromptId, stretch, true, 1, safety)));
        Add("mention", new MentionView("U0123ABCD", person, new StretchView(PromptId, stretch, true, 1, safety)), "U0123ABCD");

        foreach (var (name, message, mentions) in messages)
        {
            BlockKitChecker.AssertMessage("hostile " + name, message.Text, message.Blocks, mentions);
            foreach (var (path, type, text) in BlockKitChecker.Texts(message.Blocks).Append(("text", "mrkdwn", message.Text)))
            {
                if (type == "mrkdwn")
                {
                    // Escaped, a person's markup reads as what they typed: entities for < > &, look-alikes for *pairs*.
                    Assert.DoesNotContain("<!", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("<http", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("<#", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("<@U123>", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("*bold*", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("_it_", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("`code`", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("\n&gt; quote", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("second line", text.Split('\n').Select(l => l.Length > 11 ? l[..11] : l));
                }
            }
        }

        var stretchMessage = messages[0].Message;
        var texts = BlockKitChecker.Texts(stretchMessage.Blocks).Select(t => t.Text).ToList();
        Assert.Contains(texts, t => t.Contains("&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt;", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("&amp;amp;", StringComparison.Ordinal)); // the catalog's "&amp;" shows as "&amp;"
        Assert.StartsWith("Time for a", stretchMessage.Text, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt;", stretchMessage.Text, StringComparison.Ordinal);

        // A name in a header (plain_text) is shown literally by Slack: one line, cut, not entity-escaped.
        var catalogHeader = (string)messages.Single(m => m.Name == "catalog").Message.Blocks[0]!["text"]!["text"]!;
        Assert.StartsWith("Stretches: <!channel> <@U123>", catalogHeader, StringComparison.Ordinal);
        Assert.EndsWith("…", catalogHeader, StringComparison.Ordinal);

        // Only a real user id mentions anyone.
        Assert.Equal("<@U0123ABCD>, here's your stretch.", Text(messages.Single(m => m.Name == "mention").Message.Blocks[0]!));
        Assert.StartsWith("&lt;!channel&gt; &lt;@U123&gt;", Text(messages.Single(m => m.Name == "mention name").Message.Blocks[0]!), StringComparison.Ordinal);
        Assert.Equal("Ada, here's your stretch.", Text(messages.Single(m => m.Name == "mention U-lookalike").Message.Blocks[0]!));

        var home = renderer.RenderHome(new SlackHome(
            new StatsView(person, 5, 2, 2, person, [new RecentCompletion(person, new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero))], Today),
            Leaderboard(200, person),
            [.. Enumerable.Range(0, 60).Select(i => new SlackHomeSchedule(person, Schedule(person)))]));
        BlockKitChecker.AssertHome("hostile home", home);
        Assert.DoesNotContain(BlockKitChecker.Texts(home), t => t.Type == "mrkdwn" && t.Text.Contains('<'));
    }

    [Fact]
    public void EveryButtonComesBackAsTheActionPromptStretchAndStepItShowed()
    {
        var renderer = Renderer();
        foreach (var stretch in Catalog.All)
        {
            var prompt = renderer.Render(new StretchView(PromptId, stretch, true, 0, Catalog.Safety));
            Assert.Equal(["start", "done", "later", "stretch", "safety"], Actions(prompt).Select(a => a.Name));
            Assert.All(Actions(prompt).Take(3), a => Assert.Equal(new CardAction(a.Name, PromptId, stretch.Id), a));
            Assert.Equal(new CardAction("stretch"), Actions(prompt)[3]);
            Assert.Equal("primary", (string?)Button(prompt, "start")["style"]);
            Assert.Equal("Another", (string?)Button(prompt, "stretch")["text"]!["text"]);

            for (var step = 1; step <= stretch.Steps.Count; step++)
            {
                var walk = renderer.Render(new WalkthroughView(PromptId, stretch, step, false, Catalog.Safety));
                var expected = new List<string>();
                if (step > 1)
                {
                    expected.Add("back");
                }

                if (step < stretch.Steps.Count)
                {
                    expected.Add("next");
                }

                expected.AddRange(["done", "later", "safety"]);
                Assert.Equal(expected, Actions(walk).Select(a => a.Name));
                Assert.All(Actions(walk).SkipLast(1), a => Assert.Equal(new CardAction(a.Name, PromptId, stretch.Id, Step: step), a));
                Assert.Equal(step == stretch.Steps.Count ? "primary" : null, (string?)Button(walk, "done")["style"]);
                Assert.All(walk.Blocks, b => Assert.StartsWith($"walk-{step}-", (string)b!["block_id"]!, StringComparison.Ordinal));
                var dots = string.Join(' ', Enumerable.Range(1, stretch.Steps.Count).Select(i => i <= step ? "●" : "○"));
                Assert.EndsWith($"*Step {step} of {stretch.Steps.Count}*  {dots}", Text(walk.Blocks[0]!), StringComparison.Ordinal);
            }

            var done = renderer.Render(new DoneView(PromptId, stretch, "Ada", "Ada", false, 1, 1, 1, 1, 1));
            Assert.Equal([new CardAction("stretch"), new CardAction("stats"), new CardAction("leaderboard")], Actions(done));
            Assert.Equal("primary", (string?)Button(done, "stretch")["style"]);
        }

        var catalog = renderer.Render(new CatalogView(Catalog.All, "desk"));
        var rows = Actions(catalog).Where(a => a.StretchId is not null).ToList();
        Assert.Equal(Catalog.All.Take(20).Select(s => new CardAction("stretch", StretchId: s.Id)), rows);
        Assert.Contains(new CardAction("stretch", Filter: "desk"), Actions(catalog));
        Assert.Contains(new CardAction("stretches"), Actions(catalog));

        // An id Slack can't mistake: the block_ids of a message are unique, and a catalog row's button says its stretch.
        var ids = catalog.Blocks.Select(b => (string)b!["block_id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void CautionsAndBreathingAreFullWidthTextAboveTheSteps()
    {
        var renderer = Renderer();
        var barHang = renderer.Render(new StretchView(PromptId, Catalog.All.Single(s => s.Id == "bar-hang"), true, 1, Catalog.Safety));
        var ids = barHang.Blocks.Select(b => (string)b!["block_id"]!).ToList();
        var cautions = Block(barHang, "stretch-cautions");
        Assert.Equal("section", (string?)cautions["type"]);
        Assert.StartsWith("⚠️ Keep it short", Text(cautions), StringComparison.Ordinal);
        Assert.True(ids.IndexOf("stretch-cautions") < ids.IndexOf("stretch-steps"));
        Assert.DoesNotContain(barHang.Blocks, b => (string?)b!["type"] == "context" && b.ToJsonString().Contains("Keep it short", StringComparison.Ordinal));

        var catCow = Catalog.All.Single(s => s.Id == "cat-cow");
        var prompt = renderer.Render(new StretchView(PromptId, catCow, true, 0, Catalog.Safety));
        Assert.Equal($"*How many:* {catCow.Dose}\n*Breathing:* {catCow.Breathing}", Text(Block(prompt, "stretch-rhythm")));
        Assert.DoesNotContain(prompt.Blocks, b => b!["fields"] is JsonArray fields && fields.ToJsonString().Contains("Breathing", StringComparison.Ordinal));
        Assert.Contains("*Time*\nAbout\u00A02\u00A0min", Joined([Block(prompt, "stretch-facts").DeepClone()]), StringComparison.Ordinal);

        // The walkthrough says how many and how to breathe once, at the start; a caution stays on every step.
        var first = renderer.Render(new WalkthroughView(PromptId, catCow, 1, false, Catalog.Safety));
        Assert.Contains("*Breathing:*", Text(Block(first, "walk-1-rhythm")), StringComparison.Ordinal);
        for (var step = 2; step <= catCow.Steps.Count; step++)
        {
            var walk = renderer.Render(new WalkthroughView(PromptId, catCow, step, false, Catalog.Safety));
            Assert.DoesNotContain(BlockKitChecker.Texts(walk.Blocks), t => t.Text.Contains("Breathing", StringComparison.Ordinal));
            Assert.Equal(new CardAction("later", PromptId, catCow.Id, Step: step), Actions(walk).Single(a => a.Name == "later"));
        }

        var hang = renderer.Render(new WalkthroughView(PromptId, Catalog.All.Single(s => s.Id == "bar-hang"), 2, false, Catalog.Safety));
        Assert.StartsWith("⚠️ Keep it short", Text(Block(hang, "walk-2-cautions")), StringComparison.Ordinal);
    }

    [Fact]
    public void NumbersSayWhatTheyCount()
    {
        var renderer = Renderer();
        var catCow = Catalog.All.Single(s => s.Id == "cat-cow");
        var done = Joined(renderer.Render(new DoneView(PromptId, catCow, "Ada Lovelace", "Ada", false, 4, 23, 5, 2, 3)).Blocks);
        Assert.Contains("*This week*\n5 stretches", done, StringComparison.Ordinal);
        Assert.Contains("*In total*\n23 stretches", done, StringComparison.Ordinal);
        Assert.Contains("#2 in this channel this week", done, StringComparison.Ordinal);
        Assert.Contains("1 stretch", Joined(renderer.Render(new DoneView(PromptId, catCow, "Ada", null, false, 1, 1, 1, 1, 1)).Blocks), StringComparison.Ordinal);

        var stats = renderer.Render(Stats("Ada Lovelace", "Cat and cow"));
        Assert.DoesNotContain(BlockKitChecker.Texts(stats.Blocks), t => t.Text.Contains("Ada Lovelace", StringComparison.Ordinal));
        Assert.Contains("*In total*\n42 stretches", Joined(stats.Blocks), StringComparison.Ordinal);

        // A catalog row keeps a number with its unit: "about 40 s" never breaks after "40".
        var rows = BlockKitChecker.Texts(renderer.Render(new CatalogView(Catalog.All, null)).Blocks).Where(t => t.Text.Contains("about", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, t => Assert.Matches(@"about\u00A0\d+\u00A0(s|min)$", t.Text));
    }

    [Fact]
    public void AnyoneShownOnTheLeaderboardIsNotToldTheirRankAgain()
    {
        var renderer = Renderer();
        var entries = new[] { ("Grace", 14), ("Ada", 13), ("Alan", 1) }
            .Select((p, i) => new LeaderboardEntry(i + 1, $"U{i}", p.Item1, p.Item2, IsMe: i == 1)).ToList();
        var board = Joined(renderer.Render(new LeaderboardView(Today, Today.AddDays(6), entries, entries[1])).Blocks);
        Assert.Contains("🥇 Grace · 14 stretches", board, StringComparison.Ordinal);
        Assert.Contains("🥈 *Ada (you)* · 13 stretches", board, StringComparison.Ordinal);
        Assert.Contains("🥉 Alan · 1 stretch", board, StringComparison.Ordinal);
        Assert.DoesNotContain("You:", board, StringComparison.Ordinal);

        var home = renderer.RenderHome(new SlackHome(Stats("Ada", "Cat and cow"), Leaderboard(200, "Person"), [new SlackHomeSchedule("team", Schedule("Weekdays at 10:30"))]));
        var homeText = string.Join('\n', BlockKitChecker.Texts(home).Select(t => t.Text));
        Assert.Contains("You: #150 with 51 stretches", homeText, StringComparison.Ordinal);
        Assert.Contains("Next: Thu 19 Nov, 10:30 · Thu 19 Nov, 15:00 · Fri 20 Nov, 10:30", homeText, StringComparison.Ordinal);
        Assert.Contains("Status: Running\n", homeText + "\n", StringComparison.Ordinal);
        var button = Assert.Single(BlockKitChecker.Buttons((JsonArray)home["blocks"]!)).Button;
        Assert.Equal(("stretch", "{}", "primary", "Give me a stretch"),
            ((string?)button["action_id"], (string?)button["value"], (string?)button["style"], (string?)button["text"]!["text"]));
    }

    [Fact]
    public void TheScheduleSaysWhenInItsNotification()
    {
        var message = Renderer().Render(Schedule("Weekdays (Mon–Fri) at 10:30 and 15:00"));
        Assert.Equal("Schedule set: weekdays (Mon–Fri) at 10:30 and 15:00", message.Text);
        var facts = Block(message, "schedule-facts")["fields"]!.AsArray().Select(f => (string)f!["text"]!).ToList();
        Assert.Contains("*Time zone*\nEurope/Berlin (UTC+01:00). Set with `timezone`.", facts);
        Assert.Contains("*Status*\nRunning", facts);
        Assert.Contains("*Random delay*\nUp to 10 minutes after each time", facts);
        Assert.Equal("This chat's schedule. No schedule yet.", Renderer().Render(new ScheduleView("This chat's schedule", false, null, "UTC (UTC+00:00)", "The default.", null, [], [], "Desk stretches", null)).Text);
    }

    [Fact]
    public void TheWelcomeGivesTheSafetyAdviceInFullOnFirstContactOnlyAndShowsTheSlashCommands()
    {
        var renderer = Renderer();
        foreach (var first in new[] { true, false })
        {
            var welcome = renderer.Render(new WelcomeView(first, Catalog.Safety));
            var text = Joined(welcome.Blocks);
            foreach (var command in new[] { "/stretch", "/stretch desk", "/stretch cat and cow", "/stretch stretches", "/stretch stats", "/stretch leaderboard", "/stretch schedule weekdays 10:30 15:00", "/stretch help" })
            {
                Assert.Contains($"`{command}`", text, StringComparison.Ordinal);
            }

            Assert.Contains("without /stretch: `stretch`, `stats`, or `remind me weekdays 11:00`", text, StringComparison.Ordinal);
            Assert.Contains("⚠️", text, StringComparison.Ordinal);
            // The "when to see the doctor" advice in full on first contact (DESIGN: shown on first contact); in help, one line and the button.
            if (first)
            {
                Assert.All(Catalog.Safety.Paragraphs, p => Assert.Contains(SlackMrkdwn.Escape(p), text, StringComparison.Ordinal));
            }
            else
            {
                Assert.All(Catalog.Safety.Paragraphs, p => Assert.DoesNotContain(SlackMrkdwn.Escape(p), text, StringComparison.Ordinal));
            }

            Assert.Contains(new CardAction("safety"), Actions(welcome));
            Assert.DoesNotContain("*", welcome.Text, StringComparison.Ordinal);
        }

        var safety = renderer.Render(new SafetyView(Catalog.Safety));
        Assert.Equal(("header", $"⚠️ {Catalog.Safety.Title}"), ((string?)safety.Blocks[0]!["type"], Text(safety.Blocks[0]!)));
        Assert.Equal("primary", (string?)Button(safety, "stretch")["style"]);
        Assert.Equal(Catalog.Safety.Paragraphs.Count, safety.Blocks.Count(b => (string?)b!["type"] == "section"));
    }

    [Fact]
    public void AMentionIsOnlyEverARealSlackUserId()
    {
        var renderer = Renderer();
        var inner = new StretchView(PromptId, Catalog.All[0], true, 0, Catalog.Safety);
        foreach (var (id, name, expected) in new[]
        {
            ("U0123ABCD", "Ada", "<@U0123ABCD>, here's your stretch."),
            ("W012AB", "Ada", "<@W012AB>, here's your stretch."),
            ("u0123abcd", "Ada", "Ada, here's your stretch."),
            ("U0123ABCD|x", "<@U999>", "&lt;@U999&gt;, here's your stretch."),
            ("29:1abc", "*Ada*", "*Ada*, here's your stretch."),
        })
        {
            var message = renderer.Render(new MentionView(id, name, inner));
            var first = Text(message.Blocks[0]!);
            Assert.Equal(expected.Replace("*Ada*", "\u2217Ada\u2217", StringComparison.Ordinal), first);
            Assert.StartsWith(first, message.Text, StringComparison.Ordinal);
            Assert.Equal("header", (string?)message.Blocks[1]!["type"]);
        }
    }

    [Fact]
    public void TheLongestCatalogAndLeaderboardStayWithinTheBlockLimit()
    {
        var many = Enumerable.Range(0, 300).Select(i => Catalog.All[i % Catalog.All.Count] with { Id = $"s-{i}" }).ToList();
        var renderer = Renderer(new StretchCatalog(many, Catalog.Safety));

        var catalog = renderer.Render(new CatalogView(many, null));
        BlockKitChecker.AssertMessage("catalog 300", catalog.Text, catalog.Blocks);
        Assert.Contains(BlockKitChecker.Texts(catalog.Blocks), t => t.Text.StartsWith("…and 280 more", StringComparison.Ordinal));

        var leaderboard = renderer.Render(Leaderboard(200, "Someone with a rather long display name for a leaderboard row"));
        BlockKitChecker.AssertMessage("leaderboard 200", leaderboard.Text, leaderboard.Blocks);
        var lines = string.Join('\n', BlockKitChecker.Texts(leaderboard.Blocks).Select(t => t.Text));
        Assert.Contains("🥇", lines, StringComparison.Ordinal);
        Assert.Contains("…and 180 more", lines, StringComparison.Ordinal);
        Assert.Contains("You: #150 with 51", lines, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncationNeverCutsAnEscapeOrACharacterInHalf()
    {
        foreach (var max in Enumerable.Range(2, 40))
        {
            foreach (var text in new[] { "ab &amp; cd &lt;&gt; ef &amp;amp;", "👍🏽👨‍👩‍👧 &amp; x", "<@U123> hello there &gt;" })
            {
                if (text.Length <= max)
                {
                    Assert.Equal(text, BlockKitFit.Truncate(text, max, mrkdwn: true));
                    continue;
                }

                var cut = BlockKitFit.Truncate(text, max, mrkdwn: true);
                Assert.True(cut.Length <= max, $"{cut} is longer than {max}");
                Assert.EndsWith("…", cut, StringComparison.Ordinal);
                var body = cut[..^1];
                Assert.True(body.Length == 0 || text.StartsWith(body, StringComparison.Ordinal));
                var amp = body.LastIndexOf('&');
                Assert.True(amp < 0 || body.IndexOf(';', amp) > amp, $"'{cut}' cuts an entity ({max})");
                Assert.False(body.Length > 0 && char.IsHighSurrogate(body[^1]), $"'{cut}' cuts a character ({max})");
                Assert.False(body.EndsWith('\u200D'), $"'{cut}' cuts an emoji sequence ({max})");
                var open = body.LastIndexOf('<');
                Assert.True(open < 0 || body.IndexOf('>', open) > open, $"'{cut}' cuts a mention ({max})");
            }
        }
    }

    private SlackRenderer Renderer(StretchCatalog? catalog = null) => new(
        Factory.Services.GetRequiredService<IOptions<CardOptions>>(),
        Factory.Services.GetRequiredService<IWebHostEnvironment>(),
        catalog ?? Catalog);

    /// <summary>The sample data has exactly the shape the renderer binds: it reads into the record and writes back the same.</summary>
    private static void AssertSampleMatchesRenderer(string name, JsonNode? data)
    {
        JsonNode? RoundTrip<T>(JsonTypeInfo<T> info) => JsonSerializer.SerializeToNode(data.Deserialize(info)!, info);
        var context = SlackCardJsonContext.Default;
        var back = name switch
        {
            "stretch" => RoundTrip(context.SlackStretchCardData),
            "walkthrough" => RoundTrip(context.SlackWalkthroughCardData),
            "done" => RoundTrip(context.SlackDoneCardData),
            "welcome" => RoundTrip(context.SlackWelcomeCardData),
            "catalog" => RoundTrip(context.SlackCatalogCardData),
            "stats" => RoundTrip(context.SlackStatsCardData),
            "leaderboard" => RoundTrip(context.SlackLeaderboardCardData),
            "schedule" => RoundTrip(context.SlackScheduleCardData),
            "message" => RoundTrip(context.SlackMessageCardData),
            "safety" => RoundTrip(context.SlackSafetyCardData),
            "home" => RoundTrip(context.SlackHomeData),
            _ => throw new InvalidOperationException($"No data record for the template {name}"),
        };
        Assert.True(JsonNode.DeepEquals(data, back), $"{name}.data.json doesn't match the renderer's data:\n{data}\n{back}");
    }

    /// <summary>What the Slack adapter does with a click: the action_id is the action, the value holds the rest.</summary>
    private static List<CardAction> Actions(SlackMessage message) => [.. BlockKitChecker.Buttons(message.Blocks).Select(b =>
    {
        var value = JsonNode.Parse((string)b.Button["value"]!)!.AsObject();
        return new CardAction((string)b.Button["action_id"]!, (string?)value["p"], (string?)value["s"], (string?)value["f"], (int?)value["n"]);
    })];

    private static JsonObject Button(SlackMessage message, string action) =>
        BlockKitChecker.Buttons(message.Blocks).First(b => (string?)b.Button["action_id"] == action).Button;

    private static string Text(JsonNode block) => (string)block["text"]!["text"]!;

    private static JsonObject Block(SlackMessage message, string blockId) =>
        message.Blocks.OfType<JsonObject>().Single(b => (string?)b["block_id"] == blockId);

    private static string Joined(JsonArray blocks) => string.Join('\n', BlockKitChecker.Texts(blocks).Select(t => t.Text));

    private static StatsView Stats(string name, string favourite) => new(name, 42, 5, 3, favourite,
        [.. Enumerable.Range(0, 12).Select(i => new RecentCompletion(favourite, new DateTimeOffset(2026, 11, 18 - i, 10, 30, 0, TimeSpan.FromHours(1))))], Today);

    private static LeaderboardView Leaderboard(int count, string name)
    {
        var entries = Enumerable.Range(1, count).Select(i => new LeaderboardEntry(i, $"U{i:000000}", $"{name} {i}", count + 1 - i, IsMe: i == 150)).ToList();
        return new LeaderboardView(Today.AddDays(-2), Today.AddDays(4), entries, entries.Count >= 150 ? entries[149] : null);
    }

    private static ScheduleView Schedule(string when) => new(
        "Schedule set", false, when, "Europe/Berlin (UTC+01:00)", "Set with `timezone`.", "Running.",
        ["Thu 19 Nov, 10:30", "Thu 19 Nov, 15:00", "Fri 20 Nov, 10:30"], ["Thu 24 Dec", "Fri 1 Jan 2027"], "Desk stretches", "Up to 10 minutes after each time",
        Note: $"No days given, so that's every day, weekends too. For workdays only: {Said.Command("schedule weekdays 10:30")}.",
        Hint: "Type `schedule` to see it again.");
}
