using System.Text;
using System.Text.Json.Nodes;
using StretchBot.Tests;

namespace StretchBot.Templating.Tests.Conformance;

/// <summary>
/// Every Teams card template in cards/teams, bound to the sample data beside it (name.data.json), expands exactly
/// as the official package expands it. The folder is read at test time, so new cards are covered automatically.
/// </summary>
public sealed class TeamsCardTemplateTests
{
    private static string CardsDirectory => Path.Combine(NodeScript.RepoRoot, "cards", "teams");

    [Fact]
    public async Task EveryTeamsCardTemplateExpandsLikeTheOfficialPackage()
    {
        var templates = Directory.GetFiles(CardsDirectory, "*.json")
            .Where(f => !f.EndsWith(".data.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var withoutData = templates.Where(t => !File.Exists(DataPathFor(t))).Select(Path.GetFileName).ToList();
        Assert.True(withoutData.Count == 0, $"Card templates without sample data beside them (add name.data.json): {string.Join(", ", withoutData)}");

        var cases = templates.Select(t => new TemplateCase(
                Path.GetFileName(t),
                JsonNode.Parse(File.ReadAllText(t)),
                JsonNode.Parse(File.ReadAllText(DataPathFor(t)))))
            .ToList();
        var official = await OfficialTemplating.ExpandAllAsync(cases);

        var problems = new StringBuilder();
        foreach (var testCase in cases)
        {
            var theirs = official[testCase.Name];
            if (!theirs.Ok)
            {
                problems.AppendLine($"{testCase.Name}: the official package cannot expand it: {theirs.Error}");
                continue;
            }

            var mismatch = OfficialTemplating.Compare(testCase, theirs);
            if (mismatch is not null)
            {
                problems.AppendLine(mismatch);
            }
        }

        Assert.True(problems.Length == 0, problems.ToString());
    }

    private static string DataPathFor(string templatePath) =>
        Path.Combine(Path.GetDirectoryName(templatePath)!, Path.GetFileNameWithoutExtension(templatePath) + ".data.json");
}
