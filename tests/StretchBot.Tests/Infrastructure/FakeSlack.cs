using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// One call the app made to Slack, as it arrived: a Web API method on slack.com (<see cref="Method"/> "chat.postMessage")
/// or a post to a response_url on hooks.slack.com (<see cref="IsResponseUrl"/>). <c>At</c> is on the app's clock.
/// </summary>
public sealed record SlackCall(string Host, string Path, string? Authorization, string? ContentType, string RawBody, JsonObject? Json, Dictionary<string, string>? Form, TimeSpan At)
{
    /// <summary>What the fake answered.</summary>
    public string Answer { get; init; } = string.Empty;

    /// <summary>The ts Slack gave the message this call posted (chat.postMessage).</summary>
    public string? AnsweredTs => Answer.StartsWith('{') && JsonNode.Parse(Answer) is JsonObject o && o["ts"] is JsonValue v && v.TryGetValue<string>(out var ts) ? ts : null;

    public bool IsResponseUrl => Host.Equals("hooks.slack.com", StringComparison.OrdinalIgnoreCase);

    public string Method => Path.StartsWith("/api/", StringComparison.Ordinal) ? Path[5..] : Path;

    /// <summary>A field of the call, from its JSON body or its form.</summary>
    public string? this[string name] => Json?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : Form is not null && Form.TryGetValue(name, out var f) ? f : null;

    /// <summary>Every text of the message's blocks and its fallback text, for asserting what a person sees.</summary>
    public string AllText => string.Join("\n", Texts(Json));

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "text" && p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        _ => [],
    };
}

/// <summary>What the fake answers: a status and a JSON body (or text), optionally with Retry-After.</summary>
public sealed record FakeSlackReply(int Status, string Body, TimeSpan? RetryAfter = null, string ContentType = "application/json; charset=utf-8");

/// <summary>
/// Slack as the app sees it, on loopback: the Web API (slack.com/api/…) and response_urls (hooks.slack.com/…). The app
/// keeps its production URLs; a handler on its HTTP clients sends those hosts here. Answers follow Slack's shapes (the
/// fixtures' where there is one); tests script others (errors, 429s) with <see cref="Responder"/>.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    public const string SigningSecret = "f1e2d3c4b5a6978812345678abcdef00";
    public const string BotToken = "xoxb-1111-2222-fake-test-token";
    public const string TeamId = "T111";
    public const string BotUserId = "UBOT1";
    public const string BotId = "B111";

    private static readonly string[] Hosts = ["slack.com", "hooks.slack.com"];

    private readonly WebApplication _app;
    private readonly object _arrivals = new();
    private readonly List<Waiter> _waiters = [];
    private long _ts = 1_763_461_800_000_000;
    private TimeProvider _appClock = TimeProvider.System;
    private DateTimeOffset _appStart;

    private FakeSlack(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<SlackCall> Calls { get; } = new();

    /// <summary>Decides the answer to a call; null for the default.</summary>
    public Func<SlackCall, FakeSlackReply?>? Responder { get; set; }

    /// <summary>Which workspace and bot each bot token is (auth.test); the default token is T111's bot.</summary>
    public ConcurrentDictionary<string, (string TeamId, string BotUserId, string BotId)> Tokens { get; } = new()
    {
        [BotToken] = (TeamId, BotUserId, BotId),
    };

    /// <summary>People users.info knows: id → (display name, time zone).</summary>
    public ConcurrentDictionary<string, (string Name, string? TimeZone)> Users { get; } = new();

    /// <summary>What oauth.v2.access answers per code: the workspace and its new bot token.</summary>
    public ConcurrentDictionary<string, (string TeamId, string TeamName, string Token, string BotUserId)> OAuthCodes { get; } = new();

    /// <summary>The channels users.conversations lists for a person.</summary>
    public ConcurrentDictionary<string, string[]> UserChannels { get; } = new();

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app);
        app.Map("/{**rest}", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>Turns Slack on in the app, with this fake's signing secret and bot token, and its Slack hosts rewritten here.</summary>
    public void Apply(StretchBotFactory factory, bool withBotToken = true)
    {
        factory.Settings["Slack:Enabled"] = "true";
        factory.Settings["Slack:SigningSecret"] = SigningSecret;
        if (withBotToken)
        {
            factory.Settings["Slack:BotToken"] = BotToken;
        }

        _appClock = factory.Clock;
        _appStart = factory.Clock.GetUtcNow();
        factory.ServiceChanges.Add(services => services.ConfigureHttpClientDefaults(http =>
            http.AddHttpMessageHandler(() => new HostRewriteHandler(BaseAddress, Hosts))));
    }

    public async Task<SlackCall> WaitForAsync(Func<SlackCall, bool> match) => (await WaitForAsync(match, 1))[0];

    public async Task<IReadOnlyList<SlackCall>> WaitForAsync(Func<SlackCall, bool> match, int count)
    {
        try
        {
            // Only a guard against a hanging test: arrivals are signalled, not polled.
            return await Arrival(match, count).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{count} matching Slack call(s) did not arrive. Seen: {string.Join(", ", Calls.Select(c => c.Method))}");
        }
    }

    public Task<IReadOnlyList<SlackCall>> Arrival(Func<SlackCall, bool> match, int count = 1)
    {
        lock (_arrivals)
        {
            var waiter = new Waiter(match, count, new TaskCompletionSource<IReadOnlyList<SlackCall>>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!waiter.TryComplete(Calls))
            {
                _waiters.Add(waiter);
            }

            return waiter.Arrived.Task;
        }
    }

    public IReadOnlyList<SlackCall> Of(string method) => Calls.Where(c => c.Method == method).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var raw = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var contentType = context.Request.ContentType;
        JsonObject? json = null;
        Dictionary<string, string>? form = null;
        if (contentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            json = JsonNode.Parse(raw) as JsonObject;
        }
        else if (contentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            form = QueryHelpers.ParseQuery("?" + raw).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        }

        var host = context.Request.Host.Host;
        var call = new SlackCall(host, context.Request.Path.Value ?? "/", context.Request.Headers.Authorization.ToString(), contentType, raw, json, form, _appClock.GetUtcNow() - _appStart);
        var reply = Responder?.Invoke(call) ?? Default(call);
        call = call with { Answer = reply.Body };
        lock (_arrivals)
        {
            Calls.Enqueue(call);
            _waiters.RemoveAll(w => w.TryComplete(Calls));
        }

        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = reply.ContentType;
        await context.Response.WriteAsync(reply.Body);
    }

    private FakeSlackReply Default(SlackCall call)
    {
        if (call.IsResponseUrl)
        {
            return new FakeSlackReply(200, "ok", ContentType: "text/plain");
        }

        var token = call.Authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? call.Authorization[7..] : null;
        if (call.Method != "oauth.v2.access" && (token is null || !Tokens.ContainsKey(token)))
        {
            return Ok(new JsonObject { ["ok"] = false, ["error"] = token is null ? "not_authed" : "invalid_auth" });
        }

        var (team, botUser, bot) = token is null ? (TeamId, BotUserId, BotId) : Tokens[token];
        switch (call.Method)
        {
            case "auth.test":
                return Ok(new JsonObject { ["ok"] = true, ["url"] = "https://test.slack.com/", ["team"] = "Test Team", ["user"] = "stretchbot", ["team_id"] = team, ["user_id"] = botUser, ["bot_id"] = bot });
            case "chat.postMessage":
                var ts = Ts();
                return Ok(new JsonObject { ["ok"] = true, ["channel"] = call["channel"], ["ts"] = ts, ["message"] = new JsonObject { ["type"] = "message", ["ts"] = ts, ["bot_id"] = bot, ["text"] = call["text"] } });
            case "chat.update":
                return Ok(new JsonObject { ["ok"] = true, ["channel"] = call["channel"], ["ts"] = call["ts"], ["text"] = call["text"] });
            case "chat.postEphemeral":
                return Ok(new JsonObject { ["ok"] = true, ["message_ts"] = Ts() });
            case "conversations.open":
                return Ok(new JsonObject { ["ok"] = true, ["channel"] = new JsonObject { ["id"] = "D" + call["users"] } });
            case "conversations.info":
                return Ok(new JsonObject { ["ok"] = true, ["channel"] = new JsonObject { ["id"] = call["channel"], ["name"] = "stretching-" + call["channel"]?.ToLowerInvariant(), ["is_channel"] = true } });
            case "users.info":
                var id = call["user"] ?? string.Empty;
                return Users.TryGetValue(id, out var user)
                    ? Ok(new JsonObject { ["ok"] = true, ["user"] = new JsonObject { ["id"] = id, ["name"] = user.Name.ToLowerInvariant(), ["real_name"] = user.Name, ["tz"] = user.TimeZone, ["profile"] = new JsonObject { ["display_name"] = user.Name, ["real_name"] = user.Name } } })
                    : Ok(new JsonObject { ["ok"] = false, ["error"] = "user_not_found" });
            case "users.conversations":
                var channels = UserChannels.TryGetValue(call["user"] ?? string.Empty, out var list) ? list : [];
                return Ok(new JsonObject { ["ok"] = true, ["channels"] = new JsonArray(channels.Select(c => (JsonNode?)new JsonObject { ["id"] = c }).ToArray()), ["response_metadata"] = new JsonObject { ["next_cursor"] = string.Empty } });
            case "views.publish":
                return Ok(new JsonObject { ["ok"] = true, ["view"] = new JsonObject { ["id"] = "V1", ["type"] = "home" } });
            case "oauth.v2.access":
                return OAuth(call);
            default:
                return Ok(new JsonObject { ["ok"] = false, ["error"] = "unknown_method" });
        }
    }

    private FakeSlackReply OAuth(SlackCall call)
    {
        if (call.Authorization is not { } basic || !basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return Ok(new JsonObject { ["ok"] = false, ["error"] = "invalid_client_id" });
        }

        if (call["code"] is not { } code || !OAuthCodes.TryRemove(code, out var install))
        {
            return Ok(new JsonObject { ["ok"] = false, ["error"] = "invalid_code" });
        }

        Tokens[install.Token] = (install.TeamId, install.BotUserId, "B" + install.TeamId);
        return Ok(new JsonObject
        {
            ["ok"] = true, ["access_token"] = install.Token, ["token_type"] = "bot", ["scope"] = "chat:write,commands", ["bot_user_id"] = install.BotUserId,
            ["app_id"] = "A0KRD7HC3", ["team"] = new JsonObject { ["id"] = install.TeamId, ["name"] = install.TeamName }, ["enterprise"] = null,
            ["authed_user"] = new JsonObject { ["id"] = "U1234", ["scope"] = "chat:write", ["token_type"] = "user" }, ["is_enterprise_install"] = false,
        });
    }

    private string Ts()
    {
        var n = Interlocked.Increment(ref _ts);
        return (n / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (n % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static FakeSlackReply Ok(JsonObject body) => new(200, body.ToJsonString());

    private sealed record Waiter(Func<SlackCall, bool> Match, int Count, TaskCompletionSource<IReadOnlyList<SlackCall>> Arrived)
    {
        public bool TryComplete(IEnumerable<SlackCall> calls)
        {
            var matches = calls.Where(Match).ToList();
            return matches.Count >= Count && Arrived.TrySetResult(matches);
        }
    }
}
