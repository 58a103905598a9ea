using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace StretchBot.Tests.Deployment;

/// <summary>
/// The README's deployment as a person does it: publish, then <c>dotnet out/StretchBot.dll</c> from some other folder.
/// Everything the app needs (appsettings.json, wwwroot with the Web Chat bundle, the card templates) travels in the
/// publish folder, and a relative database path lands beside the app, never in the working folder.
/// </summary>
public sealed class PublishedAppTests(PublishedApp app) : IClassFixture<PublishedApp>
{
    [Fact]
    public async Task PublishedAppStartedFromAnotherFolderServesThePlaygroundAndAnswersStretch()
    {
        var workingDirectory = app.NewWorkingDirectory();
        await using var running = await PublishedAppProcess.StartAsync(app, workingDirectory);
        using var http = running.CreateClient();

        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>StretchBot playground</title>", html);
        Assert.Contains("/lib/webchat.js", html);

        using var bundle = await http.GetAsync("/lib/webchat.js");
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        var bundleBytes = await bundle.Content.ReadAsByteArrayAsync();
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(app.OutputDirectory, "wwwroot", "lib", "webchat.js")), bundleBytes);

        var card = await StretchCardAsync(http);
        Assert.NotEmpty(card["body"]!.AsArray());

        // The README's default: data/stretchbot.db beside StretchBot.dll, and nothing written to the working folder.
        var database = Path.Combine(app.OutputDirectory, "data", "stretchbot.db");
        Assert.True(File.Exists(database), $"No database at {database}.\n{running.Output}");
        Assert.True(CountRows(database, "prompts") > 0, "The stretch card's prompt was not stored in the configured database.");
        Assert.Empty(Directory.EnumerateFileSystemEntries(workingDirectory));
    }

    [Fact]
    public async Task ARelativeSqlitePathIsUnderTheAppsFolderNotTheWorkingFolder()
    {
        var workingDirectory = app.NewWorkingDirectory();
        var relative = Path.Combine("state-" + Guid.NewGuid().ToString("N")[..8], "bot.db");

        await using var running = await PublishedAppProcess.StartAsync(app, workingDirectory, $"--Storage:SqlitePath={relative}");
        using var http = running.CreateClient();
        await StretchCardAsync(http);

        var database = Path.Combine(app.OutputDirectory, relative);
        Assert.True(File.Exists(database), $"No database at {database}.\n{running.Output}");
        Assert.True(CountRows(database, "prompts") > 0);
        Assert.Empty(Directory.EnumerateFileSystemEntries(workingDirectory));
    }

    [Fact]
    public async Task AnAbsoluteSqlitePathIsUsedAsGiven()
    {
        var workingDirectory = app.NewWorkingDirectory();
        var database = Path.Combine(app.Root, "elsewhere-" + Guid.NewGuid().ToString("N")[..8], "stretchbot.db");

        await using var running = await PublishedAppProcess.StartAsync(app, workingDirectory, $"--Storage:SqlitePath={database}");
        using var http = running.CreateClient();
        await StretchCardAsync(http);

        Assert.True(File.Exists(database), $"No database at {database}.\n{running.Output}");
        Assert.True(CountRows(database, "prompts") > 0);
        Assert.Empty(Directory.EnumerateFileSystemEntries(workingDirectory));
    }

    [Fact]
    public async Task ABadSettingStopsThePublishedAppWithOneLineAndNoStackTrace()
    {
        var result = await app.RunToExitAsync(app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--StretchBot:LeaderboardSize=999");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result));
        Assert.StartsWith("StretchBot could not start: ", line);
        Assert.Contains("LeaderboardSize", line);
    }

    [Fact]
    public async Task ABadTeamsSettingStopsThePublishedAppWithOneLineSayingWhatToFix()
    {
        var result = await app.RunToExitAsync(app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--Teams:MicrosoftAppId=my-bot", "--Teams:MicrosoftAppPassword=x");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result));
        Assert.Equal("StretchBot could not start: Teams:MicrosoftAppId must be the Azure Bot's Microsoft App ID (a GUID).", line);
    }

    [Fact]
    public async Task AMissingCardTemplateFolderStopsThePublishedAppWithOneLineNamingIt()
    {
        // Found by the app's own start-up checks, which the host runs (and would log with a stack trace).
        var result = await app.RunToExitAsync(app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--Cards:TemplatesPath=no-such-cards");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result));
        Assert.StartsWith("StretchBot could not start: ", line);
        Assert.Contains(Path.Combine(app.OutputDirectory, "no-such-cards"), line);
    }

    [Fact]
    public async Task AMissingCustomCatalogStopsThePublishedAppWithOneLine()
    {
        var result = await app.RunToExitAsync(app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--Catalog:CustomPath=no-such-stretches.json");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result));
        Assert.StartsWith("StretchBot could not start: ", line);
        Assert.Contains("no-such-stretches.json", line);
    }

    [Fact]
    public async Task SeveralBadSettingsStopThePublishedAppWithOneLineNamingEach()
    {
        var result = await app.RunToExitAsync(
            app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--StretchBot:LeaderboardSize=999", "--LocalChannel:MaxActivityBytes=1");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result));
        Assert.StartsWith("StretchBot could not start: ", line);
        Assert.Contains("LeaderboardSize", line);
        Assert.Contains("MaxActivityBytes", line);
    }

    [Fact]
    public async Task SlackTurnedOnWithoutItsSecretsStopsThePublishedAppWithOneLineSayingWhich()
    {
        var result = await app.RunToExitAsync(app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--Slack:Enabled=true");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result));
        Assert.StartsWith("StretchBot could not start: Slack:SigningSecret is required", line);
    }

    [Fact]
    public async Task ASlackBotTokenSlackRefusesStopsThePublishedAppWithOneLineAndNoToken()
    {
        await using var slack = await Infrastructure.FakeSlack.StartAsync();
        slack.Tokens.Clear();
        const string token = "xoxb-999-revoked-or-mistyped";

        var result = await app.RunToExitAsync(
            app.NewWorkingDirectory(), "--Urls=http://127.0.0.1:0", "--Slack:Enabled=true", "--Slack:SigningSecret=s3cret", $"--Slack:BotToken={token}",
            $"--Slack:ApiBaseUrl={slack.BaseAddress}api/");

        Assert.Equal(1, result.ExitCode);
        Assert.True(Lines(result).Count == 1, string.Join("\n", Lines(result)));
        var line = Assert.Single(Lines(result));
        Assert.Equal("StretchBot could not start: Slack:BotToken was refused by Slack (invalid_auth): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page again.", line);
        Assert.DoesNotContain(token, result.StdOut + result.StdErr, StringComparison.Ordinal);
        Assert.Single(slack.Calls, c => c.Method == "auth.test");
    }

    private static List<string> Lines(NodeRunResult result) =>
        (result.StdOut + "\n" + result.StdErr).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();

    /// <summary>
    /// Direct Line 3.0 over REST, as Web Chat speaks it: start a conversation, post "stretch", poll the activities
    /// until the bot's stretch card arrives (a signal: the card is there or the wait gives up).
    /// </summary>
    private static async Task<JsonObject> StretchCardAsync(HttpClient http)
    {
        using var start = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/conversations");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "local-playground");
        using var started = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var conversation = (await started.Content.ReadFromJsonAsync<JsonObject>())!;
        var activities = $"/v3/directline/conversations/{(string)conversation["conversationId"]!}/activities";
        var token = new AuthenticationHeaderValue("Bearer", (string)conversation["token"]!);

        using var post = new HttpRequestMessage(HttpMethod.Post, activities)
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["type"] = "message",
                ["from"] = new JsonObject { ["id"] = "u-deploy", ["name"] = "Deploy Tester", ["role"] = "user" },
                ["text"] = "stretch",
                ["locale"] = "en-US",
                ["localTimezone"] = "Europe/London",
            }),
        };
        post.Headers.Authorization = token;
        using var posted = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? watermark = null;
        var seen = new List<JsonObject>();
        while (true)
        {
            using var poll = new HttpRequestMessage(HttpMethod.Get, watermark is null ? activities : $"{activities}?watermark={watermark}");
            poll.Headers.Authorization = token;
            using var polled = await http.SendAsync(poll, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
            var body = (await polled.Content.ReadFromJsonAsync<JsonObject>(timeout.Token))!;
            watermark = (string?)body["watermark"] ?? watermark;
            seen.AddRange(body["activities"]!.AsArray().Select(a => a!.AsObject()));
            var stretch = seen
                .Where(a => (string?)a["from"]?["role"] == "bot")
                .SelectMany(a => a["attachments"]?.AsArray() ?? [])
                .Select(a => a?["content"] as JsonObject)
                .FirstOrDefault(c => HasDoneAction(c));
            if (stretch is not null)
            {
                Assert.Equal("AdaptiveCard", (string?)stretch["type"]);
                return stretch;
            }

            Assert.False(timeout.IsCancellationRequested, $"No stretch card within 60 s; activities: {new JsonArray([.. seen.Select(a => a.DeepClone())])}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    /// <summary>Whether the card has a Done button anywhere (a stretch card puts it on its last step).</summary>
    private static bool HasDoneAction(JsonNode? node) => node switch
    {
        JsonObject o => (o["data"]?["action"] is JsonValue action && action.TryGetValue<string>(out var name) && name == "done") || o.Any(p => HasDoneAction(p.Value)),
        JsonArray a => a.Any(HasDoneAction),
        _ => false,
    };

    private static long CountRows(string database, string table)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
