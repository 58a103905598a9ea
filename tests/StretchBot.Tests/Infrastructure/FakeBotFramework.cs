using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace StretchBot.Tests.Infrastructure;

/// <summary>One request the bot made to the fake Bot Connector, as it arrived on the wire; <c>At</c> is on the app's clock, from when the fake was applied.</summary>
public sealed record ConnectorRequest(string Method, string RawTarget, string? Authorization, string? ContentType, JsonObject? Body, TimeSpan At, string? Host = null)
{
    public string Path => RawTarget.Split('?')[0];

    /// <summary>The Adaptive Card the bot sent, if this request carried one.</summary>
    public JsonNode? Card => Body?["attachments"]?[0]?["content"];

    /// <summary>A message whose summary starts so ("Stretch:" for a stretch card, "Done:" for a Done card).</summary>
    public bool HasSummary(string prefix) => ((string?)Body?["summary"])?.StartsWith(prefix, StringComparison.Ordinal) == true;
}

/// <summary>What the fake connector answers; null body means an empty body.</summary>
public sealed record FakeReply(int Status, string? Body = null, TimeSpan? RetryAfter = null, TimeSpan? Hang = null);

/// <summary>
/// Microsoft's cloud as the bot sees it, on loopback: the Bot Connector's OpenID issuer (metadata and endorsed
/// RS256 keys), Entra ID's token endpoint, and the Bot Connector REST API. The app keeps its production URLs
/// (login.botframework.com, login.microsoftonline.com, smba.trafficmanager.net); an HTTP handler added to its
/// clients sends those hosts here instead. Tokens for inbound requests are minted with real keys.
/// </summary>
public sealed class FakeBotFramework : IAsyncDisposable
{
    public const string AppId = "3c9a1f52-7d4e-4b6a-9c1e-2f8d5b7a6e01";
    public const string AppTenantId = "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f";
    public const string AppPassword = "test-client-secret-not-real";
    public const string Issuer = "https://api.botframework.com";
    public const string TeamsKeyId = "teams-key-1";
    public const string EmulatorKeyId = "emulator-key-1";

    // 169.254.169.254 is Azure's instance metadata service, where a managed identity gets its tokens.
    private static readonly string[] Hosts =
        ["login.botframework.com", "login.microsoftonline.com", "smba.trafficmanager.net", "webchat.botframework.com", "directline.botframework.com", "169.254.169.254"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _scripted = new();
    private readonly object _arrivals = new();
    private readonly List<Waiter> _waiters = [];
    private int _activityCounter = 1_700_000_000;
    private int _tokenRequests;
    private TaskCompletionSource _tokenAnswers = Released();
    private TaskCompletionSource _tokenRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeProvider _appClock = TimeProvider.System;
    private DateTimeOffset _appStart = TimeProvider.System.GetUtcNow();

    private FakeBotFramework(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Endorsed for msteams (and skype), published in the keys document.</summary>
    public RsaSecurityKey TeamsKey { get; } = new(RSA.Create(2048)) { KeyId = TeamsKeyId };

    /// <summary>Published, but endorsed only for the emulator channel.</summary>
    public RsaSecurityKey EmulatorKey { get; } = new(RSA.Create(2048)) { KeyId = EmulatorKeyId };

    /// <summary>Never published.</summary>
    /// <summary>A key the issuer starts publishing (and signing with) only once <see cref="KeysRotated"/> is set: Microsoft rotating its keys.</summary>
    public RsaSecurityKey RotatedKey { get; } = new(RSA.Create(2048)) { KeyId = "rotated-key-2" };

    public bool KeysRotated { get; set; }

    public RsaSecurityKey UnpublishedKey { get; } = new(RSA.Create(2048)) { KeyId = "unpublished-key" };

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<ConnectorRequest> Requests { get; } = new();

    public ConcurrentQueue<string> TokenRequestBodies { get; } = new();

    /// <summary>Token requests that reached Entra's endpoint (each one issues a token, whether or not the bot waits for it).</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Completes when the first token request reaches Entra's endpoint.</summary>
    public Task TokenRequested => _tokenRequested.Task;

    /// <summary>Entra's token endpoint keeps every answer back until <see cref="ReleaseTokenAnswers"/> (a token endpoint as slow as the test wants).</summary>
    public void HoldTokenAnswers() => _tokenAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseTokenAnswers() => _tokenAnswers.TrySetResult();

    public int KeyDocumentRequests { get; private set; }

    /// <summary>Answers to use, in order, before the default ones (for 429s, 503s, hangs).</summary>
    public void Script(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _scripted.Enqueue(reply);
        }
    }

    /// <summary>Optionally decides the answer for a request; return null for the default.</summary>
    public Func<ConnectorRequest, FakeReply?>? Responder { get; set; }

    public static async Task<FakeBotFramework> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeBotFramework(app);
        fake.Map(app);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>Points the app at this fake: its app identity, and its HTTP clients' production hosts rewritten here.</summary>
    public void Apply(StretchBotFactory factory)
    {
        factory.Settings["Teams:MicrosoftAppId"] = AppId;
        factory.Settings["Teams:MicrosoftAppPassword"] = AppPassword;
        factory.Settings["Teams:MicrosoftAppTenantId"] = AppTenantId;
        factory.Settings["Teams:MicrosoftAppType"] = "SingleTenant";
        _appClock = factory.Clock;
        _appStart = factory.Clock.GetUtcNow();
        factory.ServiceChanges.Add(services => services.ConfigureHttpClientDefaults(http =>
            http.AddHttpMessageHandler(() => new HostRewriteHandler(BaseAddress, Hosts))));
    }

    /// <summary>A Bot Connector → bot token, valid unless told otherwise.</summary>
    public string Token(
        DateTimeOffset now,
        string serviceUrl = "https://smba.trafficmanager.net/amer/",
        string? audience = AppId,
        string issuer = Issuer,
        SecurityKey? key = null,
        string algorithm = SecurityAlgorithms.RsaSha256,
        TimeSpan? notBeforeOffset = null,
        TimeSpan? lifetime = null)
    {
        var notBefore = now + (notBeforeOffset ?? TimeSpan.FromMinutes(-1));
        var claims = new Dictionary<string, object> { ["serviceurl"] = serviceUrl };
        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Claims = claims,
            NotBefore = notBefore.UtcDateTime,
            IssuedAt = notBefore.UtcDateTime,
            Expires = (notBefore + (lifetime ?? TimeSpan.FromHours(1))).UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? TeamsKey, algorithm),
        });
    }

    /// <summary>An unsigned token ("alg":"none") with otherwise valid claims.</summary>
    public static string UnsignedToken(DateTimeOffset now, string serviceUrl = "https://smba.trafficmanager.net/amer/")
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(new JsonObject
        {
            ["iss"] = Issuer, ["aud"] = AppId, ["serviceurl"] = serviceUrl,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        }.ToJsonString());
        return $"{header}.{payload}.";
    }

    /// <summary>HS256 keyed with the published RSA public key: the classic algorithm-confusion attack.</summary>
    public string PublicKeyHmacToken(DateTimeOffset now)
    {
        var publicKey = TeamsKey.Rsa.ExportSubjectPublicKeyInfoPem();
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(publicKey)) { KeyId = TeamsKeyId };
        return Token(now, key: key, algorithm: SecurityAlgorithms.HmacSha256);
    }

    /// <summary>The first request that matches, as soon as it arrives (already arrived counts).</summary>
    public async Task<ConnectorRequest> WaitForAsync(Func<ConnectorRequest, bool> match) =>
        (await WaitForAsync(match, 1))[0];

    /// <summary>The requests that match, as soon as <paramref name="count"/> of them have arrived.</summary>
    public async Task<IReadOnlyList<ConnectorRequest>> WaitForAsync(Func<ConnectorRequest, bool> match, int count)
    {
        try
        {
            // Only a guard against a test that would otherwise hang: arrivals are signalled, not polled.
            return await Arrival(match, count).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{count} matching request(s) did not reach the fake connector. Seen: {string.Join(", ", Requests.Select(r => $"{r.Method} {r.Path}"))}");
        }
    }

    /// <summary>Completes when <paramref name="count"/> requests that match have arrived; no time limit of its own.</summary>
    public Task<IReadOnlyList<ConnectorRequest>> Arrival(Func<ConnectorRequest, bool> match, int count = 1)
    {
        lock (_arrivals)
        {
            var waiter = new Waiter(match, count, new TaskCompletionSource<IReadOnlyList<ConnectorRequest>>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!waiter.TryComplete(Requests))
            {
                _waiters.Add(waiter);
            }

            return waiter.Arrived.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/v1/.well-known/openidconfiguration", (HttpContext context) => Results.Json(new JsonObject
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = "https://invalid.botframework.com",
            ["jwks_uri"] = "https://login.botframework.com/v1/.well-known/keys",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
        }));
        app.MapGet("/v1/.well-known/keys", () =>
        {
            KeyDocumentRequests++;
            var keys = new JsonArray(Jwk(TeamsKey, "msteams", "skype", "slack", "webchat", "directline", "telegram"), Jwk(EmulatorKey, "emulator"));
            if (KeysRotated)
            {
                keys.Add(Jwk(RotatedKey, "msteams", "webchat", "directline"));
            }

            return Results.Json(new JsonObject { ["keys"] = keys });
        });
        app.MapGet("/common/discovery/instance", () => Results.Json(new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"https://login.microsoftonline.com/{AppTenantId}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = "login.microsoftonline.com",
                ["preferred_cache"] = "login.windows.net",
                ["aliases"] = new JsonArray("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"),
            }),
        }));
        app.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            TokenRequestBodies.Enqueue($"tenant={tenant}&" + string.Join("&", form.Select(f => $"{f.Key}={f.Value}")));
            if (form["grant_type"] != "client_credentials" || form["client_id"] != AppId || form["client_secret"] != AppPassword)
            {
                return Results.Json(new JsonObject { ["error"] = "invalid_client", ["error_description"] = "AADSTS7000215: Invalid client secret provided." }, statusCode: 401);
            }

            var n = Interlocked.Increment(ref _tokenRequests);
            _tokenRequested.TrySetResult();
            await _tokenAnswers.Task;
            return Results.Json(new JsonObject
            {
                ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = $"bot-token-{n}",
            });
        });
        app.MapGet("/metadata/identity/oauth2/token", (HttpContext context) =>
        {
            TokenRequestBodies.Enqueue("imds?" + context.Request.QueryString.Value?.TrimStart('?') + $"&metadata={context.Request.Headers["Metadata"]}");
            if (context.Request.Query["client_id"] != AppId)
            {
                return Results.Json(new JsonObject { ["error"] = "invalid_request", ["error_description"] = "Identity not found" }, statusCode: 400);
            }

            var n = Interlocked.Increment(ref _tokenRequests);
            return Results.Json(new JsonObject
            {
                ["access_token"] = $"msi-token-{n}", ["expires_in"] = "3599", ["expires_on"] = DateTimeOffset.FromUnixTimeSeconds(4_102_444_800).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["resource"] = context.Request.Query["resource"].ToString(), ["token_type"] = "Bearer", ["client_id"] = AppId,
            });
        });
        app.Map("/{region}/v3/{**rest}", ConnectorAsync);
        // Web Chat's and Direct Line's connectors (webchat.botframework.com, directline.botframework.com) have no region.
        app.Map("/v3/{**rest}", ConnectorAsync);
    }

    private async Task ConnectorAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        JsonObject? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject;
        }

        var request = new ConnectorRequest(context.Request.Method, raw, context.Request.Headers.Authorization.ToString(), context.Request.ContentType, body, _appClock.GetUtcNow() - _appStart, context.Request.Host.Host);
        lock (_arrivals)
        {
            Requests.Enqueue(request);
            _waiters.RemoveAll(w => w.TryComplete(Requests));
        }

        var reply = (_scripted.TryDequeue(out var scripted) ? scripted : null) ?? Responder?.Invoke(request) ?? Default(request);
        if (reply.Hang is { } hang)
        {
            try
            {
                await Task.Delay(hang, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(reply.Body);
        }
    }

    private FakeReply Default(ConnectorRequest request)
    {
        var id = Interlocked.Increment(ref _activityCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var path = request.Path;
        return request.Method switch
        {
            "POST" when path.EndsWith("/v3/conversations", StringComparison.Ordinal) => CreateConversation(request, id),
            "POST" => new FakeReply(201, new JsonObject { ["id"] = id }.ToJsonString()),
            "PUT" => new FakeReply(200, new JsonObject { ["id"] = path[(path.LastIndexOf('/') + 1)..] }.ToJsonString()),
            "GET" when path.EndsWith("/pagedmembers", StringComparison.Ordinal) => new FakeReply(200, """{"members":[{"id":"29:1ada","name":"Ada Lovelace","objectId":"aad-ada"}],"continuationToken":null}"""),
            _ => new FakeReply(404, """{"error":{"code":"NotFound","message":"No such resource"}}"""),
        };
    }

    private static FakeReply CreateConversation(ConnectorRequest request, string id)
    {
        if (request.Body?["isGroup"]?.GetValue<bool>() == true && request.Body["channelData"]?["channel"]?["id"]?.GetValue<string>() is { } channel)
        {
            return new FakeReply(201, new JsonObject { ["id"] = $"{channel};messageid={id}", ["activityId"] = id }.ToJsonString());
        }

        return new FakeReply(201, new JsonObject { ["id"] = $"a:personal-{id}" }.ToJsonString());
    }

    private static JsonObject Jwk(RsaSecurityKey key, params string[] endorsements)
    {
        var parameters = key.Rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["endorsements"] = new JsonArray(endorsements.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
        };
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    private sealed record Waiter(Func<ConnectorRequest, bool> Match, int Count, TaskCompletionSource<IReadOnlyList<ConnectorRequest>> Arrived)
    {
        public bool TryComplete(IEnumerable<ConnectorRequest> requests)
        {
            var matches = requests.Where(Match).ToList();
            return matches.Count >= Count && Arrived.TrySetResult(matches);
        }
    }
}
