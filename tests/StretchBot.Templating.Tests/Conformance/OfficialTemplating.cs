using System.Text.Json;
using System.Text.Json.Nodes;
using StretchBot.Tests;

namespace StretchBot.Templating.Tests.Conformance;

public sealed record TemplateCase(string Name, JsonNode? Template, JsonNode? Data);

public sealed record OfficialExpansion(string Name, bool Ok, JsonNode? Result, string? Error);

/// <summary>Expands cases with the official adaptivecards-templating package through tests/js/expand-templates.mjs, one node process per call.</summary>
public static class OfficialTemplating
{
    public const string ExpectedVersion = "2.3.1";

    public static async Task<IReadOnlyDictionary<string, OfficialExpansion>> ExpandAllAsync(
        IReadOnlyList<TemplateCase> cases,
        CancellationToken cancellationToken = default)
    {
        NodeScript.EnsureInstalled("adaptivecards-templating", "adaptive-expressions");
        var packageJson = JsonNode.Parse(await File.ReadAllTextAsync(
            Path.Combine(NodeScript.JsDirectory, "node_modules", "adaptivecards-templating", "package.json"), cancellationToken))!;
        var version = (string?)packageJson["version"];
        if (version != ExpectedVersion)
        {
            throw new InvalidOperationException(
                $"tests/js has adaptivecards-templating {version}, but the engine is proven against {ExpectedVersion}. {NodeScript.InstallHint}");
        }

        var workDir = Directory.CreateTempSubdirectory("stretchbot-templating-");
        try
        {
            var input = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["template"] = c.Template?.DeepClone(),
                ["data"] = c.Data?.DeepClone(),
            })]);
            var inPath = Path.Combine(workDir.FullName, "cases.json");
            var outPath = Path.Combine(workDir.FullName, "official.json");
            await File.WriteAllTextAsync(inPath, input.ToJsonString(), cancellationToken);

            var run = await NodeScript.RunAsync("expand-templates.mjs", [inPath, outPath], TimeSpan.FromMinutes(2), cancellationToken);
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException($"expand-templates.mjs exited with {run.ExitCode}: {run.StdErr}");
            }

            var results = JsonNode.Parse(await File.ReadAllTextAsync(outPath, cancellationToken))!.AsArray();
            return results.Select(r => new OfficialExpansion(
                    (string)r!["name"]!,
                    (bool)r["ok"]!,
                    r["result"]?.DeepClone(),
                    (string?)r["error"]))
                .ToDictionary(r => r.Name, StringComparer.Ordinal);
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    /// <summary>Null when our expansion agrees with the official one; otherwise a report naming the case, ours and theirs.</summary>
    public static string? Compare(TemplateCase testCase, OfficialExpansion official)
    {
        string ours;
        JsonNode? ourResult = null;
        var ourFailure = default(TemplateException);
        try
        {
            var template = AdaptiveCardTemplate.Parse(testCase.Template?.ToJsonString() ?? "null");
            ourResult = template.Expand(testCase.Data?.DeepClone());
            ours = ourResult?.ToJsonString(Indented) ?? "null";
        }
        catch (TemplateException e)
        {
            ourFailure = e;
            ours = $"TemplateException: {e.Message}";
        }

        if (!official.Ok)
        {
            return ourFailure is not null
                ? null
                : $"{testCase.Name}: the official package fails but ours does not.\n  ours:   {ours}\n  theirs: error: {official.Error}";
        }

        var theirs = official.Result?.ToJsonString(Indented) ?? "null";
        if (ourFailure is not null || !JsonEquality.DeepEquals(ourResult, official.Result))
        {
            return $"{testCase.Name}: expansions differ.\n  ours:   {ours}\n  theirs: {theirs}";
        }

        return null;
    }

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
