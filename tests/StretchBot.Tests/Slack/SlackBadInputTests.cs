using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Channels;
using StretchBot.Channels.Slack;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// Hostile and malformed requests to /slack/events, each correctly signed so it reaches the reader: a 4xx saying what
/// (or Slack's 200 acknowledgement for a type StretchBot doesn't use), never a 5xx or a stack trace, nothing stored,
/// nothing sent anywhere; and the app answers the next good request as before.
/// </summary>
public sealed class SlackBadInputTests : SlackTest
{
    private const string Form = "application/x-www-form-urlencoded";
    private const string Json = "application/json";

    private readonly ConcurrentQueue<Uri> _elsewhere = new();

    /// <summary>Each case: the Content-Type (null for none), the exact bytes, and the status Slack's protocol wants.</summary>
    private static readonly Dictionary<string, (string? ContentType, byte[] Body, HttpStatusCode Status)> Cases = new()
    {
        // Forms that aren't a slash command or a click.
        ["a bad percent escape"] = (Form, Bytes("%zz"), HttpStatusCode.BadRequest),
        ["a field twice"] = (Form, Bytes("a=1&a=2"), HttpStatusCode.BadRequest),
        ["a slash command with team_id twice"] = (Form, Bytes(SlashForm() + "&team_id=T999"), HttpStatusCode.BadRequest),
        ["an empty body"] = (Form, [], HttpStatusCode.BadRequest),
        ["only ampersands"] = (Form, Bytes("&&&"), HttpStatusCode.BadRequest),
        ["a slash command without user_id"] = (Form, Bytes(SlashForm(without: "user_id")), HttpStatusCode.BadRequest),
        ["a command not starting with /"] = (Form, Bytes(SlashForm(("command", "stretch"))), HttpStatusCode.BadRequest),
        ["a slash command of 10,000 characters"] = (Form, Bytes(SlashForm(("text", new string('x', 10_000)))), HttpStatusCode.BadRequest),
        ["a user_id with a script tag"] = (Form, Bytes(SlashForm(("user_id", "<script>alert(1)</script>"))), HttpStatusCode.BadRequest),

        // Interactivity payloads that aren't JSON objects Slack sends.
        ["payload that isn't JSON"] = (Form, Bytes("payload=not%20json"), HttpStatusCode.BadRequest),
        ["payload that is a JSON array"] = (Form, Payload("[1,2]"), HttpStatusCode.BadRequest),
        ["payload with type twice"] = (Form, Payload(HostileBodies.WithDuplicate(Click(), "type", "view_submission")), HttpStatusCode.BadRequest),
        ["payload with user.id twice"] = (Form, Payload(HostileBodies.WithDuplicate(Click(), "user.id", "U999")), HttpStatusCode.BadRequest),
        ["payload with a lone surrogate"] = (Form, Payload(HostileBodies.WithLoneSurrogate(Click(), "actions[0].action_id", "done")), HttpStatusCode.BadRequest),
        ["payload with a lone surrogate name"] = (Form, Payload(HostileBodies.WithLoneSurrogateName(Click())), HttpStatusCode.BadRequest),
        ["payload nested 200 deep"] = (Form, Payload("{\"type\":\"block_actions\",\"x\":" + new string('[', 200) + new string(']', 200) + "}"), HttpStatusCode.BadRequest),
        ["payload and another field"] = (Form, Bytes(Encoding.UTF8.GetString(Payload(Click().ToJsonString())) + "&user_id=U222"), HttpStatusCode.BadRequest),
        ["block_actions without actions"] = (Form, Payload(HostileBodies.WithJson(Click(), "actions", null)), HttpStatusCode.BadRequest),
        ["block_actions with no action"] = (Form, Payload(HostileBodies.WithJson(Click(), "actions", "[]")), HttpStatusCode.BadRequest),
        ["block_actions in an unknown container"] = (Form, Payload(HostileBodies.WithJson(Click(), "container.type", "\"spaceship\"")), HttpStatusCode.BadRequest),
        ["a button value of 5000 characters"] = (Form, Payload(SlackClient.Click("done", new string('v', 5000)).ToJsonString()), HttpStatusCode.BadRequest),
        ["block_actions with a user object for a string"] = (Form, Payload(HostileBodies.WithJson(Click(), "user.id", "{\"id\":\"U222\"}")), HttpStatusCode.BadRequest),

        // The wrong format for the body, or no format at all.
        ["a JSON body where a form is expected"] = (Form, Bytes(new JsonObject { ["team_id"] = "T111", ["user_id"] = "U222", ["command"] = "/stretch" }.ToJsonString()), HttpStatusCode.BadRequest),
        ["a form sent as application/json"] = (Json, Bytes(SlashForm()), HttpStatusCode.BadRequest),
        ["a slash command as text/plain"] = ("text/plain", Bytes(SlashForm()), HttpStatusCode.BadRequest),
        ["a slash command without a Content-Type"] = (null, Bytes(SlashForm()), HttpStatusCode.BadRequest),
        ["a form with bytes that aren't UTF-8"] = (Form, Splice(SlashForm(("text", "@@")), [0xFF, 0xFE, 0x41]), HttpStatusCode.BadRequest),
        ["JSON with bytes that aren't UTF-8"] = (Json, HostileBodies.WithBytes(Mention(), "event.text", "stretch ", [0xC3, 0x28]), HttpStatusCode.BadRequest),
        ["JSON with an overlong UTF-8 slash"] = (Json, HostileBodies.WithBytes(Mention(), "event.text", "stretch ", [0xC0, 0xAF]), HttpStatusCode.BadRequest),

        // Events API bodies with the wrong kinds of things in them.
        ["an event that is a string"] = (Json, HostileBodies.WithJson(Mention(), "event", "\"app_mention\""), HttpStatusCode.BadRequest),
        ["an event_id that is a number"] = (Json, HostileBodies.WithJson(Mention(), "event_id", "12345"), HttpStatusCode.BadRequest),
        ["a team_id with spaces"] = (Json, Bytes(SlackClient.Envelope(MentionEvent(), "Ev1", "T1 11").ToJsonString()), HttpStatusCode.BadRequest),
        ["a team_id with a script tag"] = (Json, Bytes(SlackClient.Envelope(MentionEvent(), "Ev1", "<script>").ToJsonString()), HttpStatusCode.BadRequest),
        ["an app_mention whose user is an object"] = (Json, HostileBodies.WithJson(Mention(), "event.user", "{\"id\":\"U222\"}"), HttpStatusCode.BadRequest),
        ["an event_callback without an event"] = (Json, HostileBodies.WithJson(Mention(), "event", null), HttpStatusCode.BadRequest),
        ["an Events API body of an unknown type"] = (Json, Bytes("{\"type\":\"event_callback_v2\",\"token\":\"x\"}"), HttpStatusCode.BadRequest),
        ["a JSON body without a type"] = (Json, Bytes("{\"token\":\"x\"}"), HttpStatusCode.BadRequest),
        ["a JSON body that is a string"] = (Json, Bytes("\"event_callback\""), HttpStatusCode.BadRequest),

        // Types StretchBot doesn't use: acknowledged (a 4xx would only make Slack retry), never read.
        ["a reaction_added event"] = (Json, Bytes(SlackClient.Envelope(new JsonObject
        {
            ["type"] = "reaction_added", ["user"] = "U222", ["reaction"] = "thumbsup",
            ["item"] = new JsonObject { ["type"] = "message", ["channel"] = "C111", ["ts"] = "1605853634.000400" }, ["event_ts"] = "1605853645.582706",
        }, "Ev0REACTION").ToJsonString()), HttpStatusCode.OK),
        ["a team_join event with a user object"] = (Json, Bytes(SlackClient.Envelope(new JsonObject
        {
            ["type"] = "team_join", ["user"] = new JsonObject { ["id"] = "U999", ["name"] = "<!channel>", ["profile"] = new JsonObject() },
        }, "Ev0JOIN").ToJsonString()), HttpStatusCode.OK),
        ["a view_submission"] = (Form, Payload(new JsonObject
        {
            ["type"] = "view_submission", ["user"] = new JsonObject { ["id"] = "U222" }, ["team"] = new JsonObject { ["id"] = "T111" },
            ["view"] = new JsonObject { ["id"] = "V1", ["state"] = new JsonObject { ["values"] = new JsonObject() } },
        }.ToJsonString()), HttpStatusCode.OK),
        ["a shortcut"] = (Form, Payload(new JsonObject
        {
            ["type"] = "shortcut", ["callback_id"] = "stretch_now", ["trigger_id"] = "1.2.3", ["user"] = new JsonObject { ["id"] = "U222" },
            ["team"] = new JsonObject { ["id"] = "T111" },
        }.ToJsonString()), HttpStatusCode.OK),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    protected override void Configure(StretchBotFactory factory) =>
        factory.ServiceChanges.Add(services => services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(() => new Elsewhere(_elsewhere))));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ABadRequestIsRefusedOrIgnoredAndChangesNothing(string name)
    {
        var (contentType, body, status) = Cases[name];

        using var response = await PostSignedAsync(contentType, body);

        Assert.Equal(status, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        AssertNoStackTrace(text);
        Assert.DoesNotContain("<script>", text, StringComparison.OrdinalIgnoreCase);
        if (status == HttpStatusCode.BadRequest)
        {
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.Equal("BadArgument", (string?)error["code"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        }
        else
        {
            Assert.Equal(string.Empty, text);
        }

        await AssertNothingChangedAsync();
        await AssertStillWorksAsync();
    }

    [Fact]
    public async Task ABodyLargerThanTheLimitIsRefusedBeforeItIsRead()
    {
        // Content-Length says 600 KB; the first bytes come and then nothing: the answer can't have waited for the rest.
        using var declared = new StalledBody("payload=" + new string('x', 1000), declaredLength: 600 * 1024);
        using var tooLarge = await SendUnverifiableAsync(declared);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("MessageSizeTooBig", (string?)JsonNode.Parse(await tooLarge.Content.ReadAsStringAsync())!["error"]!["code"]);

        // No Content-Length, and a body that never ends: reading stops at the limit.
        using var endless = new EndlessBody();
        using var stopped = await SendUnverifiableAsync(endless);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, stopped.StatusCode);
        Assert.InRange(endless.Written, 512 * 1024, 2 * 1024 * 1024);

        await AssertNothingChangedAsync();
        await AssertStillWorksAsync();
    }

    [Fact]
    public async Task ABodyJustUnderTheLimitIsReadAndVerified()
    {
        // 500 KB of a well-signed but useless form: read whole, verified, then refused as not Slack's kind of form.
        var body = Bytes("a=" + new string('x', 500 * 1024));
        using var response = await PostSignedAsync(Form, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task AButtonThatIsNotOursGetsAFriendlyAnswerThroughItsResponseUrl()
    {
        // Slack's own sample click: action "a", value "underlying", in T111's C111.
        var fixture = SlackClient.Fixture("block_actions.json");

        using var response = await Slack.ClickAsync(fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // (A newcomer is welcomed first, through the same response_url.)
        var answer = await Fake.WaitForAsync(c => c.IsResponseUrl && c.AllText.Contains("I can't use that button", StringComparison.Ordinal));
        Assert.Equal("/actions/T111/111/xxx", answer.Path);
        Assert.Equal("ephemeral", answer["response_type"]);
        Assert.Equal(false, (bool?)answer.Json!["replace_original"]);
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Fake.Of("chat.postMessage"));
        Assert.Empty(_elsewhere);
        Assert.Equal(0, Factory.Count("completions"));
    }

    [Theory]
    [InlineData("https://evil.example/x")]
    [InlineData("http://hooks.slack.com/commands/T111/1/plain-http")]
    [InlineData("https://hooks.slack.com.evil.example/commands/T111/1/x")]
    [InlineData("https://evil.example/@hooks.slack.com/x")]
    [InlineData("javascript:alert(1)")]
    public async Task AResponseUrlNotOnSlackIsNeverCalledAndTheAnswerStaysWithThePerson(string responseUrl)
    {
        // The stats are one person's: with no response_url to use, they go to that person alone, never to the channel.
        Assert.Equal(HttpStatusCode.OK, (await Slack.SlashAsync("stats", responseUrl: responseUrl)).StatusCode);
        await BackgroundWorkFinishedAsync();
        Assert.NotEmpty(Fake.Of("chat.postEphemeral"));
        Assert.All(Fake.Of("chat.postEphemeral"), e => Assert.Equal((SlackClient.Channel, SlackClient.User), (e["channel"], e["user"])));
        Assert.Empty(Fake.Of("chat.postMessage"));

        // A click on a button not ours, with the same response_url: the friendly answer goes the same way.
        var click = SlackClient.Fixture("block_actions.json");
        click["response_url"] = responseUrl;
        Assert.Equal(HttpStatusCode.OK, (await Slack.ClickAsync(click)).StatusCode);
        var friendly = await Fake.WaitForAsync(c => c.Method == "chat.postEphemeral" && c.AllText.Contains("I can't use that button", StringComparison.Ordinal));
        Assert.Equal(SlackClient.Channel, friendly["channel"]);
        Assert.Equal("U111", friendly["user"]);

        await BackgroundWorkFinishedAsync();
        Assert.Empty(_elsewhere);
        Assert.DoesNotContain(Fake.Calls, c => c.IsResponseUrl || c.Method == "chat.postMessage");
    }

    [Fact]
    public async Task ADisplayNameWithSlackMarkupNeverReachesAMessageAsMarkup()
    {
        Fake.Users[SlackClient.User] = ("<!channel> *Ada* <@U999> <https://evil.example|click>", "Europe/London");

        await Slack.SlashAsync(string.Empty);
        var card = await Fake.WaitForAsync(c => c.Method == "chat.postMessage");
        await BackgroundWorkFinishedAsync();
        await Slack.ClickAsync(SlackClient.Click("done", (string?)SlackClient.Button(card, "done")["value"]));
        await Fake.WaitForAsync(c => c.IsResponseUrl);
        await BackgroundWorkFinishedAsync();
        await SharedCardsIdleAsync();
        await Slack.SlashAsync("leaderboard", responseUrl: "https://hooks.slack.com/commands/T111/2/leaderboard");
        await Slack.SlashAsync("stats", responseUrl: "https://hooks.slack.com/commands/T111/3/stats");
        await Fake.WaitForAsync(c => c.IsResponseUrl, 3);
        await BackgroundWorkFinishedAsync();

        Assert.Equal(1, Factory.Count("completions"));
        foreach (var message in Fake.Calls.Where(c => c.Json is not null))
        {
            var text = message.AllText + "\n" + string.Join("\n", SlackClient.Buttons(message).Select(b => (string?)b["value"]));
            Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<@U999>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<https://evil.example", text, StringComparison.Ordinal);
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The text with raw bytes in place of its "@@" (%40%40 once form-encoded).</summary>
    private static byte[] Splice(string form, byte[] raw)
    {
        var at = form.IndexOf("%40%40", StringComparison.Ordinal);
        return [.. Bytes(form[..at]), .. raw, .. Bytes(form[(at + 6)..])];
    }

    private static byte[] Payload(string json) => Bytes("payload=" + Uri.EscapeDataString(json));

    private static byte[] Payload(byte[] json) => Payload(Encoding.UTF8.GetString(json));

    private static JsonObject Click() => SlackClient.Click("done", "{\"p\":\"p_1\",\"s\":\"neck-roll\"}");

    private static JsonObject MentionEvent() => new()
    {
        ["type"] = "app_mention", ["user"] = "U222", ["text"] = "<@UBOT1> stretch", ["ts"] = "1605853634.000400", ["channel"] = "C111", ["event_ts"] = "1605853634.000400",
    };

    private static JsonObject Mention() => SlackClient.Envelope(MentionEvent(), "Ev0MENTION");

    /// <summary>/stretch's form as Slack sends it, with fields changed (or one left out).</summary>
    private static string SlashForm(params (string Name, string Value)[] changes) => SlashForm(null, changes);

    private static string SlashForm(string? without, params (string Name, string Value)[] changes)
    {
        var fields = new Dictionary<string, string>
        {
            ["token"] = "xxx", ["team_id"] = FakeSlack.TeamId, ["team_domain"] = "test", ["channel_id"] = SlackClient.Channel, ["channel_name"] = "general",
            ["user_id"] = SlackClient.User, ["user_name"] = "ada", ["command"] = "/stretch", ["text"] = string.Empty, ["api_app_id"] = "A111",
            ["response_url"] = "https://hooks.slack.com/commands/T111/1/slash", ["trigger_id"] = "111.222.xxx",
        };
        foreach (var (name, value) in changes)
        {
            fields[name] = value;
        }

        if (without is not null)
        {
            fields.Remove(without);
        }

        return string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
    }

    /// <summary>Posts the exact bytes, signed as Slack signs them, with this Content-Type (none when null).</summary>
    private async Task<HttpResponseMessage> PostSignedAsync(string? contentType, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, SlackClient.Path) { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Compute(FakeSlack.SigningSecret, timestamp, body));
        return await Http.SendAsync(request);
    }

    /// <summary>A body whose signature can't be checked before it is read whole: the headers are there, their worth unknown.</summary>
    private async Task<HttpResponseMessage> SendUnverifiableAsync(HttpContent body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, SlackClient.Path) { Content = body };
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(Form);
        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, "v0=" + new string('0', 64));
        // The test server's own client: the factory's default one buffers request bodies (to replay them on redirects).
        return await Factory.Server.CreateClient().SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", text, StringComparison.Ordinal);
    }

    /// <summary>Nothing stored, nothing sent: the only call to Slack is the auth.test of start-up, and none went anywhere else.</summary>
    private async Task AssertNothingChangedAsync()
    {
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
        Assert.Empty(_elsewhere);
        foreach (var table in new[] { "people", "prompts", "completions", "installs", "slack_workspaces", "slack_oauth_states" })
        {
            Assert.Equal(0, Factory.Count(table));
        }
    }

    /// <summary>A good /stretch right after is answered as ever: a stretch card in the channel.</summary>
    private async Task AssertStillWorksAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await Slack.SlashAsync(string.Empty)).StatusCode);
        var card = await Fake.WaitForAsync(c => c.Method == "chat.postMessage");
        Assert.Equal(SlackClient.Channel, card["channel"]);
        await BackgroundWorkFinishedAsync();
        Assert.Equal(1, Factory.Count("prompts"));
    }

    /// <summary>The app's outbound calls to any host but the loopback fake: recorded, and never sent.</summary>
    private sealed class Elsewhere(ConcurrentQueue<Uri> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && !uri.IsLoopback)
            {
                seen.Enqueue(uri);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A request body with no Content-Length that never ends: 64 KB at a time until the server stops reading.</summary>
    private sealed class EndlessBody : HttpContent
    {
        private readonly CancellationTokenSource _stop = new();
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes("payload=" + new string('x', 64 * 1024 - 8));
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(chunk, _stop.Token);
                    Interlocked.Add(ref _written, chunk.Length);
                    chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The server stopped reading and answered: the rest is never sent.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            _stop.Cancel();
            base.Dispose(disposing);
        }
    }
}

/// <summary>A body that stops arriving is answered 408 on the app's clock, before its signature could be checked.</summary>
public sealed class SlackSlowBodyTests : SlackTest
{
    private readonly TimerSignalClock _clock = new(StretchBotFactory.Start, ActivityBody.ReadTimeout);

    protected override void Configure(StretchBotFactory factory) => factory.ServiceChanges.Add(services =>
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(_clock);
    });

    [Fact]
    public async Task ABodyThatStopsArrivingGets408AndTheAppStillAnswers()
    {
        using var body = new StalledBody("token=xxx&team_id=T111&channel_id=C111&user_id=U222&command=%2Fstr", declaredLength: 400);
        using var request = new HttpRequestMessage(HttpMethod.Post, SlackClient.Path) { Content = body };
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, "v0=" + new string('0', 64));

        // The test server's own client: the factory's default one buffers request bodies (to replay them on redirects).
        var timersBefore = _clock.WatchedTimers;
        var sending = Factory.Server.CreateClient().SendAsync(request);
        await _clock.WatchedTimerCreatedAfter(timersBefore).WaitAsync(TimeSpan.FromSeconds(30));
        _clock.Advance(ActivityBody.ReadTimeout + TimeSpan.FromSeconds(1));
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("RequestTimeout", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
        Assert.Equal(0, Factory.Count("people"));
        Assert.Equal(0, Factory.Count("prompts"));

        var signed = new SlackClient(Http, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(_clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, (await signed.SlashAsync(string.Empty)).StatusCode);
        await Fake.WaitForAsync(c => c.Method == "chat.postMessage");
    }
}
