using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace StretchBot.Channels.Teams;

/// <summary>The outcome of checking an inbound request: who sent it, or why it was refused (for logs, never for the caller).</summary>
public readonly record struct AuthenticationResult(bool Succeeded, string? Failure)
{
    public static readonly AuthenticationResult Anonymous = new(true, null);
    public static readonly AuthenticationResult Valid = new(true, null);

    public static AuthenticationResult Fail(string why) => new(false, why);
}

/// <summary>
/// Checks the Bot Connector's JWT exactly as the Bot Framework SDK does (ChannelValidation, JwtTokenExtractor,
/// EndorsementsValidator): Bearer scheme, issuer https://api.botframework.com, RS256/384/512 signature by a key
/// from the OpenID metadata, lifetime with 5 minutes of skew, audience = our app id, the key endorsed for the
/// activity's channel, and the serviceurl claim equal to the activity's serviceUrl.
/// </summary>
public sealed class BotConnectorAuthentication
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    // An unknown kid fetches the keys again at once (the first request after Microsoft rotates its keys must pass),
    // but at most this often, so tokens naming made-up kids can't make us hammer the issuer.
    private static readonly TimeSpan MinRefetchInterval = TimeSpan.FromSeconds(30);

    private readonly TeamsOptions _options;
    private readonly TimeProvider _time;
    private readonly ConfigurationManager<BotSigningKeys> _keys;
    private readonly HttpDocumentRetriever _documents;
    private readonly SemaphoreSlim _refetchGate = new(1, 1);
    private readonly JsonWebTokenHandler _handler = new();
    private volatile BotSigningKeys? _refetched;
    private long? _refetchedAt;

    public BotConnectorAuthentication(IOptions<TeamsOptions> options, IHttpClientFactory httpClients, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var metadata = new Uri(_options.OpenIdMetadataUrl);
        _documents = new HttpDocumentRetriever(httpClients.CreateClient(nameof(BotConnectorAuthentication)))
        {
            // Plain HTTP only for a loopback issuer (the test fakes); the real one is HTTPS.
            RequireHttps = !(metadata.IsLoopback && metadata.Scheme == Uri.UriSchemeHttp),
        };
        _keys = new ConfigurationManager<BotSigningKeys>(_options.OpenIdMetadataUrl, new BotSigningKeysRetriever(), _documents)
        {
            // Keys are cached; an unknown kid asks for a refresh, at most every 5 minutes.
            AutomaticRefreshInterval = TimeSpan.FromHours(24),
            RefreshInterval = TimeSpan.FromMinutes(5),
        };
    }

    public async Task<AuthenticationResult> AuthenticateAsync(HttpContext context, string? channelId, string? serviceUrl, CancellationToken cancellationToken)
    {
        var header = context.Request.Headers.Authorization;
        if (!_options.AuthenticationEnabled)
        {
            // No app id: local testing only (Bot Framework Emulator, the test suite), and only from this machine.
            return ActivityFields.IsLoopback(context) ? AuthenticationResult.Anonymous : AuthenticationResult.Fail("no app id is configured and the caller is not on loopback");
        }

        if (header.Count != 1 || header[0] is not { } value)
        {
            return AuthenticationResult.Fail("missing Authorization header");
        }

        var parts = value.Split(' ');
        if (parts.Length != 2 || parts[0] != "Bearer" || parts[1].Length == 0)
        {
            return AuthenticationResult.Fail("Authorization is not 'Bearer <token>'");
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(parts[1]);
        }
        catch (ArgumentException)
        {
            return AuthenticationResult.Fail("the token is not a JWT");
        }

        if (!Algorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return AuthenticationResult.Fail($"algorithm '{Shorten(token.Alg)}' is not allowed");
        }

        if (token.Issuer != _options.TokenIssuer)
        {
            return AuthenticationResult.Fail("wrong issuer");
        }

        BotSigningKeys keys;
        try
        {
            keys = await KeysNamingAsync(token.Kid ?? string.Empty, cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or HttpRequestException or System.Text.Json.JsonException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return AuthenticationResult.Fail("the signing keys could not be fetched");
        }

        if (!keys.Keys.TryGetValue(token.Kid ?? string.Empty, out var key))
        {
            return AuthenticationResult.Fail("unknown signing key");
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = _options.TokenIssuer,
            ValidateIssuer = true,
            // The audience is checked below, as the SDK does, so the failure says what was wrong.
            ValidateAudience = false,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = false,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            LifetimeValidator = ValidLifetime,
        });
        if (!result.IsValid)
        {
            return AuthenticationResult.Fail($"token rejected ({result.Exception?.GetType().Name ?? "invalid"})");
        }

        if (!token.TryGetPayloadValue<string>("aud", out var audience) || audience != _options.MicrosoftAppId)
        {
            return AuthenticationResult.Fail("wrong audience");
        }

        // The caller passes the channel the activity will be handled as (Teams when it names none), so the key's
        // endorsement is always checked against what the bot then does.
        if (string.IsNullOrEmpty(channelId) || !keys.IsEndorsedFor(token.Kid!, channelId))
        {
            return AuthenticationResult.Fail($"signing key not endorsed for '{Shorten(channelId)}'");
        }

        if (!string.IsNullOrEmpty(serviceUrl)
            && (!token.TryGetPayloadValue<string>("serviceurl", out var claimed) || !string.Equals(claimed, serviceUrl, StringComparison.OrdinalIgnoreCase)))
        {
            return AuthenticationResult.Fail("serviceurl claim does not match the activity");
        }

        return AuthenticationResult.Valid;
    }

    /// <summary>
    /// The cached keys, or, when they don't hold this kid, keys fetched again now. The configuration manager's own
    /// RequestRefresh only refreshes in the background and then at most every 5 minutes, which would refuse the first
    /// requests signed with a newly rotated key.
    /// </summary>
    private async Task<BotSigningKeys> KeysNamingAsync(string kid, CancellationToken cancellationToken)
    {
        var cached = await _keys.GetConfigurationAsync(cancellationToken);
        if (cached.Keys.ContainsKey(kid))
        {
            return cached;
        }

        // After a rotation every request names the new kid: answer from the keys fetched then, without queueing.
        if (_refetched is { } fresh && fresh.Keys.ContainsKey(kid))
        {
            return fresh;
        }

        await _refetchGate.WaitAsync(cancellationToken);
        try
        {
            if (_refetched is { } known && (known.Keys.ContainsKey(kid) || (_refetchedAt is { } at && _time.GetElapsedTime(at) < MinRefetchInterval)))
            {
                return known.Keys.ContainsKey(kid) ? known : cached;
            }

            // A slow issuer must not hold every other request at the gate for long.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            _refetched = await new BotSigningKeysRetriever().GetConfigurationAsync(_options.OpenIdMetadataUrl, _documents, timeout.Token);
            _refetchedAt = _time.GetTimestamp();
            return _refetched;
        }
        finally
        {
            _refetchGate.Release();
        }
    }

    private bool ValidLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now <= exp.ToUniversalTime() + ClockSkew
            && (notBefore is not { } nbf || now >= nbf.ToUniversalTime() - ClockSkew);
    }

    private static string Shorten(string? text) => text is null ? "(none)" : text.Length <= 20 ? text : text[..20] + "…";
}
