using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// Every Slack message, drawn as Slack's desktop client would draw it (tests/js/render-blockkit.mjs in headless
/// Chromium) and saved as a PNG for a person to look at: each template with its sample data, and the app's real
/// messages for real views. Each draws with no block, element or text type the preview doesn't know, no text turned
/// into HTML, and a picture of a plausible size. Screenshots land in artifacts/screenshots/slack/{templates,views}.
/// </summary>
public sealed partial class SlackScreenshotTests : AppTest
{
    private const string PromptId = "p_0123456789abcdef0123456789abcdef";
    private static readonly DateOnly Today = new(2026, 11, 18);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private StretchCatalog Catalog => Factory.Services.GetRequiredService<StretchCatalog>();

    [Fact]
    public async Task EveryTemplateWithItsSampleDataIsDrawnInFull()
    {
        var folder = Folder("templates");
        var templates = Directory.GetFiles(Path.Combine(NodeScript.RepoRoot, "cards", "slack"), "*.json")
            .Where(f => !f.EndsWith(".data.json", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Order()
            .ToList();

        var run = await NodeScript.RunAsync("render-blockkit.mjs", ["-", folder], Timeout);

        AssertDrawn(run, folder, [.. templates.Select(n => n!), "hostile"]);
    }

    [Fact]
    public async Task EveryRealMessageOfTheAppIsDrawnInFull()
    {
        var folder = Folder("views");
        var messages = RealMessages();
        var list = new JsonArray([.. messages.Select(m => new JsonObject { ["name"] = m.Name, ["message"] = m.Message })]);
        var listPath = Path.Combine(folder, "messages.json");
        await File.WriteAllTextAsync(listPath, list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var run = await NodeScript.RunAsync("render-blockkit.mjs", [listPath, folder], Timeout);

        AssertDrawn(run, folder, [.. messages.Select(m => m.Name)]);
    }

    /// <summary>The views people really get, through the app's own SlackRenderer and the real catalog.</summary>
    private List<(string Name, JsonObject Message)> RealMessages()
    {
        var renderer = new SlackRenderer(
            Factory.Services.GetRequiredService<IOptions<CardOptions>>(),
            Factory.Services.GetRequiredService<IWebHostEnvironment>(),
            Catalog);
        var safety = Catalog.Safety;
        var catCow = Catalog.All.Single(s => s.Id == "cat-cow");
        var messages = new List<(string Name, JsonObject Message)>();
        void Add(string name, View view)
        {
            var message = renderer.Render(view);
            messages.Add((name, new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() }));
        }

        Add("stretch-0-done", new StretchView(PromptId, catCow, Scheduled: true, DoneCount: 0, safety));
        Add("stretch-20-done", new StretchView(PromptId, catCow, Scheduled: false, DoneCount: 20, safety));
        Add("stretch-cautions", new StretchView(PromptId, Catalog.All.Single(s => s.Id == "bar-hang"), Scheduled: true, DoneCount: 1, safety));
        Add("stretch-mention", new MentionView("U0123ABCD", "Ada", new StretchView(PromptId, catCow, Scheduled: true, DoneCount: 2, safety)));
        for (var step = 1; step <= catCow.Steps.Count; step++)
        {
            Add($"walkthrough-{step}", new WalkthroughView(PromptId, catCow, step, AlreadyDone: false, safety));
        }

        Add("walkthrough-again", new WalkthroughView(PromptId, catCow, 2, AlreadyDone: true, safety));
        Add("done", new DoneView(PromptId, catCow, "Ada Lovelace", "Ada", AlreadyDone: false, StreakDays: 4, TotalStretches: 23, WeekCount: 5, Rank: 2, DoneCount: 3));
        Add("done-first", new DoneView(PromptId, catCow, "Ada Lovelace", null, AlreadyDone: false, StreakDays: 1, TotalStretches: 1, WeekCount: 1, Rank: 1, DoneCount: 1));
        Add("done-already", new DoneView(PromptId, catCow, "Ada Lovelace", "Ada", AlreadyDone: true, StreakDays: 4, TotalStretches: 23, WeekCount: 5, Rank: 2, DoneCount: 3));
        Add("welcome", new WelcomeView(FirstContact: true, safety));
        Add("help", new WelcomeView(FirstContact: false, safety));
        Add("catalog", new CatalogView(Catalog.All, null));
        Add("catalog-desk", new CatalogView(Catalog.Filter(new StretchFilter(StretchPlace.Desk, null, false)), "desk"));
        Add("catalog-none", new CatalogView([], "unicycle"));
        Add("stats", Stats());
        Add("stats-empty", new StatsView("Ada Lovelace", 0, 0, 0, null, [], Today));
        Add("leaderboard-12", Leaderboard());
        Add("leaderboard-empty", new LeaderboardView(Today.AddDays(-2), Today.AddDays(4), [], null));
        Add("schedule", Schedule());
        Add("schedule-empty", new ScheduleView("This chat's schedule", false, null, "Europe/Berlin (UTC+01:00)", "The default. Set it with `timezone`.", null, [], [],
            "Desk stretches", null, Hint: $"Type {Said.Command("schedule weekdays 10:30 15:00")} to set one."));
        Add("message", new MessageView("I didn't understand", $"I couldn't find a stretch called \"{"cat cow <3"}\".", $"Try {Said.Command("stretches")} to see them all."));
        Add("safety", new SafetyView(safety));
        Add("person-markup", new DoneView(PromptId, catCow, "<img src=x onerror=alert(1)> <script>alert(1)</script>", "<b>Ada</b> &amp; *friends*",
            AlreadyDone: false, StreakDays: 1, TotalStretches: 1, WeekCount: 1, Rank: 1, DoneCount: 1));

        var home = renderer.RenderHome(new SlackHome(Stats(), Leaderboard(),
            [new SlackHomeSchedule("team-backend", Schedule()), new SlackHomeSchedule("random", Schedule() with { When = null, Status = null, Next = [] })]));
        messages.Add(("home", (JsonObject)home.DeepClone()));
        var emptyHome = renderer.RenderHome(new SlackHome(new StatsView("Ada Lovelace", 0, 0, 0, null, [], Today), new LeaderboardView(Today, Today.AddDays(6), [], null), []));
        messages.Add(("home-empty", (JsonObject)emptyHome.DeepClone()));
        return messages;
    }

    /// <summary>
    /// The run drew every message with nothing unknown; each PNG is there, more than a blank frame, and about as tall as
    /// its blocks need (a message whose blocks weren't drawn is a byline and little else).
    /// </summary>
    private static void AssertDrawn(NodeRunResult run, string folder, IReadOnlyList<string> names)
    {
        Assert.True(run.ExitCode == 0, $"render-blockkit.mjs reported problems:\n{run.StdOut}\n{run.StdErr}");
        Assert.DoesNotContain("unknown", run.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"all {names.Count} messages ok", run.StdOut, StringComparison.Ordinal);

        var lines = run.StdOut.Split('\n');
        foreach (var name in names)
        {
            var line = lines.SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"{name}: no line in the run's output\n{run.StdOut}");
            var match = ResultLine().Match(line);
            Assert.True(match.Success, $"{name}: unexpected output line '{line}'");
            var blocks = int.Parse(match.Groups["blocks"].Value, System.Globalization.CultureInfo.InvariantCulture);

            var png = Path.Combine(folder, name + ".png");
            Assert.True(File.Exists(png), $"{png} was not written");
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 5_000, $"{name}.png has only {bytes.Length} bytes");
            Assert.Equal<byte>([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            var width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
            var height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4));
            Assert.True(width is 760 or 1000, $"{name}.png is {width} px wide");
            Assert.True(height >= 60 + (22 * blocks) && height < 8_000, $"{name}.png is {height} px high for {blocks} blocks");
        }
    }

    private static string Folder(string name)
    {
        var folder = Path.Combine(NodeScript.RepoRoot, "artifacts", "screenshots", "slack", name);
        Directory.CreateDirectory(folder);
        // Yesterday's pictures must not pass for today's.
        foreach (var old in Directory.GetFiles(folder, "*.png"))
        {
            File.Delete(old);
        }

        return folder;
    }

    private static StatsView Stats() => new("Ada Lovelace", 42, 5, 3, "Cat and cow",
        [.. Enumerable.Range(0, 4).Select(i => new RecentCompletion(i % 2 == 0 ? "Cat and cow" : "Seated back twist", new DateTimeOffset(2026, 11, 18 - i, 10, 30, 0, TimeSpan.FromHours(1))))], Today);

    private static LeaderboardView Leaderboard()
    {
        string[] people = ["Grace Hopper", "Ada Lovelace", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Margaret Hamilton",
            "Ken Thompson", "Frances Allen", "Dennis Ritchie", "Radia Perlman", "Tony Hoare"];
        var entries = people.Select((name, i) => new LeaderboardEntry(i + 1, $"U{i + 1:000000}", name, 14 - i, IsMe: i == 1)).ToList();
        return new LeaderboardView(Today.AddDays(-2), Today.AddDays(4), entries, entries[1]);
    }

    private static ScheduleView Schedule() => new(
        "Schedule set", false, "Weekdays (Mon–Fri) at 10:30 and 15:00", "Europe/Berlin (UTC+01:00)", "Set with `timezone`.", "Running.",
        ["Thu 19 Nov, 10:30", "Thu 19 Nov, 15:00", "Fri 20 Nov, 10:30"], ["Thu 24 Dec", "Fri 1 Jan 2027"], "Desk stretches", "Up to 10 minutes after each time",
        Hint: $"Type {Said.Command("schedule")} to see it again.");

    [GeneratedRegex(@"^\S+\s+(?<blocks>\d+) blocks\s+\d+x\d+\s+ok\s*$")]
    private static partial Regex ResultLine();
}
