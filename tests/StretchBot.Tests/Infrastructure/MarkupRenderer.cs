using System.Text.Json.Nodes;

namespace StretchBot.Tests.Infrastructure;

/// <summary>One piece of markup seen in a rendered card or message: its tag and its text.</summary>
public sealed record LiveElement(string Tag, string Text, string? Href);

/// <summary>What a person sees of one card or message, rendered one way ("official" or "webchat").</summary>
public sealed record RenderedView(string Name, string Mode, string Text, IReadOnlyList<LiveElement> Elements);

/// <summary>
/// Renders cards with the official adaptivecards renderer and markdown messages with markdown-it, each both as the
/// renderer's docs set it up and as Web Chat configures it (tests/js/render-markup.mjs), and reports the visible text
/// and every element that is markup (links, emphasis, code, lists, headings, raw HTML).
/// </summary>
public static class MarkupRenderer
{
    public static async Task<IReadOnlyList<RenderedView>> RenderAsync(IReadOnlyList<(string Name, JsonObject? Card, string? Markdown)> items, string workDirectory)
    {
        Assert.NotEmpty(items);
        var input = new JsonArray(items.Select(i => (JsonNode)new JsonObject
        {
            ["name"] = i.Name,
            ["card"] = i.Card?.DeepClone(),
            ["markdown"] = i.Markdown,
        }).ToArray());
        var inPath = Path.Combine(workDirectory, $"markup-in-{Guid.NewGuid():N}.json");
        var outPath = Path.Combine(workDirectory, $"markup-out-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(inPath, input.ToJsonString());

        var run = await NodeScript.RunAsync("render-markup.mjs", [inPath, outPath], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"render-markup.mjs failed: {run.StdErr}");

        return JsonNode.Parse(await File.ReadAllTextAsync(outPath))!.AsArray().Select(r => new RenderedView(
            (string)r!["name"]!,
            (string)r["mode"]!,
            (string)r["text"]!,
            r["elements"]!.AsArray().Select(e => new LiveElement((string)e!["tag"]!, (string)e["text"]!, (string?)e["href"])).ToList())).ToList();
    }
}
