using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Tests.Infrastructure;
using StretchBot.Tests.LocalChannel;

namespace StretchBot.Tests.Cards;

/// <summary>
/// Every card the app actually sends, gathered through real turns, is parsed by the official adaptivecards renderer
/// with zero parse or validation events, passes our lint for what that renderer misses, and stays under 28 KB.
/// </summary>
public sealed class CardConformanceTests : AppTest
{
    [Fact]
    public async Task EveryCardTheAppSendsPassesTheOfficialRendererAndOurLint()
    {
        var cards = await CollectCardsAsync();

        await OfficialRenderer.AssertValidAsync(cards, Factory.DataDirectory);
    }

    private async Task<List<(string Name, JsonObject Card)>> CollectCardsAsync()
    {
        var cards = new List<(string, JsonObject)>();
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());

        async Task Say(string name, string text, User? user = null)
        {
            await chat.SayAsync(text, user);
            AddAll(name, await chat.RepliesAsync());
        }

        async Task Click(string name, JsonObject value, User? user = null)
        {
            await chat.SubmitAsync(value, user);
            AddAll(name, await chat.RepliesAsync());
        }

        void AddAll(string name, List<JsonObject> replies)
        {
            for (var i = 0; i < replies.Count; i++)
            {
                if (DirectLineClient.CardOf(replies[i]) is { } card)
                {
                    cards.Add((replies.Count == 1 ? name : $"{name}#{i}", card));
                }
            }
        }

        await Say("stats-empty (first contact)", "stats");
        await Say("leaderboard-empty", "leaderboard");
        await Say("help", "help");
        await Say("stretches", "stretches");
        await Say("stretches-floor", "stretches floor");
        var catalog = Factory.Services.GetRequiredService<StretchCatalog>();
        foreach (var stretch in catalog.All)
        {
            await Say($"stretch {stretch.Id}", $"stretch {stretch.Name}");
        }

        var last = cards[^1].Item2;
        await Click("done", DirectLineClient.DoneDataOf(last));
        await Click("done-again", DirectLineClient.DoneDataOf(last));
        await Say("stats", "stats");
        await Say("leaderboard", "leaderboard");
        await Say("schedule-empty", "schedule");
        await Say("schedule-set", "schedule 10:30 15:00");
        await Say("schedule-every", "schedule every 90m 9:00-17:00 mon-fri");
        await Say("schedule-holidays", "holidays add 2026-12-24..2026-12-31");
        await Say("schedule-paused", "pause 1w");
        await Say("schedule-jitter", "jitter 10m");
        await Say("schedule-shown", "schedule");
        await Say("reminder", "remind me weekdays 11:00");

        // Teams can send Action.Execute: the stretch card carries Execute with a Submit fallback there.
        var renderer = Factory.Services.GetRequiredService<CardRenderer>();
        foreach (var stretch in catalog.All)
        {
            var view = new StretchView("p_0123456789abcdef0123456789abcdef", stretch, Scheduled: true, DoneCount: 6, catalog.Safety);
            cards.Add(($"teams stretch {stretch.Id}", renderer.Render(view, new ChannelCapabilities(SupportsExecute: true)).Card!));
            // A person's own walkthrough, every step of it, with Execute (Teams) and Submit only.
            for (var step = 1; step <= stretch.Steps.Count; step++)
            {
                var walk = new WalkthroughView(view.PromptId, stretch, step, AlreadyDone: step == 2, catalog.Safety);
                cards.Add(($"teams walkthrough {stretch.Id} {step}", renderer.Render(walk, new ChannelCapabilities(SupportsExecute: true)).Card!));
                cards.Add(($"submit walkthrough {stretch.Id} {step}", renderer.Render(walk, new ChannelCapabilities(SupportsExecute: false)).Card!));
            }
        }

        return cards;
    }
}

/// <summary>
/// Each template with its sample data, expanded by the official templating library and rendered by the official
/// renderer in headless Chromium: no events, and the buttons behave (Next steps through to Done, Done sends the
/// right data, Safety opens). Screenshots land in artifacts/screenshots/cards for a person to look at.
/// </summary>
public sealed class CardTemplateRenderingTests
{
    [Fact]
    public async Task EveryTemplateRendersAndItsButtonsWorkInTheOfficialRenderer()
    {
        var screenshots = Path.Combine(NodeScript.RepoRoot, "artifacts", "screenshots", "cards");

        var run = await NodeScript.RunAsync("render-cards.mjs", [string.Empty, screenshots], TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, $"render-cards.mjs reported problems:\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("cards ok", run.StdOut);
        Assert.NotEmpty(Directory.GetFiles(screenshots, "stretch*.png"));
    }
}
