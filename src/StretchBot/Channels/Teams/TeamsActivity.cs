using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StretchBot.Conversation;
using static StretchBot.Channels.ActivityFields;

namespace StretchBot.Channels.Teams;

/// <summary>
/// One inbound Bot Connector activity, read defensively: Teams adds fields and events at any time, and ids are
/// opaque strings. The Teams wire format stays in this folder; the core sees a <see cref="Turn"/>.
/// </summary>
public sealed partial class TeamsActivity
{
    public const string TeamsChannelId = "msteams";

    /// <summary>
    /// The Azure Bot channels StretchBot answers at this endpoint: Teams, and as a generic Bot Framework channel the
    /// portal's "Test in Web Chat", Direct Line through Azure, and the Bot Framework Emulator.
    /// </summary>
    public static readonly IReadOnlySet<string> AnsweredChannels = new HashSet<string>(StringComparer.Ordinal) { TeamsChannelId, "webchat", "directline", "emulator" };

    private TeamsActivity(JsonObject raw) => Raw = raw;

    public JsonObject Raw { get; }

    public string Type => StringOf(Raw["type"])!;

    public string? Name => StringOf(Raw["name"]);

    public string? Id => StringOf(Raw["id"]);

    public string? ChannelId => StringOf(Raw["channelId"]);

    /// <summary>The channel this activity is in, as the core keys it; Teams when the connector didn't say.</summary>
    public string CoreChannelId => ChannelId is { Length: > 0 } id ? id : TeamsChannelId;

    /// <summary>Teams-only behaviour (Universal Actions, mentions as HTML, card refresh) applies only here.</summary>
    public bool IsTeams => CoreChannelId == TeamsChannelId;

    public string? ServiceUrl => StringOf(Raw["serviceUrl"]);

    public string? Action => StringOf(Raw["action"]);

    public string FromId => StringOf(Get(Raw["from"], "id")) ?? string.Empty;

    public string? FromName => StringOf(Get(Raw["from"], "name"));

    public string RecipientId => StringOf(Get(Raw["recipient"], "id")) ?? string.Empty;

    public string? RecipientName => StringOf(Get(Raw["recipient"], "name"));

    /// <summary>The conversation as the connector names it: a thread in a channel carries ";messageid=…".</summary>
    public string ConversationId => StringOf(Get(Raw["conversation"], "id")) ?? string.Empty;

    /// <summary>The conversation without the thread: the channel, chat or 1:1. Stats and prompts are kept per this id.</summary>
    public string BaseConversationId => ConversationId.Split(";messageid=", 2)[0];

    public string? ConversationType => StringOf(Get(Raw["conversation"], "conversationType"));

    public bool IsGroup => Get(Raw["conversation"], "isGroup") is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public string? TenantId => StringOf(Get(Raw["conversation"], "tenantId")) ?? StringOf(Get(Get(Raw["channelData"], "tenant"), "id"));

    public string? TeamId => StringOf(Get(Get(Raw["channelData"], "team"), "id"));

    public string? TeamName => Limit(StringOf(Get(Get(Raw["channelData"], "team"), "name")), 256);

    public string? ConversationName => Limit(StringOf(Get(Raw["conversation"], "name")) ?? StringOf(Get(Get(Raw["channelData"], "channel"), "name")), 256);

    public bool IsInvoke => Type == "invoke";

    /// <summary>The time zone Teams reports for the sender's client (an IANA id), when it is one this machine knows.</summary>
    public string? TimeZone => Entities("clientInfo").Select(e => CleanTimeZone(StringOf(e["timezone"]))).FirstOrDefault(z => z is not null);

    public IEnumerable<string> MembersAdded => Members("membersAdded");

    public IEnumerable<string> MembersRemoved => Members("membersRemoved");

    /// <summary>
    /// Checks what Teams itself needs of an activity that <see cref="ActivityBody"/> has already read strictly (encoding,
    /// duplicates, the schema's kinds). Returns null and an error for a client mistake.
    /// </summary>
    public static TeamsActivity? Read(JsonNode? body, out string? error)
    {
        error = body switch
        {
            not JsonObject => "The body must be a JSON object (an activity).",
            JsonObject o when StringOf(o["type"]) is not { Length: > 0 } => "The activity needs a 'type'.",
            JsonObject o when o["from"] is not null and not JsonObject => "'from' must be an object.",
            JsonObject o when o["conversation"] is not null and not JsonObject => "'conversation' must be an object.",
            JsonObject o when o["text"] is { } t && t.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Null) => "'text' must be a string.",
            JsonObject o when o["serviceUrl"] is { } u && !IsServiceUrl(StringOf(u)) => "'serviceUrl' must be an absolute http(s) URL.",
            _ => null,
        };
        return error is null ? new TeamsActivity((JsonObject)body!) : null;
    }

    /// <summary>
    /// The tenant that scopes this activity's data. Teams always names one. Other Bot Framework channels are scoped by
    /// their channel id (conversation.tenantId, or the channel's configured default, within it): a Web Chat or
    /// Direct Line client writes its own channelData and from.id, so nothing it sends may land in a Teams tenant.
    /// </summary>
    public string? TenantFor(TeamsOptions options) => IsTeams
        ? TenantId
        : $"{CoreChannelId}:{Limit(StringOf(Get(Raw["conversation"], "tenantId")), 128) ?? options.DefaultTenantFor(CoreChannelId)}";

    /// <summary>What the core needs to know about a conversational activity; null when the activity isn't one.</summary>
    public Turn? ToTurn(TeamsOptions options)
    {
        if (TenantFor(options) is not { } tenant || FromId.Length == 0 || ConversationId.Length == 0)
        {
            return null;
        }

        var where = new Where(CoreChannelId, tenant, BaseConversationId, TeamId, IsGroup, ConversationName);
        var who = new Who(Limit(FromId, 256)!, CleanName(FromName) ?? (IsTeams ? "Someone" : null), TimeZone);

        if (Type == "message")
        {
            // A card's Action.Submit arrives as a message with value (and replyToId = the card's message).
            if (Raw["value"] is JsonObject value && StringOf(value["action"]) is not null)
            {
                return new Turn(where, who, Action: CardActionOf(value));
            }

            if (Raw["value"] is JsonObject && string.IsNullOrWhiteSpace(StringOf(Raw["text"])))
            {
                return new Turn(where, who, Action: new CardAction(string.Empty));
            }

            return new Turn(where, who, Text: CommandText());
        }

        // Action.Execute (Universal Actions): verb + data; the refresh of a shared card comes the same way.
        if (IsInvoke && Name == "adaptiveCard/action" && Get(Raw["value"], "action") is JsonObject execute)
        {
            var action = CardActionOf(execute["data"] as JsonObject ?? []);
            return new Turn(where, who, Action: action with { Name = Limit(StringOf(execute["verb"]), 32) ?? action.Name });
        }

        return null;
    }

    /// <summary>The text with the bot's @mention (and any other at-tags' markup) removed, HTML entities decoded.</summary>
    public string CommandText()
    {
        var text = StringOf(Raw["text"]) ?? string.Empty;
        if (!IsTeams)
        {
            // Other channels send the text as typed: no at-tags, no HTML to strip, no entities to decode.
            return text.Trim();
        }

        foreach (var mention in Entities("mention"))
        {
            if (StringOf(Get(mention["mentioned"], "id")) == RecipientId && StringOf(mention["text"]) is { Length: > 0 } tag)
            {
                text = text.Replace(tag, " ", StringComparison.Ordinal);
            }
        }

        // Whatever at-tags are left (mentions of people, or of the bot without an entity) keep their inner text,
        // except the bot's own name.
        text = AtTag().Replace(text, m => RecipientName is { } bot && m.Groups[1].Value.Trim().Equals(bot, StringComparison.OrdinalIgnoreCase) ? " " : m.Groups[1].Value);
        text = HtmlTag().Replace(text, " ");
        return WebUtility.HtmlDecode(text).Replace('\u00a0', ' ').Trim();
    }

    public string? ActionType => StringOf(Get(Get(Raw["value"], "action"), "type"));

    private IEnumerable<JsonObject> Entities(string type) =>
        (Raw["entities"] as JsonArray ?? []).OfType<JsonObject>().Where(e => StringOf(e["type"]) == type);

    private IEnumerable<string> Members(string property) =>
        (Raw[property] as JsonArray ?? []).OfType<JsonObject>().Select(m => StringOf(m["id"])).OfType<string>();

    private static bool IsServiceUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    [GeneratedRegex(@"<at[^>]*>(.*?)</at>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex AtTag();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex HtmlTag();
}
