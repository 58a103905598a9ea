using System.Text;
using System.Text.Json.Nodes;

namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// The official adaptivecards package (in Node) as the oracle for our cards: zero parse or validation events, our lint
/// for what it misses (see tests/js/validate-cards.mjs), and every card under the 28 KB Teams budget.
/// </summary>
public static class OfficialRenderer
{
    public const int MaxCardBytes = 28 * 1024;

    public static async Task AssertValidAsync(IReadOnlyList<(string Name, JsonObject Card)> cards, string workDirectory)
    {
        Assert.NotEmpty(cards);
        var input = new JsonArray(cards.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["card"] = c.Card.DeepClone() }).ToArray());
        var inPath = Path.Combine(workDirectory, $"cards-in-{Guid.NewGuid():N}.json");
        var outPath = Path.Combine(workDirectory, $"cards-out-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(inPath, input.ToJsonString());

        var run = await NodeScript.RunAsync("validate-cards.mjs", [inPath, outPath, "--lint"]);
        Assert.True(run.ExitCode == 0, $"validate-cards.mjs failed: {run.StdErr}");

        var results = JsonNode.Parse(await File.ReadAllTextAsync(outPath))!.AsArray();
        Assert.Equal(cards.Count, results.Count);
        var problems = new StringBuilder();
        foreach (var result in results)
        {
            foreach (var e in result!["events"]!.AsArray())
            {
                problems.AppendLine($"{result["name"]}: [{e!["phase"]}] {e["event"]}: {e["message"]}");
            }
        }

        Assert.True(problems.Length == 0, problems.ToString());
        foreach (var (name, card) in cards)
        {
            var bytes = Encoding.UTF8.GetByteCount(card.ToJsonString());
            Assert.True(bytes < MaxCardBytes, $"{name} is {bytes} bytes");
        }
    }
}
