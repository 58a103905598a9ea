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
    public async Task APersonAsksForADeskStretchStepsThroughItClicksDoneAndSeesOneInStats()
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
        Assert.Contains("Done", (string)report["confirmation"]!);
        Assert.Matches(@"\b1\b\s*in total", (string)report["stats"]!);
        Assert.Empty(report["requests"]!.AsArray());

        var completion = Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.StartsWith("local-", completion.UserId);
        Assert.Equal("You", completion.DisplayName);
    }
}
