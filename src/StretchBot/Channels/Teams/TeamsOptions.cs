using StretchBot.Delivery;

namespace StretchBot.Channels.Teams;

/// <summary>How the bot's Entra app identity gets outbound tokens (the Azure Bot resource's "type").</summary>
public enum BotAppType { SingleTenant, MultiTenant, UserAssignedMsi, Unknown }

/// <summary>
/// The Teams channel: the Azure Bot's app identity and the Bot Connector endpoints. The defaults are the public cloud;
/// with no app id the channel still answers loopback callers without authentication, for local testing only.
/// Secrets come from environment variables (Teams__MicrosoftAppPassword) or user-secrets, never from appsettings.json.
/// </summary>
public sealed class TeamsOptions
{
    public const string Section = "Teams";

    public bool Enabled { get; set; } = true;

    /// <summary>SingleTenant (the default for new Azure Bots), MultiTenant, or UserAssignedMsi.</summary>
    public BotAppType MicrosoftAppType { get; set; } = BotAppType.SingleTenant;

    public string? MicrosoftAppId { get; set; }

    public string? MicrosoftAppPassword { get; set; }

    public string? MicrosoftAppTenantId { get; set; }

    /// <summary>The Bot Connector's OpenID metadata: its signing keys and their endorsements.</summary>
    public string OpenIdMetadataUrl { get; set; } = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    /// <summary>The only issuer of Bot Connector → bot tokens.</summary>
    public string TokenIssuer { get; set; } = "https://api.botframework.com";

    /// <summary>Entra ID, where the bot gets its own tokens.</summary>
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com";

    /// <summary>Multi-tenant bots get their tokens from the Bot Framework tenant.</summary>
    public string MultiTenantAuthority { get; set; } = "botframework.com";

    public string OAuthScope { get; set; } = "https://api.botframework.com/.default";

    /// <summary>Largest inbound activity accepted.</summary>
    public int MaxActivityBytes { get; set; } = 256 * 1024;

    /// <summary>A shared channel card's tally is updated at most this often, however many people click.</summary>
    public TimeSpan SharedCardUpdateInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One outbound attempt gives up after this long.</summary>
    public TimeSpan OutboundAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int OutboundMaxRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan OutboundRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A Retry-After longer than this is not waited for in the request that got it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    // Teams' limits per bot per conversation (send or create conversation) and per app per tenant, each counted over a
    // sliding window: the gate keeps every window of Teams' own within them, whatever the latency.

    /// <summary>Teams allows 7 sends per second per conversation.</summary>
    public int SendsPerSecondPerConversation { get; set; } = 7;

    /// <summary>Teams allows 8 sends per 2 seconds per conversation.</summary>
    public int SendsPer2SecondsPerConversation { get; set; } = 8;

    /// <summary>Teams allows 60 sends per 30 seconds per conversation.</summary>
    public int SendsPer30SecondsPerConversation { get; set; } = 60;

    /// <summary>Teams allows 1,800 sends per hour per conversation.</summary>
    public int SendsPerHourPerConversation { get; set; } = 1800;

    /// <summary>Teams allows 50 requests per second per app per tenant.</summary>
    public int RequestsPerSecondPerTenant { get; set; } = 50;

    /// <summary>
    /// The tenant for activities of a Bot Framework channel that names none in conversation.tenantId (Web Chat, Direct
    /// Line through Azure), by channel id; "default" when not listed. It is always kept under the channel's own id
    /// ("webchat:default"), so no other channel's data can land in a Teams tenant.
    /// </summary>
    public Dictionary<string, string> DefaultTenants { get; set; } = new(StringComparer.Ordinal);

    public string DefaultTenantFor(string channelId) => DefaultTenants.TryGetValue(channelId, out var tenant) && tenant.Length > 0 ? tenant : "default";

    /// <summary>The numbers the one outbound pipeline applies to Bot Connector calls.</summary>
    public OutboundPolicy OutboundPolicy => new(
        OutboundMaxRetries, OutboundRetryDelay, MaxRetryAfter, OutboundAttemptTimeout,
        PerConversation:
        [
            new(SendsPerSecondPerConversation, TimeSpan.FromSeconds(1)),
            new(SendsPer2SecondsPerConversation, TimeSpan.FromSeconds(2)),
            new(SendsPer30SecondsPerConversation, TimeSpan.FromSeconds(30)),
            new(SendsPerHourPerConversation, TimeSpan.FromHours(1)),
        ],
        PerTenant: [new(RequestsPerSecondPerTenant, TimeSpan.FromSeconds(1))]);

    public bool AuthenticationEnabled => !string.IsNullOrWhiteSpace(MicrosoftAppId);

    /// <summary>The bot's id in Teams conversations.</summary>
    public string BotId => "28:" + MicrosoftAppId;

    /// <summary>Checks the identity and outbound settings; returns what to fix, or null.</summary>
    public string? Problem()
    {
        if (OutboundMaxRetries is < 1 or > 10 || OutboundRetryDelay <= TimeSpan.Zero || OutboundRetryDelay > TimeSpan.FromMinutes(1)
            || OutboundAttemptTimeout < TimeSpan.FromMilliseconds(100) || OutboundAttemptTimeout > TimeSpan.FromHours(1)
            || MaxRetryAfter < TimeSpan.Zero || MaxRetryAfter > TimeSpan.FromMinutes(10)
            || SendsPerSecondPerConversation < 1 || SendsPer2SecondsPerConversation < 1 || SendsPer30SecondsPerConversation < 1
            || SendsPerHourPerConversation < 1 || RequestsPerSecondPerTenant < 1 || SharedCardUpdateInterval < TimeSpan.FromSeconds(1))
        {
            return "Teams outbound settings are out of range: OutboundMaxRetries 1–10, OutboundRetryDelay up to 1 minute, OutboundAttemptTimeout 100 ms to 1 hour, "
                + "MaxRetryAfter up to 10 minutes, SendsPerSecondPerConversation, SendsPer2SecondsPerConversation, SendsPer30SecondsPerConversation, "
                + "SendsPerHourPerConversation and RequestsPerSecondPerTenant at least 1, SharedCardUpdateInterval at least 1 s.";
        }

        if (string.IsNullOrWhiteSpace(MicrosoftAppId))
        {
            return string.IsNullOrWhiteSpace(MicrosoftAppPassword) ? null : "Teams:MicrosoftAppPassword is set but Teams:MicrosoftAppId is not.";
        }

        if (!Guid.TryParse(MicrosoftAppId, out _))
        {
            return "Teams:MicrosoftAppId must be the Azure Bot's Microsoft App ID (a GUID).";
        }

        return MicrosoftAppType switch
        {
            BotAppType.Unknown => "MicrosoftAppType must be SingleTenant, MultiTenant or UserAssignedMSI.",
            BotAppType.SingleTenant when string.IsNullOrWhiteSpace(MicrosoftAppPassword) => "Teams:MicrosoftAppPassword (the client secret) is required for a SingleTenant bot.",
            BotAppType.SingleTenant when !Guid.TryParse(MicrosoftAppTenantId, out _) => "Teams:MicrosoftAppTenantId (a GUID) is required for a SingleTenant bot.",
            BotAppType.MultiTenant when string.IsNullOrWhiteSpace(MicrosoftAppPassword) => "Teams:MicrosoftAppPassword (the client secret) is required for a MultiTenant bot.",
            BotAppType.UserAssignedMsi when !string.IsNullOrWhiteSpace(MicrosoftAppPassword) => "Teams:MicrosoftAppPassword must be empty for a UserAssignedMsi bot (the managed identity has no secret).",
            BotAppType.UserAssignedMsi when !Guid.TryParse(MicrosoftAppTenantId, out _) => "Teams:MicrosoftAppTenantId (a GUID) is required for a UserAssignedMsi bot.",
            _ => null,
        };
    }
}
