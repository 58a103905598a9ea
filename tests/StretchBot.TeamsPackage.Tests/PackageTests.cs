using System.Text;
using System.Text.Json.Nodes;

namespace StretchBot.TeamsPackage.Tests;

public class PackageTests
{
    private static readonly string[] Args = ["--bot-id", Packager.BotId, "--domain", Packager.Domain];

    private static JsonNode Manifest(PackagerRun run) =>
        JsonNode.Parse(Encoding.UTF8.GetString(run.Entry("manifest.json")))!;

    [Fact]
    public void The_zip_holds_exactly_the_manifest_and_both_icons_at_its_root()
    {
        using var dir = new TempDirectory();
        var run = Packager.Run(dir, Args);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.StdErr);
        Assert.Equal(["color.png", "manifest.json", "outline.png"], run.Entries().Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.Contains(run.ZipPath, run.StdOut, StringComparison.Ordinal);
        Assert.Contains("manifest.json", run.StdOut, StringComparison.Ordinal);

        // The icons are the committed PNGs, unchanged; the manifest names them.
        Assert.Equal(File.ReadAllBytes(Path.Combine(Packager.RepoManifestDirectory, "color.png")), run.Entry("color.png"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Packager.RepoManifestDirectory, "outline.png")), run.Entry("outline.png"));
        var manifest = Manifest(run);
        Assert.Equal("color.png", (string?)manifest["icons"]!["color"]);
        Assert.Equal("outline.png", (string?)manifest["icons"]!["outline"]);
    }

    [Fact]
    public void The_bot_id_and_domain_are_filled_in_everywhere()
    {
        using var dir = new TempDirectory();
        var run = Packager.Run(dir, Args);
        Assert.Equal(0, run.ExitCode);

        var text = Encoding.UTF8.GetString(run.Entry("manifest.json"));
        Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("}}", text, StringComparison.Ordinal);

        var manifest = JsonNode.Parse(text)!;
        var bot = Assert.Single(manifest["bots"]!.AsArray())!;
        Assert.Equal(Packager.BotId, (string?)bot["botId"]);
        Assert.Equal([Packager.Domain], manifest["validDomains"]!.AsArray().Select(d => (string?)d));
        foreach (var url in new[] { "websiteUrl", "privacyUrl", "termsOfUseUrl" })
        {
            var value = (string?)manifest["developer"]![url];
            Assert.StartsWith($"https://{Packager.Domain}/", value, StringComparison.Ordinal);
        }

        // The app's own id is the fixed one in the template, and it is not the bot's id.
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(Packager.RepoManifestDirectory, "manifest.json")))!;
        Assert.True(Guid.TryParseExact((string?)template["id"], "D", out _));
        Assert.Equal((string?)template["id"], (string?)manifest["id"]);
        Assert.NotEqual(Packager.BotId, (string?)manifest["id"]);
    }

    [Fact]
    public void App_id_replaces_the_fixed_app_id_and_nothing_else()
    {
        const string appId = "0f4e8d2c-1a3b-4c5d-8e9f-a0b1c2d3e4f5";
        using var dir = new TempDirectory();
        var run = Packager.Run(dir, [.. Args, "--app-id", appId]);
        Assert.Equal(0, run.ExitCode);

        var manifest = Manifest(run);
        Assert.Equal(appId, (string?)manifest["id"]);
        Assert.Equal(Packager.BotId, (string?)manifest["bots"]![0]!["botId"]);
    }

    [Fact]
    public void The_bot_takes_messages_and_cards_in_every_scope_and_lists_its_commands_there()
    {
        using var dir = new TempDirectory();
        var manifest = Manifest(Packager.Run(dir, Args));
        var bot = manifest["bots"]![0]!;

        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => (string?)s));
        Assert.False((bool)bot["isNotificationOnly"]!);
        Assert.False((bool)bot["supportsFiles"]!);
        Assert.Null(manifest["webApplicationInfo"]);

        var lists = bot["commandLists"]!.AsArray();
        foreach (var scope in bot["scopes"]!.AsArray().Select(s => (string)s!))
        {
            // Teams shows one command menu per scope: exactly one list may name it.
            var list = Assert.Single(lists, l => l!["scopes"]!.AsArray().Any(s => (string?)s == scope))!;
            var titles = list["commands"]!.AsArray().Select(c => (string)c!["title"]!).ToList();
            foreach (var command in new[] { "help", "stretch", "leaderboard", "stats", "schedule" })
            {
                Assert.Contains(command, titles);
            }

            Assert.All(list["commands"]!.AsArray(), c => Assert.False(string.IsNullOrWhiteSpace((string?)c!["description"])));
        }
    }

    [Fact]
    public void Names_and_descriptions_fit_the_limits_and_say_it_is_not_medical_advice()
    {
        using var dir = new TempDirectory();
        var manifest = Manifest(Packager.Run(dir, Args));

        Assert.Equal("StretchBot", (string?)manifest["name"]!["short"]);
        Assert.InRange(((string)manifest["description"]!["short"]!).Length, 1, 80);
        var full = (string)manifest["description"]!["full"]!;
        Assert.InRange(full.Length, 1, 4000);
        Assert.Contains("not medical advice", full, StringComparison.Ordinal);
        Assert.Matches("^#[0-9A-Fa-f]{6}$", (string?)manifest["accentColor"]);
    }

    [Fact]
    public void The_same_inputs_give_the_same_zip_byte_for_byte()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var a = Packager.Run(first, Args);
        var b = Packager.Run(second, Args);

        Assert.Equal(File.ReadAllBytes(a.ZipPath), File.ReadAllBytes(b.ZipPath));
    }

    [Fact]
    public void Without_out_it_writes_artifacts_stretchbot_teams_zip_under_the_repository_root()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("StretchBot.sln"), "");
        var nested = Directory.CreateDirectory(Path.Combine(dir.Path, "src", "somewhere")).FullName;
        var expected = Path.Combine(dir.Path, "artifacts", "stretchbot-teams.zip");

        var run = Packager.RunIn(nested, expected, [.. Args]);

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(expected), run.StdOut + run.StdErr);
        Assert.Contains(expected, run.StdOut, StringComparison.Ordinal);
        Assert.Equal(3, run.Entries().Count);
    }

    [Fact]
    public void A_template_placeholder_left_unfilled_is_an_error_and_writes_no_zip()
    {
        using var templates = new TempDirectory();
        foreach (var file in Directory.GetFiles(Packager.TemplateDirectory))
        {
            File.Copy(file, templates.File(Path.GetFileName(file)));
        }

        var manifest = File.ReadAllText(templates.File("manifest.json"));
        File.WriteAllText(templates.File("manifest.json"), manifest.Replace("\"StretchBot\"", "\"{{DEVELOPER_NAME}}\"", StringComparison.Ordinal));
        using var dir = new TempDirectory();
        var zip = dir.File("out.zip");

        var run = Packager.RunIn(dir.Path, zip, [.. Args, "--out", zip], templates.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("{{DEVELOPER_NAME}}", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(zip));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Fill_rejects_any_leftover_double_brace()
    {
        var template = """{ "id": "{{APP_ID}}", "icons": { "color": "color.png", "outline": "outline.png" }, "bots": [{ "botId": "{{BOT_ID}}" }] }""";

        var e = Assert.Throws<TeamsPackageException>(() => TeamsManifestTemplate.Fill(template, Guid.Parse(Packager.BotId), Packager.Domain));
        Assert.Contains("{{APP_ID}}", e.Message, StringComparison.Ordinal);
    }
}
