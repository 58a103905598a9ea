using StretchBot.Delivery;

namespace StretchBot.Channels.Slack;

/// <summary>
/// The Slack channel. Off unless <see cref="Enabled"/>. HTTP mode needs the signing secret; Socket Mode the app-level
/// token. One workspace takes its bot token from <see cref="BotToken"/>; many workspaces install through OAuth v2 with
/// <see cref="ClientId"/> and <see cref="ClientSecret"/> (both can be set). Secrets come from environment variables
/// (Slack__SigningSecret) or user-secrets, never from appsettings.json.
/// </summary>
public sealed class SlackOptions
{
    public const string Section = "Slack";

    public bool Enabled { get; set; }

    /// <summary>Basic Information → App Credentials → Signing Secret: every HTTP request is verified with it.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>One workspace: the Bot User OAuth Token (xoxb-…), checked with auth.test at start-up.</summary>
    public string? BotToken { get; set; }

    /// <summary>Many workspaces: the app's client id and secret for OAuth v2 (install at /slack/install).</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The public URL of /slack/oauth/callback, as listed in the manifest's redirect_urls; null sends none.</summary>
    public string? RedirectUrl { get; set; }

    /// <summary>The bot scopes an OAuth install asks for (comma-separated).</summary>
    public string Scopes { get; set; } = "chat:write,commands,app_mentions:read,im:history,im:write,channels:read,groups:read,users:read";

    /// <summary>Connect out over a WebSocket (apps.connections.open) instead of receiving HTTP requests.</summary>
    public bool SocketMode { get; set; }

    /// <summary>Socket Mode: the app-level token (xapp-…) with connections:write.</summary>
    public string? AppToken { get; set; }

    /// <summary>The Web API.</summary>
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>Where a person approves an OAuth install.</summary>
    public string AuthorizeUrl { get; set; } = "https://slack.com/oauth/v2/authorize";

    /// <summary>
    /// Hosts a response_url may point at. Slack's are on hooks.slack.com; a signed payload naming any other host is
    /// refused rather than posted to (a response_url is a URL we would call with a person's data).
    /// </summary>
    public List<string> ResponseUrlHosts { get; set; } = ["hooks.slack.com"];

    /// <summary>Largest request accepted at /slack/events (Slack's payloads are a few KB; a block_actions with its message, tens).</summary>
    public int MaxRequestBytes { get; set; } = 512 * 1024;

    /// <summary>At most one chat.update of a prompt's tally per message in this time.</summary>
    public TimeSpan MessageUpdateInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Slack's posting limit: about one message per second per channel (chat.postMessage).</summary>
    public int SendsPerSecondPerChannel { get; set; } = 1;

    /// <summary>Every Web API call of one workspace, over a sliding minute.</summary>
    public int CallsPerMinutePerWorkspace { get; set; } = 300;

    public TimeSpan OutboundAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int OutboundMaxRetries { get; set; } = 3;

    public TimeSpan OutboundRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A Retry-After longer than this is not waited for in the request that got it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a person's name and time zone from users.info are kept before asking again.</summary>
    public TimeSpan UserCacheTime { get; set; } = TimeSpan.FromHours(1);

    public OutboundPolicy OutboundPolicy => new(
        OutboundMaxRetries, OutboundRetryDelay, MaxRetryAfter, OutboundAttemptTimeout,
        PerConversation: [new(SendsPerSecondPerChannel, TimeSpan.FromSeconds(1))],
        PerTenant: [new(CallsPerMinutePerWorkspace, TimeSpan.FromMinutes(1))]);

    public bool OAuthEnabled => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);

    /// <summary>Checks the settings; returns what to fix, or null.</summary>
    public string? Problem()
    {
        if (!Enabled)
        {
            return null;
        }

        // Tokens travel in every call: plain http only to this machine (a test double, a local proxy).
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || !(api.Scheme == "https" || (api.Scheme == "http" && api.IsLoopback)) || !ApiBaseUrl.EndsWith('/'))
        {
            return "Slack:ApiBaseUrl must be an absolute https URL ending in '/', such as https://slack.com/api/ (http only on loopback).";
        }

        if (SocketMode)
        {
            if (string.IsNullOrWhiteSpace(AppToken) || !AppToken.StartsWith("xapp-", StringComparison.Ordinal))
            {
                return "Slack:SocketMode needs Slack:AppToken, the app-level token (xapp-…) with the connections:write scope.";
            }
        }
        else if (string.IsNullOrWhiteSpace(SigningSecret))
        {
            return "Slack:SigningSecret is required (Basic Information → App Credentials → Signing Secret), or turn on Slack:SocketMode.";
        }

        if (string.IsNullOrWhiteSpace(BotToken) && !OAuthEnabled)
        {
            return "Slack needs Slack:BotToken (one workspace: the Bot User OAuth Token, xoxb-…) or Slack:ClientId and Slack:ClientSecret (installs through OAuth).";
        }

        if (!string.IsNullOrWhiteSpace(BotToken) && !BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            return "Slack:BotToken must be the Bot User OAuth Token (it starts with xoxb-).";
        }

        if (string.IsNullOrWhiteSpace(ClientId) != string.IsNullOrWhiteSpace(ClientSecret))
        {
            return "Slack:ClientId and Slack:ClientSecret go together (Basic Information → App Credentials).";
        }

        if (RedirectUrl is { Length: > 0 } && (!Uri.TryCreate(RedirectUrl, UriKind.Absolute, out var redirect) || redirect.Scheme is not ("https" or "http")))
        {
            return "Slack:RedirectUrl must be the absolute URL of /slack/oauth/callback.";
        }

        if (OutboundMaxRetries is < 1 or > 10 || OutboundRetryDelay <= TimeSpan.Zero || OutboundRetryDelay > TimeSpan.FromMinutes(1)
            || OutboundAttemptTimeout < TimeSpan.FromMilliseconds(100) || OutboundAttemptTimeout > TimeSpan.FromHours(1)
            || MaxRetryAfter < TimeSpan.Zero || MaxRetryAfter > TimeSpan.FromMinutes(10)
            || SendsPerSecondPerChannel < 1 || CallsPerMinutePerWorkspace < 1 || MessageUpdateInterval < TimeSpan.FromSeconds(1)
            || MaxRequestBytes is < 1024 or > 4 * 1024 * 1024)
        {
            return "Slack outbound settings are out of range: OutboundMaxRetries 1–10, OutboundRetryDelay up to 1 minute, OutboundAttemptTimeout 100 ms to 1 hour, "
                + "MaxRetryAfter up to 10 minutes, SendsPerSecondPerChannel and CallsPerMinutePerWorkspace at least 1, MessageUpdateInterval at least 1 s, "
                + "MaxRequestBytes 1 KB to 4 MB.";
        }

        return null;
    }
}
