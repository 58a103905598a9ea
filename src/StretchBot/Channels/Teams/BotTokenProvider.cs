using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace StretchBot.Channels.Teams;

/// <summary>
/// The bot's own token for the Bot Connector, by client credentials through MSAL (or a user-assigned managed
/// identity). MSAL caches it in this singleton's app cache and renews it shortly before it expires.
/// </summary>
public sealed class BotTokenProvider
{
    public const string HttpClientName = "BotConnector.Token";

    private readonly TeamsOptions _options;
    private readonly IConfidentialClientApplication? _confidential;
    private readonly IManagedIdentityApplication? _managedIdentity;
    private readonly string[] _scopes;

    public BotTokenProvider(IOptions<TeamsOptions> options, IHttpClientFactory httpClients)
    {
        _options = options.Value;
        _scopes = [_options.OAuthScope];
        if (!_options.AuthenticationEnabled)
        {
            return;
        }

        var http = new MsalHttpClients(httpClients);
        if (_options.MicrosoftAppType == BotAppType.UserAssignedMsi)
        {
            _managedIdentity = ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.WithUserAssignedClientId(_options.MicrosoftAppId!))
                .WithHttpClientFactory(http)
                .Build();
            return;
        }

        // Single-tenant bots get tokens from their own tenant; multi-tenant ones from the Bot Framework tenant.
        var tenant = _options.MicrosoftAppType == BotAppType.SingleTenant ? _options.MicrosoftAppTenantId! : _options.MultiTenantAuthority;
        _confidential = ConfidentialClientApplicationBuilder.Create(_options.MicrosoftAppId)
            .WithAuthority($"{_options.AuthorityHost.TrimEnd('/')}/{tenant}", validateAuthority: true)
            .WithClientSecret(_options.MicrosoftAppPassword)
            .WithHttpClientFactory(http)
            .Build();
    }

    // MSAL doesn't coalesce concurrent cache misses: a burst of first sends (the background workers run in parallel)
    // would each fetch a token. One caller at a time asks MSAL; the rest then find the token in its cache.
    private readonly SemaphoreSlim _acquiring = new(1, 1);

    /// <summary>The bearer token, or null when no app id is configured (local testing).</summary>
    public async Task<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_confidential is null && _managedIdentity is null)
        {
            return null;
        }

        await _acquiring.WaitAsync(cancellationToken);
        try
        {
            return await AcquireAsync(cancellationToken);
        }
        finally
        {
            _acquiring.Release();
        }
    }

    private async Task<string?> AcquireAsync(CancellationToken cancellationToken)
    {
        if (_confidential is not null)
        {
            var result = await _confidential.AcquireTokenForClient(_scopes).ExecuteAsync(cancellationToken);
            return result.AccessToken;
        }

        if (_managedIdentity is not null)
        {
            var resource = _options.OAuthScope.EndsWith("/.default", StringComparison.Ordinal) ? _options.OAuthScope[..^"/.default".Length] : _options.OAuthScope;
            var result = await _managedIdentity.AcquireTokenForManagedIdentity(resource).ExecuteAsync(cancellationToken);
            return result.AccessToken;
        }

        return null;
    }

    /// <summary>MSAL's HTTP goes through IHttpClientFactory, like every other outbound call.</summary>
    private sealed class MsalHttpClients(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(HttpClientName);
    }
}
