using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace StretchBot.Channels.Teams;

/// <summary>
/// The bot's own token for the Bot Connector, by client credentials through MSAL (or a user-assigned managed
/// identity). MSAL caches it in this singleton's app cache and renews it shortly before it expires.
/// </summary>
public sealed class BotTokenProvider : IDisposable
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

    // One acquisition at a time, shared by everyone who needs a token meanwhile, and owned by none of them. A caller
    // stops waiting when its own token says so (a connector call's per-attempt timeout), but the acquisition goes on:
    // a cold first fetch (instance discovery, a new connection, JIT on a busy machine) can outlast one attempt, and
    // cancelling it threw away a token Entra had already issued, so every retry fetched another. MSAL doesn't coalesce
    // concurrent cache misses either; here the burst of first sends and the retries all wait for the one fetch.
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private Task<string?>? _acquiring;

    /// <summary>The bearer token, or null when no app id is configured (local testing).</summary>
    public Task<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_confidential is null && _managedIdentity is null)
        {
            return Task.FromResult<string?>(null);
        }

        Task<string?> acquiring;
        lock (_gate)
        {
            // A finished acquisition is not reused: MSAL answers from its cache and renews the token near expiry.
            if (_acquiring is null || _acquiring.IsCompleted)
            {
                _acquiring = AcquireAsync(_disposed.Token);
            }

            acquiring = _acquiring;
        }

        return acquiring.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
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
