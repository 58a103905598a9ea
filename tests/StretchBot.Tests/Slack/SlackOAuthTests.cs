using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Channels.Slack;
using StretchBot.Conversation;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// Many workspaces through OAuth v2, driven as a browser does: /slack/install sets the state cookie and sends the
/// person to Slack; Slack sends them back to /slack/oauth/callback with a code and the state. Each workspace's token is
/// stored encrypted, used for that workspace only, and forgotten when the app is uninstalled or its bot token revoked.
/// </summary>
public sealed class SlackOAuthTests : SlackTest
{
    private const string ClientId = "3336676.569200954261";
    private const string ClientSecret = "oauth-client-secret-0123456789abcdef";
    private const string TokenA = "xoxb-a-1111-aaaa-first-workspace";
    private const string TokenB = "xoxb-b-2222-bbbb-second-workspace";

    protected override void Configure(StretchBotFactory factory)
    {
        // Installs through OAuth only: no Slack:BotToken, so nothing is installed until someone installs it.
        factory.Settings.Remove("Slack:BotToken");
        factory.Settings["Slack:ClientId"] = ClientId;
        factory.Settings["Slack:ClientSecret"] = ClientSecret;
        Fake.Users["UA1"] = ("Ada Alpha", "Europe/London");
        Fake.Users["UB2"] = ("Bea Beta", "America/New_York");
    }

    [Fact]
    public async Task TwoWorkspacesInstallEachWithItsOwnCodeAndTheirTokensAreStoredEncrypted()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        Fake.OAuthCodes["code-b"] = ("TB2", "<script>alert('B')</script> & Co", TokenB, "UBOTB");

        var browserA = Browser();
        var install = await browserA.GetAsync(SlackChannel.InstallPath);
        Assert.Equal(HttpStatusCode.Redirect, install.StatusCode);
        var location = install.Headers.Location!;
        Assert.Equal("https://slack.com/oauth/v2/authorize", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(ClientId, query["client_id"].ToString());
        Assert.Contains("chat:write", query["scope"].ToString().Split(','));
        Assert.Contains("commands", query["scope"].ToString().Split(','));
        var stateA = query["state"].ToString();
        Assert.True(stateA.Length >= 32, "the state is long and random");
        var cookie = Assert.Single(install.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{SlackChannel.StateCookie}={stateA};", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var pageA = await browserA.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={stateA}");
        Assert.Equal(HttpStatusCode.OK, pageA.StatusCode);
        Assert.Equal("text/html", pageA.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Workspace A", await pageA.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var browserB = Browser();
        var stateB = await InstallAsync(browserB);
        Assert.NotEqual(stateA, stateB);
        var pageB = await browserB.GetAsync($"{SlackChannel.CallbackPath}?code=code-b&state={stateB}");
        Assert.Equal(HttpStatusCode.OK, pageB.StatusCode);
        var htmlB = await pageB.Content.ReadAsStringAsync();
        Assert.Contains("&lt;script&gt;alert(&#39;B&#39;)&lt;/script&gt; &amp; Co", htmlB, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", htmlB, StringComparison.OrdinalIgnoreCase);

        // oauth.v2.access: the client's credentials in HTTP Basic auth, the code in the form; then auth.test with each new token.
        var exchanges = Fake.Of("oauth.v2.access");
        Assert.Equal(["code-a", "code-b"], exchanges.Select(c => c["code"]));
        foreach (var exchange in exchanges)
        {
            Assert.StartsWith("Basic ", exchange.Authorization, StringComparison.Ordinal);
            Assert.Equal($"{ClientId}:{ClientSecret}", Encoding.UTF8.GetString(Convert.FromBase64String(exchange.Authorization![6..])));
            Assert.Null(exchange["client_secret"]);
        }

        Assert.Equal(["Bearer " + TokenA, "Bearer " + TokenB], Fake.Of("auth.test").Select(c => c.Authorization));

        var rows = Factory.Rows("SELECT tenant_id, team_id, team_name, bot_user_id, bot_id, bot_token FROM slack_workspaces ORDER BY tenant_id");
        Assert.Equal(2, rows.Count);
        Assert.Equal(new object?[] { "TA1", "TA1", "Workspace A", "UBOTA", "BTA1" }, rows[0][..5]);
        Assert.Equal(new object?[] { "TB2", "TB2", "<script>alert('B')</script> & Co", "UBOTB", "BTB2" }, rows[1][..5]);
        foreach (var row in rows)
        {
            var stored = (string)row[5]!;
            Assert.DoesNotContain("xoxb-", stored, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(TokenA)), stored, StringComparison.Ordinal);
        }

        // Nowhere in the database's files (the main file, its write-ahead log) is a token in plain text.
        var files = DatabaseBytes();
        foreach (var token in new[] { TokenA, TokenB })
        {
            Assert.Equal(-1, files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)));
            Assert.Equal(-1, files.AsSpan().IndexOf(Encoding.Unicode.GetBytes(token)));
        }

        Assert.NotEqual(-1, files.AsSpan().IndexOf("Workspace A"u8));
    }

    [Fact]
    public async Task EachWorkspaceSeesOnlyItsOwnLeaderboardAndIsCalledWithItsOwnToken()
    {
        await InstallBothAsync();

        foreach (var (team, channel, user, token) in new[] { ("TA1", "CA1", "UA1", TokenA), ("TB2", "CB2", "UB2", TokenB) })
        {
            Assert.Equal(HttpStatusCode.OK, (await Slack.SlashAsync(string.Empty, user, channel, team, $"https://hooks.slack.com/commands/{team}/1/stretch")).StatusCode);
            var card = await Fake.WaitForAsync(c => c.Method == "chat.postMessage" && c["channel"] == channel);
            Assert.Equal("Bearer " + token, card.Authorization);
            var done = SlackClient.Button(card, "done");
            // The card's ts is on record once the post is finished: the tally's chat.update needs it.
            await BackgroundWorkFinishedAsync();
            Assert.Equal(HttpStatusCode.OK, (await Slack.ClickAsync(SlackClient.Click("done", (string?)done["value"], user, channel, team: team,
                responseUrl: $"https://hooks.slack.com/actions/{team}/2/done"))).StatusCode);
            await Fake.WaitForAsync(c => c.IsResponseUrl && c.Path == $"/actions/{team}/2/done");
        }

        await BackgroundWorkFinishedAsync();
        await SharedCardsIdleAsync();
        Assert.Equal(1, Count("completions", "TA1"));
        Assert.Equal(1, Count("completions", "TB2"));

        var boards = new Dictionary<string, SlackCall>();
        foreach (var (team, channel, user) in new[] { ("TA1", "CA1", "UA1"), ("TB2", "CB2", "UB2") })
        {
            await Slack.SlashAsync("leaderboard", user, channel, team, $"https://hooks.slack.com/commands/{team}/3/leaderboard");
            boards[team] = await Fake.WaitForAsync(c => c.IsResponseUrl && c.Path == $"/commands/{team}/3/leaderboard");
        }

        Assert.Contains("Ada Alpha", boards["TA1"].AllText, StringComparison.Ordinal);
        Assert.Contains("Bea Beta", boards["TB2"].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Bea Beta", boards["TA1"].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("UB2", boards["TA1"].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Ada Alpha", boards["TB2"].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("UA1", boards["TB2"].AllText, StringComparison.Ordinal);

        // The week's leaderboard the core gives each workspace: its own person, never the other's.
        var turns = Factory.Services.GetRequiredService<TurnHandler>();
        foreach (var (team, channel, user, name) in new[] { ("TA1", "CA1", "UA1", "Ada Alpha"), ("TB2", "CB2", "UB2", "Bea Beta") })
        {
            var result = await turns.HandleAsync(new Turn(new Where(SlackSender.ChannelId, team, channel, team, IsGroup: true), new Who(user, name), "leaderboard"), CancellationToken.None);
            var board = Assert.IsType<LeaderboardView>(Assert.Single(result.Messages) is MentionView m ? m.Inner : result.Messages[0]);
            var entry = Assert.Single(board.Entries);
            Assert.Equal((user, name, 1), (entry.UserId, entry.DisplayName, entry.Count));
        }

        // Every Web API call about TA1's people and channels carried TA1's token, and TB2's its own.
        var api = Fake.Calls.Where(c => !c.IsResponseUrl && c.Method != "oauth.v2.access" && c.Method != "auth.test").ToList();
        Assert.NotEmpty(api);
        foreach (var call in api)
        {
            var aboutA = call["channel"] is "CA1" || call["user"] is "UA1";
            var aboutB = call["channel"] is "CB2" || call["user"] is "UB2";
            Assert.True(aboutA != aboutB, $"{call.Method} is about exactly one workspace");
            Assert.Equal("Bearer " + (aboutA ? TokenA : TokenB), call.Authorization);
        }

        Assert.Contains(api, c => c.Method == "chat.update" && c.Authorization == "Bearer " + TokenA);
        Assert.Contains(api, c => c.Method == "chat.update" && c.Authorization == "Bearer " + TokenB);
    }

    [Fact]
    public async Task AnUninstallFromBeforeAReinstallDeletesNothing()
    {
        await InstallBothAsync();
        // Slack retried an app_uninstalled that happened an hour before this install (or it waited in a queue).
        var late = SlackClient.Envelope(new JsonObject { ["type"] = "app_uninstalled" }, "Ev0LATE", "TA1");
        late["event_time"] = Clock.GetUtcNow().AddHours(-1).ToUnixTimeSeconds();

        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(late)).StatusCode);
        await BackgroundWorkFinishedAsync();

        Assert.Equal(2L, Factory.Rows("SELECT COUNT(*) FROM slack_workspaces")[0][0]);
    }

    [Fact]
    public async Task AppUninstalledForgetsThatWorkspaceOnlyAndItsCommandsSayItIsNotInstalled()
    {
        await InstallBothAsync();

        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(SlackClient.Envelope(new JsonObject { ["type"] = "app_uninstalled" }, "Ev0UNINSTALL", "TA1"))).StatusCode);
        await BackgroundWorkFinishedAsync();

        await AssertForgottenAsync("TA1", "CA1", "UA1");
        await AssertWorksAsync("TB2", "CB2", "UB2", TokenB);
    }

    [Fact]
    public async Task TokensRevokedForTheBotForgetsTheWorkspaceButRevokedUserTokensDoNot()
    {
        await InstallBothAsync();

        // Only people's user tokens revoked: the bot's token still works, nothing is forgotten.
        var userTokens = new JsonObject { ["type"] = "tokens_revoked", ["tokens"] = new JsonObject { ["oauth"] = new JsonArray("UA1"), ["bot"] = new JsonArray() } };
        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(SlackClient.Envelope(userTokens, "Ev0USERS", "TA1"))).StatusCode);
        await BackgroundWorkFinishedAsync();
        Assert.Equal(2L, Factory.Count("slack_workspaces"));
        await AssertWorksAsync("TA1", "CA1", "UA1", TokenA);

        var botToken = new JsonObject { ["type"] = "tokens_revoked", ["tokens"] = new JsonObject { ["oauth"] = new JsonArray(), ["bot"] = new JsonArray("UBOTA") } };
        Assert.Equal(HttpStatusCode.OK, (await Slack.EventAsync(SlackClient.Envelope(botToken, "Ev0BOT", "TA1"))).StatusCode);
        await BackgroundWorkFinishedAsync();

        await AssertForgottenAsync("TA1", "CA2", "UA1");
        await AssertWorksAsync("TB2", "CB2", "UB2", TokenB);
    }

    [Fact]
    public async Task AnUnknownStateInstallsNothing()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        var browser = Browser();
        await InstallAsync(browser);

        var page = await browser.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={new string('a', 48)}");

        await AssertRefusedAsync(page, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AStateWorksOnceAndItsLinkUsedAgainInstallsNothing()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        Fake.OAuthCodes["code-b"] = ("TB2", "Workspace B", TokenB, "UBOTB");
        var browser = Browser(cookies: false);
        var state = await InstallAsync(browser);
        var first = await CallbackAsync(browser, $"code=code-a&state={state}", cookie: state);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // The same link again, with its cookie still there (a replayed request): the state is spent.
        var again = await CallbackAsync(browser, $"code=code-b&state={state}", cookie: state);

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Single(Fake.Of("oauth.v2.access"));
        Assert.Equal(["TA1"], Factory.Rows("SELECT tenant_id FROM slack_workspaces").Select(r => r[0]));
    }

    [Fact]
    public async Task AStateOlderThanTenMinutesInstallsNothingAndOneJustYoungerDoes()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        var late = Browser();
        var old = await InstallAsync(late);
        Clock.Advance(TimeSpan.FromMinutes(11));

        await AssertRefusedAsync(await late.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={old}"), HttpStatusCode.BadRequest);

        var browser = Browser();
        var state = await InstallAsync(browser);
        Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={state}")).StatusCode);
        Assert.Equal(1L, Factory.Count("slack_workspaces"));
    }

    [Fact]
    public async Task AStateMadeForAnotherBrowserInstallsNothing()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        var victim = Browser();
        var state = await InstallAsync(victim);

        // The victim's link opened in another browser: with no cookie, and with that browser's own state in its cookie.
        var noCookie = Browser(cookies: false);
        await AssertRefusedAsync(await noCookie.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={state}"), HttpStatusCode.BadRequest);
        var other = Browser();
        await InstallAsync(other);
        await AssertRefusedAsync(await other.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={state}"), HttpStatusCode.BadRequest);
        var forged = Browser(cookies: false);
        await AssertRefusedAsync(await CallbackAsync(forged, $"code=code-a&state={state}", cookie: new string('b', 48)), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ACancelledInstallSaysSoAndInstallsNothing()
    {
        var browser = Browser();
        var state = await InstallAsync(browser);

        var page = await browser.GetAsync($"{SlackChannel.CallbackPath}?error=access_denied&state={state}");

        await AssertRefusedAsync(page, HttpStatusCode.OK);
        Assert.Contains("not installed", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("state={state}")]
    [InlineData("code=code-a")]
    [InlineData("code=&state={state}")]
    [InlineData("code=code-a&code=code-b&state={state}")]
    [InlineData("code=code-a&state={state}&state={state}")]
    public async Task AnIncompleteCallbackInstallsNothing(string query)
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        var browser = Browser();
        var state = await InstallAsync(browser);

        await AssertRefusedAsync(await browser.GetAsync($"{SlackChannel.CallbackPath}?{query.Replace("{state}", state, StringComparison.Ordinal)}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ACodeSlackRefusesInstallsNothing()
    {
        var browser = Browser();
        var state = await InstallAsync(browser);

        var page = await browser.GetAsync($"{SlackChannel.CallbackPath}?code=not-a-code&state={state}");

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("invalid_code", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(Fake.Of("oauth.v2.access"));
        Assert.Empty(Fake.Of("auth.test"));
        Assert.Equal(0L, Factory.Count("slack_workspaces"));
    }

    [Fact]
    public async Task AStoredTokenStillWorksAfterARestartWithItsKeysAndNotWithout()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        var browser = Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"{SlackChannel.CallbackPath}?code=code-a&state={await InstallAsync(browser)}")).StatusCode);

        // The app started again on the same data: the database (a consistent copy) and the Data Protection keys beside it.
        using var restarted = Restarted(withKeys: true);
        var slack = new SlackClient(restarted.CreateClient(), restarted.Clock);
        await slack.SlashAsync(string.Empty, "UA1", "CA1", "TA1", "https://hooks.slack.com/commands/TA1/9/stretch");
        var card = await Fake.WaitForAsync(c => c.Method == "chat.postMessage" && c["channel"] == "CA1");
        Assert.Equal("Bearer " + TokenA, card.Authorization);

        // Without the keys the token can't be read: the workspace is as good as not installed, and says so.
        using var newMachine = Restarted(withKeys: false);
        var elsewhere = new SlackClient(newMachine.CreateClient(), newMachine.Clock);
        await elsewhere.SlashAsync(string.Empty, "UA1", "CA3", "TA1", "https://hooks.slack.com/commands/TA1/9/elsewhere");
        var answer = await Fake.WaitForAsync(c => c.IsResponseUrl && c.Path == "/commands/TA1/9/elsewhere");
        Assert.Contains("isn't installed", answer.AllText, StringComparison.Ordinal);
        await newMachine.WhenBackgroundWorkFinishedAsync();
        Assert.DoesNotContain(Fake.Calls, c => c["channel"] == "CA3" && !c.IsResponseUrl);
    }

    /// <summary>A browser: its own cookies (unless told not to keep any), redirects not followed.</summary>
    private HttpClient Browser(bool cookies = true) =>
        Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = cookies });

    /// <summary>/slack/install in this browser: the state in the link to Slack.</summary>
    private static async Task<string> InstallAsync(HttpClient browser)
    {
        var install = await browser.GetAsync(SlackChannel.InstallPath);
        Assert.Equal(HttpStatusCode.Redirect, install.StatusCode);
        return QueryHelpers.ParseQuery(install.Headers.Location!.Query)["state"].ToString();
    }

    private static async Task<HttpResponseMessage> CallbackAsync(HttpClient browser, string query, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{SlackChannel.CallbackPath}?{query}");
        request.Headers.Add("Cookie", $"{SlackChannel.StateCookie}={cookie}");
        return await browser.SendAsync(request);
    }

    private async Task InstallBothAsync()
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", TokenA, "UBOTA");
        Fake.OAuthCodes["code-b"] = ("TB2", "Workspace B", TokenB, "UBOTB");
        foreach (var code in new[] { "code-a", "code-b" })
        {
            var browser = Browser();
            var page = await browser.GetAsync($"{SlackChannel.CallbackPath}?code={code}&state={await InstallAsync(browser)}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        Assert.Equal(2L, Factory.Count("slack_workspaces"));
    }

    /// <summary>The callback refused: a page without a stack trace, oauth.v2.access never called, nothing stored.</summary>
    private async Task AssertRefusedAsync(HttpResponseMessage page, HttpStatusCode status)
    {
        Assert.Equal(status, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{SlackChannel.InstallPath}\"", html, StringComparison.Ordinal);
        Assert.Empty(Fake.Of("oauth.v2.access"));
        Assert.Equal(0L, Factory.Count("slack_workspaces"));
    }

    /// <summary>The workspace's row is gone; /stretch there calls no Web API and answers through its response_url that it isn't installed.</summary>
    private async Task AssertForgottenAsync(string team, string channel, string user)
    {
        Assert.Empty(Factory.Rows($"SELECT tenant_id FROM slack_workspaces WHERE tenant_id = '{team}'"));
        var before = Fake.Calls.Count;
        await Slack.SlashAsync(string.Empty, user, channel, team, $"https://hooks.slack.com/commands/{team}/7/after");
        var answer = await Fake.WaitForAsync(c => c.IsResponseUrl && c.Path == $"/commands/{team}/7/after");
        Assert.Contains("isn't installed", answer.AllText, StringComparison.Ordinal);
        await BackgroundWorkFinishedAsync();
        Assert.Equal([answer], Fake.Calls.Skip(before));
    }

    private async Task AssertWorksAsync(string team, string channel, string user, string token)
    {
        var posts = Fake.Of("chat.postMessage").Count(c => c["channel"] == channel);
        await Slack.SlashAsync(string.Empty, user, channel, team, $"https://hooks.slack.com/commands/{team}/8/still");
        var card = (await Fake.WaitForAsync(c => c.Method == "chat.postMessage" && c["channel"] == channel, posts + 1))[^1];
        Assert.Equal("Bearer " + token, card.Authorization);
    }

    private long Count(string table, string tenant) => (long)Factory.Rows($"SELECT COUNT(*) FROM {table} WHERE tenant_id = '{tenant}'")[0][0]!;

    /// <summary>The bytes of the database's files as they are now, the write-ahead log included.</summary>
    private byte[] DatabaseBytes()
    {
        using var all = new MemoryStream();
        foreach (var path in new[] { Factory.DatabasePath, Factory.DatabasePath + "-wal" })
        {
            if (File.Exists(path))
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                file.CopyTo(all);
            }
        }

        return all.ToArray();
    }

    /// <summary>A second app on a copy of this one's database, with (or without) its Data Protection keys, OAuth on.</summary>
    private StretchBotFactory Restarted(bool withKeys)
    {
        var next = new StretchBotFactory();
        Directory.CreateDirectory(next.DataDirectory);
        using (var source = new SqliteConnection($"Data Source={Factory.DatabasePath};Mode=ReadOnly;Pooling=False"))
        using (var target = new SqliteConnection($"Data Source={next.DatabasePath};Pooling=False"))
        {
            source.Open();
            target.Open();
            source.BackupDatabase(target);
        }

        if (withKeys)
        {
            var keys = Path.Combine(next.DataDirectory, "keys");
            Directory.CreateDirectory(keys);
            foreach (var key in Directory.GetFiles(Path.Combine(Factory.DataDirectory, "keys")))
            {
                File.Copy(key, Path.Combine(keys, Path.GetFileName(key)));
            }
        }

        foreach (var (name, value) in Factory.Settings)
        {
            next.Settings[name] = value;
        }

        Fake.Apply(next, withBotToken: false);
        next.Settings.Remove("Slack:BotToken");
        return next;
    }
}

/// <summary>With one workspace from Slack:BotToken and no client id and secret, there is no install through OAuth.</summary>
public sealed class SlackOAuthOffTests : SlackTest
{
    [Theory]
    [InlineData(SlackChannel.InstallPath)]
    [InlineData(SlackChannel.CallbackPath + "?code=code-a&state=0123456789abcdef")]
    public async Task InstallAndCallbackAre404PagesWhenOAuthIsNotConfigured(string path)
    {
        Fake.OAuthCodes["code-a"] = ("TA1", "Workspace A", "xoxb-a-never", "UBOTA");
        var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("OAuth", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("Set-Cookie"));
        Assert.Empty(Fake.Of("oauth.v2.access"));
        Assert.Equal(0L, Factory.Count("slack_workspaces"));
    }
}
