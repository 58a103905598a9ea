using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Tests.Infrastructure;
using StretchBot.Tests.LocalChannel;

namespace StretchBot.Tests.Browser;

/// <summary>
/// The official Web Chat, in Debian's headless Chromium driven by playwright-core, talks to the app's Direct Line
/// endpoint over a real socket, as a person would use the playground.
/// </summary>
public sealed class PlaygroundBrowserTests : AppTest
{
    [Fact]
    public async Task APersonIsGreetedOnOpenNamesThemselvesDoesADeskStretchAndSeesTheirNameInStatsAndTheLeaderboard()
    {
        Factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var screenshots = Path.Combine(NodeScript.RepoRoot, "artifacts", "screenshots", "playground");

        var run = await NodeScript.RunAsync("e2e-playground.mjs", [address, screenshots], TimeSpan.FromMinutes(2));
        var report = JsonNode.Parse(run.StdOut.Trim().Split('\n')[^1])!;

        Assert.True(run.ExitCode == 0 && (bool)report["ok"]!, $"browser run failed: {report["error"]}\n{run.StdErr}\nscreenshots: {screenshots}");
        var stepCount = (int)report["stepCount"]!;
        Assert.True(stepCount >= 2, $"a desk stretch with {stepCount} steps");
        Assert.Equal(stepCount, (int)report["steps"]!);
        // Greeted before typing: the welcome card, with the safety advice and the friendly name to change.
        Assert.Contains("When to see the doctor", (string)report["greeting"]!);
        Assert.Matches(@"I.ll call you \w+ \w+ here", (string)report["greeting"]!);
        Assert.Contains("Done", (string)report["confirmation"]!);
        Assert.Contains("Nice work, Ada!", (string)report["confirmation"]!);
        Assert.Matches(@"\b1\b\s*in total", (string)report["stats"]!);
        Assert.Contains("Ada", (string)report["stats"]!);
        Assert.Contains("Ada (you)", (string)report["leaderboard"]!);
        Assert.DoesNotContain("You (you)", (string)report["leaderboard"]!);
        // At 390 px every text on the stats card fits: the streak reads "1", "🔥 day streak", nothing cut off.
        Assert.Empty(report["phoneCut"]!.AsArray());
        Assert.Matches(@"\b1\s*🔥 day streak", (string)report["phoneStats"]!);
        // Back again on reload: a short hello by name, not the welcome card again.
        Assert.Contains("Welcome back", (string)report["hello"]!);
        Assert.Contains("Ada", (string)report["hello"]!);
        Assert.Empty(report["requests"]!.AsArray());

        var completion = Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.StartsWith("local-", completion.UserId);
        Assert.Equal("Ada", completion.DisplayName);
    }
}
