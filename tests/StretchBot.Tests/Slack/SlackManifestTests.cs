using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StretchBot.Tests.Slack;

/// <summary>
/// The Slack app manifests in manifests/slack, checked by Slack's official JSON schema (ajv through
/// tests/js/validate-slack-manifest.mjs, which reads the YAML with js-yaml; the schema is the copy in
/// tests/js/schemas/slack) and then by StretchBot's own rules: what the app serves where, the two variants describing
/// the same app, the scopes the protocol notes (../shared/protocols/slack.md, section 9) call for, and what the schema
/// leaves unchecked.
/// </summary>
public sealed class SlackManifestTests : IDisposable
{
    private const string HttpManifest = "manifest.yml";
    private const string SocketModeManifest = "manifest.socket-mode.yml";
    private const string Host = "https://YOUR-HOST";

    private static readonly string[] BotEvents =
        ["app_mention", "message.im", "app_home_opened", "member_joined_channel", "app_uninstalled", "tokens_revoked"];

    // What each bot event needs granted before Slack delivers it (slack.md sections 3 and 9). app_home_opened,
    // app_uninstalled and tokens_revoked need no scope.
    private static readonly Dictionary<string, string[]> ScopesOfEvent = new()
    {
        ["app_mention"] = ["app_mentions:read"],
        ["message.im"] = ["im:history"],
        ["member_joined_channel"] = ["channels:read", "groups:read"],
    };

    private readonly string _work = Directory.CreateTempSubdirectory("stretchbot-slack-manifest-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string ManifestPath(string name) => Path.Combine(NodeScript.RepoRoot, "manifests", "slack", name);

    private async Task<(NodeRunResult Run, JsonNode? Parsed)> ValidateAsync(string path)
    {
        NodeScript.EnsureInstalled("ajv", "ajv-formats", "js-yaml");
        var json = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".json");
        var run = await NodeScript.RunAsync("validate-slack-manifest.mjs", [path, "--write-json", json]);
        return (run, File.Exists(json) ? JsonNode.Parse(File.ReadAllText(json)) : null);
    }

    /// <summary>The manifest as js-yaml read it, after asserting that Slack's schema accepts it.</summary>
    private async Task<JsonNode> LoadValidAsync(string name)
    {
        var (run, parsed) = await ValidateAsync(ManifestPath(name));
        Assert.True(run.ExitCode == 0, $"{name}: exit {run.ExitCode}; the validator says:\n{run.StdOut}{run.StdErr}");
        Assert.Equal("valid", run.StdOut.Trim());
        return parsed!;
    }

    private static string[] Strings(JsonNode? array) =>
        array?.AsArray().Select(n => (string)n!).ToArray() ?? [];

    private static IEnumerable<(string Path, string Value)> StringLeaves(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var leaf in StringLeaves(child, $"{path}/{key}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var leaf in StringLeaves(array[i], $"{path}/{i}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                yield return (path, text);
                break;
        }
    }

    /// <summary>
    /// Rules Slack's schema does not express: its background colour pattern is spelt <c>regex</c>, not <c>pattern</c>,
    /// so no validator applies it; Slack's own checks that tie request URLs to Socket Mode (the messages are the ones
    /// its apps.manifest.validate documents); and nothing ties scopes, commands and events to a bot user or to each
    /// other.
    /// </summary>
    private static List<string> OwnRuleViolations(JsonNode manifest)
    {
        var problems = new List<string>();
        var socketMode = (bool?)manifest["settings"]?["socket_mode_enabled"] ?? false;
        var eventSubscriptions = manifest["settings"]?["event_subscriptions"];
        if (eventSubscriptions is not null && eventSubscriptions["request_url"] is null && !socketMode)
        {
            problems.Add("Event Subscription requires either Request URL or Socket Mode Enabled");
        }

        var interactivity = manifest["settings"]?["interactivity"];
        var interactive = (bool?)interactivity?["is_enabled"] ?? false;
        if (interactive && interactivity!["request_url"] is null && !socketMode)
        {
            problems.Add("Interactivity requires a Request URL");
        }

        if (!socketMode && (manifest["features"]?["slash_commands"]?.AsArray() ?? []).Any(c => c?["url"] is null))
        {
            problems.Add("a slash command needs a url unless Socket Mode is on");
        }

        var color = (string?)manifest["display_information"]?["background_color"];
        if (color is not null && !Regex.IsMatch(color, "^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$"))
        {
            problems.Add($"background_color '{color}' is not #RGB or #RRGGBB");
        }

        var scopes = Strings(manifest["oauth_config"]?["scopes"]?["bot"]);
        var events = Strings(manifest["settings"]?["event_subscriptions"]?["bot_events"]);
        var commands = manifest["features"]?["slash_commands"]?.AsArray() ?? [];
        if (manifest["features"]?["bot_user"] is null && (scopes.Length > 0 || events.Length > 0 || commands.Count > 0))
        {
            problems.Add("bot scopes, bot events and slash commands need features.bot_user");
        }

        if (commands.Count > 0 && !scopes.Contains("commands"))
        {
            problems.Add("slash commands need the 'commands' scope");
        }

        foreach (var botEvent in events)
        {
            if (ScopesOfEvent.TryGetValue(botEvent, out var needed) && !needed.Any(scopes.Contains))
            {
                problems.Add($"bot event {botEvent} needs one of the scopes {string.Join(", ", needed)}");
            }
        }

        return problems;
    }

    [Theory]
    [InlineData(HttpManifest)]
    [InlineData(SocketModeManifest)]
    public async Task Each_manifest_is_valid_against_Slacks_schema_and_StretchBots_own_rules(string name)
    {
        var manifest = await LoadValidAsync(name);

        Assert.Empty(OwnRuleViolations(manifest));
        Assert.Equal(1, (int)manifest["_metadata"]!["major_version"]!);
        Assert.Equal(1, (int)manifest["_metadata"]!["minor_version"]!);

        var display = manifest["display_information"]!;
        Assert.Equal("StretchBot", (string?)display["name"]);
        Assert.InRange(((string)display["long_description"]!).Length, 175, 4000);
        Assert.False(string.IsNullOrWhiteSpace((string?)display["description"]));

        var features = manifest["features"]!;
        Assert.Equal("StretchBot", (string?)features["bot_user"]!["display_name"]);
        Assert.True((bool)features["bot_user"]!["always_online"]!);
        Assert.True((bool)features["app_home"]!["home_tab_enabled"]!);
        Assert.True((bool)features["app_home"]!["messages_tab_enabled"]!);
        Assert.False((bool)features["app_home"]!["messages_tab_read_only_enabled"]!);

        var command = Assert.Single(features["slash_commands"]!.AsArray())!;
        Assert.Equal("/stretch", (string?)command["command"]);
        Assert.False((bool)command["should_escape"]!);
        foreach (var word in new[] { "desk", "back", "stats", "leaderboard", "schedule weekdays 10:30", "help" })
        {
            Assert.Contains(word, (string)command["usage_hint"]!, StringComparison.Ordinal);
        }

        var settings = manifest["settings"]!;
        Assert.Equal(BotEvents, Strings(settings["event_subscriptions"]!["bot_events"]));
        Assert.True((bool)settings["interactivity"]!["is_enabled"]!);
        Assert.False((bool)settings["org_deploy_enabled"]!);
        Assert.False((bool)settings["token_rotation_enabled"]!);
    }

    [Fact]
    public async Task The_socket_mode_manifest_connects_out_and_names_no_url()
    {
        var manifest = await LoadValidAsync(SocketModeManifest);

        Assert.True((bool)manifest["settings"]!["socket_mode_enabled"]!);
        Assert.Null(manifest["features"]!["slash_commands"]![0]!["url"]);
        Assert.Null(manifest["settings"]!["event_subscriptions"]!["request_url"]);
        Assert.Null(manifest["settings"]!["interactivity"]!["request_url"]);
        Assert.Null(manifest["settings"]!["interactivity"]!["message_menu_options_url"]);
        Assert.Null(manifest["oauth_config"]!["redirect_urls"]);
        // Nor anywhere else: the point of Socket Mode is that Slack is never sent to us.
        Assert.DoesNotContain(StringLeaves(manifest), leaf => leaf.Value.Contains("://", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_http_manifest_sends_events_commands_and_clicks_to_slack_events_and_oauth_to_its_callback()
    {
        var manifest = await LoadValidAsync(HttpManifest);

        Assert.False((bool)manifest["settings"]!["socket_mode_enabled"]!);
        Assert.Equal($"{Host}/slack/events", (string?)manifest["features"]!["slash_commands"]![0]!["url"]);
        Assert.Equal($"{Host}/slack/events", (string?)manifest["settings"]!["event_subscriptions"]!["request_url"]);
        Assert.Equal($"{Host}/slack/events", (string?)manifest["settings"]!["interactivity"]!["request_url"]);
        Assert.Equal([$"{Host}/slack/oauth/callback"], Strings(manifest["oauth_config"]!["redirect_urls"]));
        // Every URL is one of those four, on the one host the README tells people to replace.
        Assert.All(
            StringLeaves(manifest).Where(leaf => leaf.Value.Contains("://", StringComparison.Ordinal)),
            leaf => Assert.Matches("^https://YOUR-HOST/slack/(events|oauth/callback)$", leaf.Value));
    }

    [Fact]
    public async Task Both_manifests_describe_the_same_app_apart_from_how_slack_reaches_it()
    {
        var http = await LoadValidAsync(HttpManifest);
        var socket = await LoadValidAsync(SocketModeManifest);

        Assert.Equal(Strings(http["oauth_config"]!["scopes"]!["bot"]), Strings(socket["oauth_config"]!["scopes"]!["bot"]));
        Assert.Equal(
            Strings(http["settings"]!["event_subscriptions"]!["bot_events"]),
            Strings(socket["settings"]!["event_subscriptions"]!["bot_events"]));

        // Everything else too: the HTTP manifest without its URLs and with Socket Mode on is the Socket Mode manifest.
        var withoutUrls = http.DeepClone();
        withoutUrls["features"]!["slash_commands"]![0]!.AsObject().Remove("url");
        withoutUrls["settings"]!["event_subscriptions"]!.AsObject().Remove("request_url");
        withoutUrls["settings"]!["interactivity"]!.AsObject().Remove("request_url");
        withoutUrls["oauth_config"]!.AsObject().Remove("redirect_urls");
        withoutUrls["settings"]!["socket_mode_enabled"] = true;
        Assert.True(
            JsonNode.DeepEquals(withoutUrls, socket),
            $"The manifests differ beyond their URLs:\n{withoutUrls.ToJsonString()}\n{socket.ToJsonString()}");
    }

    [Fact]
    public async Task Every_scope_the_protocol_notes_call_for_is_requested_and_none_beyond_their_table()
    {
        var path = Path.GetFullPath(Path.Combine(NodeScript.RepoRoot, "..", "shared", "protocols", "slack.md"));
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The Slack protocol notes are missing: {path}. The shared reference material belongs beside the repository (../shared).");
        }

        // Section 9's table: "| `chat:write` | Post messages. |", several scopes in a row, "(optional)" after some.
        var section = File.ReadAllText(path).Split("## 9. App manifest")[1].Split("\n## ")[0];
        var rows = section.Split('\n')
            .Where(line => Regex.IsMatch(line, @"^\|\s*`"))
            .Select(line => line.Split('|')[1])
            .ToList();
        var needed = rows.Where(cell => !cell.Contains("(optional)", StringComparison.Ordinal))
            .SelectMany(cell => Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value)).ToList();
        var listed = rows.SelectMany(cell => Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value)).ToList();
        Assert.Equal(8, needed.Count);

        foreach (var name in new[] { HttpManifest, SocketModeManifest })
        {
            var scopes = Strings((await LoadValidAsync(name))["oauth_config"]!["scopes"]!["bot"]);
            Assert.All(needed, scope => Assert.Contains(scope, scopes));
            Assert.All(scopes, scope => Assert.Contains(scope, listed));
            Assert.Equal(scopes.Length, scopes.Distinct().Count());
        }
    }

    // The validator has to be able to say no, or the tests above prove nothing.
    [Theory]
    [InlineData("a name over 35 characters", "/display_information/name must NOT have more than 35 characters")]
    [InlineData("a long description under 175 characters", "/display_information/long_description must NOT have fewer than 175 characters")]
    [InlineData("a description over 140 characters", "/display_information/description must NOT have more than 140 characters")]
    [InlineData("a command without its slash", "/features/slash_commands/0/command must match pattern")]
    [InlineData("a bot user without a display name", "/features/bot_user must have required property 'display_name'")]
    [InlineData("interactivity without is_enabled", "/settings/interactivity must have required property 'is_enabled'")]
    [InlineData("a request URL that is not a URL", "/settings/event_subscriptions/request_url must match pattern")]
    [InlineData("a misspelt setting", "/settings must NOT have additional properties {\"additionalProperty\":\"socket_mode\"}")]
    [InlineData("no display information", "/ must have required property 'display_information'")]
    [InlineData("major version 3", "/ must match exactly one schema in oneOf")]
    public async Task The_validator_rejects_a_manifest_slack_would_refuse(string breakage, string expected)
    {
        var manifest = await LoadValidAsync(HttpManifest);
        switch (breakage)
        {
            case "a name over 35 characters":
                manifest["display_information"]!["name"] = "StretchBot, the stretch break helper";
                break;
            case "a long description under 175 characters":
                manifest["display_information"]!["long_description"] = "Stretch breaks for your team.";
                break;
            case "a description over 140 characters":
                manifest["display_information"]!["description"] = new string('s', 141);
                break;
            case "a command without its slash":
                manifest["features"]!["slash_commands"]![0]!["command"] = "stretch";
                break;
            case "a bot user without a display name":
                manifest["features"]!["bot_user"]!.AsObject().Remove("display_name");
                break;
            case "interactivity without is_enabled":
                manifest["settings"]!["interactivity"]!.AsObject().Remove("is_enabled");
                break;
            case "a request URL that is not a URL":
                manifest["settings"]!["event_subscriptions"]!["request_url"] = "YOUR-HOST/slack/events";
                break;
            case "a misspelt setting":
                manifest["settings"]!["socket_mode"] = true;
                break;
            case "no display information":
                manifest.AsObject().Remove("display_information");
                break;
            case "major version 3":
                manifest["_metadata"]!["major_version"] = 3;
                break;
        }

        // JSON is YAML: the validator reads it through js-yaml like the manifests.
        var path = Path.Combine(_work, "broken.json");
        File.WriteAllText(path, manifest.ToJsonString());
        var (run, _) = await ValidateAsync(path);

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}; the validator says:\n{run.StdOut}{run.StdErr}");
        Assert.Contains(expected, run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_yaml_manifest_with_a_key_twice_is_refused_rather_than_read_last_one_wins()
    {
        var text = File.ReadAllText(ManifestPath(HttpManifest));
        var path = Path.Combine(_work, "twice.yml");
        var twice = text.Replace(
            "  socket_mode_enabled: false\n",
            "  socket_mode_enabled: false\n  socket_mode_enabled: true\n",
            StringComparison.Ordinal);
        Assert.NotEqual(text, twice);
        File.WriteAllText(path, twice);

        var (run, _) = await ValidateAsync(path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("duplicated mapping key", run.StdErr, StringComparison.Ordinal);
    }

    // What Slack's schema lets through, StretchBot's own rules catch: each of these passes the schema.
    [Theory]
    [InlineData("a colour name", "background_color 'teal' is not #RGB or #RRGGBB")]
    [InlineData("no bot user", "bot scopes, bot events and slash commands need features.bot_user")]
    [InlineData("no commands scope", "slash commands need the 'commands' scope")]
    [InlineData("no im:history", "bot event message.im needs one of the scopes im:history")]
    [InlineData("no events URL", "Event Subscription requires either Request URL or Socket Mode Enabled")]
    [InlineData("no interactivity URL", "Interactivity requires a Request URL")]
    [InlineData("no command URL", "a slash command needs a url unless Socket Mode is on")]
    public async Task StretchBots_own_rules_catch_what_the_schema_lets_through(string breakage, string expected)
    {
        var manifest = await LoadValidAsync(HttpManifest);
        var bot = manifest["oauth_config"]!["scopes"]!["bot"]!.AsArray();
        switch (breakage)
        {
            case "a colour name":
                manifest["display_information"]!["background_color"] = "teal";
                break;
            case "no bot user":
                manifest["features"]!.AsObject().Remove("bot_user");
                break;
            case "no commands scope":
                bot.Remove(bot.Single(s => (string)s! == "commands"));
                break;
            case "no im:history":
                bot.Remove(bot.Single(s => (string)s! == "im:history"));
                break;
            case "no events URL":
                manifest["settings"]!["event_subscriptions"]!.AsObject().Remove("request_url");
                break;
            case "no interactivity URL":
                manifest["settings"]!["interactivity"]!.AsObject().Remove("request_url");
                break;
            case "no command URL":
                manifest["features"]!["slash_commands"]![0]!.AsObject().Remove("url");
                break;
        }

        var path = Path.Combine(_work, "lax.json");
        File.WriteAllText(path, manifest.ToJsonString());
        var (run, parsed) = await ValidateAsync(path);

        Assert.True(run.ExitCode == 0, $"Slack's schema was expected to let this through; it says:\n{run.StdOut}{run.StdErr}");
        Assert.Equal([expected], OwnRuleViolations(parsed!));
    }
}
