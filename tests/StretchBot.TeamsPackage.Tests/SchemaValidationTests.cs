using System.Text;
using System.Text.Json.Nodes;
using StretchBot.Tests;

namespace StretchBot.TeamsPackage.Tests;

/// <summary>
/// The filled manifest against Microsoft's Teams manifest JSON schema v1.24, checked by a real JSON-schema validator
/// (ajv with ajv-formats, tests/js/validate-manifest.mjs). The schema comes from the shared reference material
/// cloned beside the repository: ../shared/schemas.
/// </summary>
public class SchemaValidationTests
{
    private static string SchemaPath
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(NodeScript.RepoRoot, "..", "shared", "schemas", "MicrosoftTeams.schema.v1.24.json"));
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"The Teams manifest schema is missing: {path}. The shared reference material belongs beside the repository (../shared).");
            }

            return path;
        }
    }

    private static async Task<NodeRunResult> ValidateAsync(string manifestPath)
    {
        NodeScript.EnsureInstalled("ajv", "ajv-formats");
        return await NodeScript.RunAsync("validate-manifest.mjs", [SchemaPath, manifestPath]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_packaged_manifest_is_valid_against_the_v1_24_schema(bool withAppId)
    {
        using var dir = new TempDirectory();
        string[] args = ["--bot-id", Packager.BotId, "--domain", Packager.Domain];
        var run = Packager.Run(dir, withAppId ? [.. args, "--app-id", "0f4e8d2c-1a3b-4c5d-8e9f-a0b1c2d3e4f5"] : args);
        Assert.Equal(0, run.ExitCode);
        var manifest = dir.File("manifest.json");
        File.WriteAllBytes(manifest, run.Entry("manifest.json"));

        var result = await ValidateAsync(manifest);

        Assert.True(result.ExitCode == 0, $"ajv says:\n{result.StdOut}{result.StdErr}");
        Assert.Equal("valid", result.StdOut.Trim());

        var parsed = JsonNode.Parse(Encoding.UTF8.GetString(run.Entry("manifest.json")))!;
        Assert.Equal("https://developer.microsoft.com/json-schemas/teams/v1.24/MicrosoftTeams.schema.json", (string?)parsed["$schema"]);
        Assert.Equal("1.24", (string?)parsed["manifestVersion"]);
    }

    // The validator has to be able to say no, or the test above proves nothing.
    [Theory]
    [InlineData("bot id left as a placeholder", "/bots/0/botId must match pattern")]
    [InlineData("a property the schema does not know", "must NOT have additional properties")]
    [InlineData("a short description over 80 characters", "/description/short must NOT have more than 80 characters")]
    [InlineData("a developer website without https", "/developer/websiteUrl must match pattern")]
    public async Task The_validator_rejects_a_broken_manifest(string breakage, string expected)
    {
        var template = File.ReadAllText(Path.Combine(Packager.TemplateDirectory, "manifest.json"));
        var text = template.Replace(TeamsManifestTemplate.DomainPlaceholder, Packager.Domain, StringComparison.Ordinal);
        if (breakage != "bot id left as a placeholder")
        {
            text = text.Replace(TeamsManifestTemplate.BotIdPlaceholder, Packager.BotId, StringComparison.Ordinal);
        }

        var manifest = JsonNode.Parse(text)!;
        switch (breakage)
        {
            case "a property the schema does not know":
                manifest["stretchesPerDay"] = 3;
                break;
            case "a short description over 80 characters":
                manifest["description"]!["short"] = new string('s', 81);
                break;
            case "a developer website without https":
                manifest["developer"]!["websiteUrl"] = Packager.Domain;
                break;
        }

        using var dir = new TempDirectory();
        var path = dir.File("manifest.json");
        File.WriteAllText(path, manifest.ToJsonString());

        var result = await ValidateAsync(path);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}; ajv says:\n{result.StdOut}{result.StdErr}");
        Assert.Contains(expected, result.StdOut, StringComparison.Ordinal);
    }
}
