using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Which install a request belongs to. <see cref="TenantId"/> is the core's tenant: the workspace's team id, or the
/// organisation's enterprise id for an org-wide install (Enterprise Grid), where one install serves every workspace.
/// </summary>
public sealed record SlackTeam(string? TeamId, string? EnterpriseId, bool IsEnterpriseInstall)
{
    public string TenantId => IsEnterpriseInstall && EnterpriseId is { } enterprise ? enterprise : TeamId ?? EnterpriseId ?? string.Empty;
}

/// <summary>A request from Slack, read once and strictly at the boundary; nothing after this parses Slack's wire format.</summary>
public abstract record SlackRequest;

public sealed record SlackUrlVerification(string Challenge) : SlackRequest;

/// <summary>Slack checking our TLS setup on the slash command URL: answered 200, nothing else done.</summary>
public sealed record SlackSslCheck : SlackRequest;

/// <summary>Acknowledged and otherwise ignored: an interactive type or event StretchBot doesn't use.</summary>
public sealed record SlackIgnored(string What) : SlackRequest;

/// <summary>The inner event of an event_callback, the fields StretchBot reads.</summary>
public sealed record SlackEvent(
    string Type,
    string? User,
    string? Channel,
    string? ChannelType,
    string? Text,
    string? Ts,
    string? ThreadTs,
    string? BotId,
    string? Subtype,
    string? Tab,
    string? Team,
    bool RevokesBot = false);

/// <param name="EventTime">When the event happened (Unix seconds), 0 when not given.</param>
public sealed record SlackEventCallback(string EventId, SlackTeam Team, string? AuthorizedUser, SlackEvent Event, long EventTime = 0) : SlackRequest;

public sealed record SlackSlashCommand(
    SlackTeam Team,
    string ChannelId,
    string? ChannelName,
    string UserId,
    string? UserName,
    string Command,
    string Text,
    string? ResponseUrl) : SlackRequest;

/// <summary>Where a clicked button was: a channel message, an ephemeral message, or a view (the App Home tab).</summary>
public enum SlackContainerKind { Message, EphemeralMessage, View }

/// <summary>The button clicked: <see cref="ActionId"/> is the core's action name; the rest comes from its value.</summary>
public sealed record SlackAction(string ActionId, string? PromptId, string? StretchId, int? Step, string? Filter);

public sealed record SlackBlockActions(
    SlackTeam Team,
    string UserId,
    string? UserName,
    string? ChannelId,
    string? ChannelName,
    SlackContainerKind Container,
    string? MessageTs,
    string? ThreadTs,
    string? ResponseUrl,
    SlackAction Action) : SlackRequest;

/// <summary>
/// Reads what arrives at /slack/events (or in a Socket Mode envelope) into a <see cref="SlackRequest"/>: JSON for the
/// Events API, a form for slash commands, a form with one <c>payload</c> field of JSON for interactivity. Strict:
/// UTF-8, no duplicate names or fields, every field we read of the kind Slack sends, ids of Slack's shape. Anything
/// else is a 400 with a message saying what, before anything is acknowledged or stored.
/// </summary>
public static partial class SlackInbound
{
    /// <summary>The events StretchBot acts on; any other is acknowledged unread.</summary>
    public static readonly IReadOnlySet<string> HandledEvents = new HashSet<string>(StringComparer.Ordinal)
    {
        "app_mention", "message", "member_joined_channel", "app_home_opened", "app_uninstalled", "tokens_revoked",
    };

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>The request in <paramref name="body"/>, sent with <paramref name="contentType"/>; or the mistake in it.</summary>
    public static SlackRequest? Read(string? contentType, ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (!Utf8.IsValid(body))
        {
            error = "The body is not valid UTF-8.";
            return null;
        }

        var mediaType = (contentType ?? string.Empty).Split(';')[0].Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ParseJson(body, out var json, out error) ? ReadEvents(json!, out error) : null;
        }

        if (!mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            error = "Slack sends JSON (Events API) or a form (slash commands, interactivity); this body is neither.";
            return null;
        }

        if (ReadForm(body, out error) is not { } form)
        {
            return null;
        }

        if (form.TryGetValue("payload", out var payload))
        {
            if (form.Count != 1 && !(form.Count == 2 && form.ContainsKey("token")))
            {
                error = "An interactivity request has one field, payload.";
                return null;
            }

            return ParseJson(Encoding.UTF8.GetBytes(payload), out var json, out error) ? ReadInteractive(json!, out error) : null;
        }

        if (form.TryGetValue("ssl_check", out var ssl) && ssl == "1")
        {
            // Nothing else in it is looked at: it is not signed in every setup, so none of it may act.
            return new SlackSslCheck();
        }

        return ReadSlashCommand(form.TryGetValue, out error);
    }

    /// <summary>An Events API body (url_verification or event_callback) as JSON.</summary>
    public static SlackRequest? ReadEvents(JsonObject body, out string? error)
    {
        error = null;
        var type = Str(body, "type", ref error);
        if (error is not null)
        {
            return null;
        }

        switch (type)
        {
            case "url_verification":
                var challenge = Str(body, "challenge", ref error);
                if (error is null && (challenge is not { Length: > 0 and <= 512 }))
                {
                    error = "url_verification needs a challenge (at most 512 characters).";
                }

                return error is null ? new SlackUrlVerification(challenge!) : null;
            case "event_callback":
                return ReadEventCallback(body, out error);
            case "app_rate_limited":
                return new SlackIgnored("app_rate_limited");
            case null:
                error = "The body has no type.";
                return null;
            default:
                error = $"Unknown Events API body type '{Echo(type)}'.";
                return null;
        }
    }

    /// <summary>An interactivity payload (the JSON inside the form's payload field, or a Socket Mode envelope's payload).</summary>
    public static SlackRequest? ReadInteractive(JsonObject payload, out string? error)
    {
        error = null;
        var type = Str(payload, "type", ref error);
        if (error is not null)
        {
            return null;
        }

        if (type is null)
        {
            error = "The payload has no type.";
            return null;
        }

        if (type != "block_actions")
        {
            // Shortcuts, modals and the like: StretchBot has none, so nothing to do but acknowledge.
            return new SlackIgnored(Echo(type));
        }

        var user = Obj(payload, "user", ref error);
        var team = Obj(payload, "team", ref error);
        var container = Obj(payload, "container", ref error);
        var channel = Obj(payload, "channel", ref error);
        var enterprise = Obj(payload, "enterprise", ref error);
        var userId = Id(user, "id", ref error);
        var userName = Str(user, "name", ref error) ?? Str(user, "username", ref error);
        var teamId = Id(team, "id", ref error) ?? Id(user, "team_id", ref error);
        var enterpriseId = Id(enterprise, "id", ref error);
        var isEnterpriseInstall = Bool(payload, "is_enterprise_install", ref error) ?? false;
        var containerType = Str(container, "type", ref error);
        var isEphemeral = Bool(container, "is_ephemeral", ref error) ?? false;
        var channelId = Id(channel, "id", ref error) ?? Id(container, "channel_id", ref error);
        var channelName = Str(channel, "name", ref error);
        var messageTs = Ts(container, "message_ts", ref error);
        var threadTs = Ts(container, "thread_ts", ref error);
        var responseUrl = Str(payload, "response_url", ref error);
        var actions = payload["actions"];
        if (error is not null)
        {
            return null;
        }

        if (userId is null || (teamId is null && enterpriseId is null))
        {
            error = "A block_actions payload needs user.id and team.id.";
            return null;
        }

        if (actions is not JsonArray { Count: > 0 } list || list[0] is not JsonObject first)
        {
            error = "A block_actions payload needs at least one action.";
            return null;
        }

        var kind = containerType switch
        {
            "message" => isEphemeral ? SlackContainerKind.EphemeralMessage : SlackContainerKind.Message,
            "view" => SlackContainerKind.View,
            _ => (SlackContainerKind?)null,
        };
        if (kind is null)
        {
            error = "A block_actions payload needs a container of type message or view.";
            return null;
        }

        if (kind != SlackContainerKind.View && channelId is null)
        {
            error = "A click on a message needs its channel.";
            return null;
        }

        if (ReadAction(first, out error) is not { } action)
        {
            return null;
        }

        return new SlackBlockActions(new SlackTeam(teamId, enterpriseId, isEnterpriseInstall), userId, userName, channelId, channelName, kind.Value,
            messageTs, threadTs, responseUrl, action);
    }

    /// <summary>A slash command's fields, from the form (HTTP) or a JSON object (Socket Mode).</summary>
    public delegate bool FieldReader(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value);

    public static SlackRequest? ReadSlashCommand(FieldReader field, out string? error)
    {
        error = null;
        string? Get(string name) => field(name, out var value) ? value : null;
        var teamId = Get("team_id");
        var enterpriseId = Get("enterprise_id");
        var channelId = Get("channel_id");
        var userId = Get("user_id");
        var command = Get("command");
        if (teamId is null || channelId is null || userId is null || command is null)
        {
            error = "A slash command needs team_id, channel_id, user_id and command.";
            return null;
        }

        if (!IsId(teamId) || !IsId(channelId) || !IsId(userId) || (enterpriseId is { Length: > 0 } && !IsId(enterpriseId)))
        {
            error = "team_id, channel_id, user_id and enterprise_id must be Slack ids.";
            return null;
        }

        if (command.Length is < 2 or > 32 || command[0] != '/')
        {
            error = "command must be a slash command such as /stretch.";
            return null;
        }

        var text = Get("text") ?? string.Empty;
        if (text.Length > 4000)
        {
            error = "text is longer than Slack allows.";
            return null;
        }

        var isEnterpriseInstall = Get("is_enterprise_install") is "true";
        return new SlackSlashCommand(new SlackTeam(teamId, enterpriseId is { Length: > 0 } ? enterpriseId : null, isEnterpriseInstall),
            channelId, Get("channel_name"), userId, Get("user_name"), command, text, Get("response_url"));
    }

    /// <summary>The button's action_id and its value, a compact JSON object {"p","s","n","f"}; anything else is refused.</summary>
    private static SlackAction? ReadAction(JsonObject action, out string? error)
    {
        error = null;
        var actionId = Str(action, "action_id", ref error);
        var value = Str(action, "value", ref error);
        if (error is not null)
        {
            return null;
        }

        if (actionId is not { Length: > 0 and <= 255 })
        {
            error = "An action needs an action_id of at most 255 characters.";
            return null;
        }

        if (value is null || value.Length == 0)
        {
            return new SlackAction(actionId, null, null, null, null);
        }

        if (value.Length > 2000)
        {
            error = "A button value is at most 2000 characters.";
            return null;
        }

        // A value that isn't ours (another app's button, an old message) is still a click: the core answers it kindly.
        if (!value.StartsWith('{') || !ParseJson(Encoding.UTF8.GetBytes(value), out var data, out _))
        {
            return new SlackAction(actionId, null, null, null, null);
        }

        string? ignored = null;
        var promptId = Str(data!, "p", ref ignored);
        var stretchId = Str(data!, "s", ref ignored);
        var filter = Str(data!, "f", ref ignored);
        int? step = data!["n"] is JsonValue n && n.GetValueKind() == JsonValueKind.Number && n.TryGetValue<int>(out var number) ? number : null;
        return ignored is null
            ? new SlackAction(actionId, promptId, stretchId, step, filter)
            : new SlackAction(actionId, null, null, null, null);
    }

    private static SlackRequest? ReadEventCallback(JsonObject body, out string? error)
    {
        error = null;
        var eventId = Str(body, "event_id", ref error);
        var teamId = Id(body, "team_id", ref error);
        var enterpriseId = Id(body, "enterprise_id", ref error);
        var inner = Obj(body, "event", ref error);
        JsonObject? authorization = null;
        if (body["authorizations"] is JsonArray { Count: > 0 } authorizations)
        {
            authorization = authorizations[0] as JsonObject;
            if (authorization is null)
            {
                error = "authorizations[0] must be an object.";
            }
        }
        else if (body["authorizations"] is not null and not JsonArray)
        {
            error = "authorizations must be an array.";
        }

        // Bolt looks the install up by authorizations[0] first: it is right in shared channels, where team_id is the
        // channel's home workspace, not necessarily ours.
        var authTeam = Id(authorization, "team_id", ref error);
        var authEnterprise = Id(authorization, "enterprise_id", ref error);
        var authUser = Id(authorization, "user_id", ref error);
        var authOrgWide = Bool(authorization, "is_enterprise_install", ref error);
        if (error is not null)
        {
            return null;
        }

        if (eventId is not { Length: > 0 and <= 64 } || inner is null)
        {
            error = "An event_callback needs an event_id and an event.";
            return null;
        }

        var team = authorization is not null
            ? new SlackTeam(authTeam ?? teamId, authEnterprise ?? enterpriseId, authOrgWide ?? false)
            : new SlackTeam(teamId, enterpriseId, Bool(body, "is_enterprise_install", ref error) ?? false);
        if (team.TenantId.Length == 0)
        {
            error = "An event_callback needs a team_id (or authorizations[0].team_id).";
            return null;
        }

        var type = Str(inner, "type", ref error);
        if (error is null && type is { Length: > 0 } && !HandledEvents.Contains(type))
        {
            // Slack adds event types over time, and subscriptions can be changed in the app's settings: an event
            // StretchBot doesn't use is acknowledged (a 4xx would only make Slack retry it) and its fields never read.
            return new SlackIgnored(Echo(type));
        }

        var user = Id(inner, "user", ref error);
        var channel = Id(inner, "channel", ref error);
        var channelType = Str(inner, "channel_type", ref error);
        var text = Str(inner, "text", ref error);
        var ts = Ts(inner, "ts", ref error);
        var threadTs = Ts(inner, "thread_ts", ref error);
        var botId = Str(inner, "bot_id", ref error);
        var subtype = Str(inner, "subtype", ref error);
        var tab = Str(inner, "tab", ref error);
        var innerTeam = Id(inner, "team", ref error);
        // tokens_revoked: {"tokens": {"oauth": [user ids], "bot": [bot user ids]}}.
        var revokesBot = Obj(inner, "tokens", ref error)?["bot"] is JsonArray { Count: > 0 };
        if (error is not null)
        {
            return null;
        }

        if (type is not { Length: > 0 })
        {
            error = "The event has no type.";
            return null;
        }

        if (text is { Length: > 40_000 })
        {
            error = "The event's text is longer than Slack allows.";
            return null;
        }

        var eventTime = body["event_time"] is JsonValue t && t.GetValueKind() == JsonValueKind.Number && t.TryGetValue<long>(out var seconds) && seconds > 0 ? seconds : 0;
        return new SlackEventCallback(eventId, team, authUser, new SlackEvent(type, user, channel, channelType, text, ts, threadTs, botId, subtype, tab, innerTeam, revokesBot), eventTime);
    }

    /// <summary>A form body: every field once (a repeated field is refused), decoded as UTF-8.</summary>
    private static Dictionary<string, string>? ReadForm(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        Dictionary<string, StringValues> fields;
        try
        {
            fields = new FormReader(Encoding.UTF8.GetString(body)) { ValueCountLimit = 64, KeyLengthLimit = 64, ValueLengthLimit = 1024 * 1024 }.ReadForm();
        }
        catch (InvalidDataException exception)
        {
            error = $"The form is not one Slack sends: {exception.Message}";
            return null;
        }

        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in fields)
        {
            if (values.Count != 1)
            {
                error = "Each form field may appear only once.";
                return null;
            }

            form[name] = values[0] ?? string.Empty;
        }

        if (form.Count == 0)
        {
            error = "The form is empty.";
            return null;
        }

        return form;
    }

    private static bool ParseJson(ReadOnlySpan<byte> bytes, out JsonObject? json, out string? error)
    {
        json = null;
        error = null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: Strict);
        }
        catch (JsonException exception) when (exception.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            error = "The JSON has a duplicate property: each name may appear only once in an object.";
            return false;
        }
        catch (JsonException)
        {
            error = "The body is not valid JSON.";
            return false;
        }
        catch (InvalidOperationException)
        {
            error = "The JSON has a lone UTF-16 surrogate in a property name.";
            return false;
        }

        if (node is not JsonObject obj)
        {
            error = "The JSON must be an object.";
            return false;
        }

        // The walk materialises every node of the tree (a click carries the whole message); only a \uD800-\uDFFF
        // escape can put a surrogate in a string of valid UTF-8, so without one there is nothing for it to find.
        if (MayEscapeSurrogate(bytes) && ActivityBody.FirstIllFormedString(obj) is { } where)
        {
            error = $"The JSON has a string with a lone UTF-16 surrogate {where}.";
            return false;
        }

        json = obj;
        return true;
    }

    /// <summary>
    /// Whether the JSON text (valid UTF-8) has a \u escape of a surrogate (\uD800-\uDFFF). An escaped backslash before
    /// a "u" also counts: a false yes only costs the full check.
    /// </summary>
    private static bool MayEscapeSurrogate(ReadOnlySpan<byte> json)
    {
        int at;
        while ((at = json.IndexOf("\\u"u8)) >= 0)
        {
            json = json[(at + 2)..];
            if (json.Length >= 2 && json[0] is (byte)'d' or (byte)'D' && char.IsAsciiHexDigit((char)json[1]) && json[1] >= (byte)'8')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A string member, null when absent or JSON null; any other kind is a mistake.</summary>
    private static string? Str(JsonObject? o, string name, ref string? error)
    {
        if (o is null || error is not null || o[name] is null)
        {
            return null;
        }

        if (o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }

        error = $"'{name}' must be a string.";
        return null;
    }

    private static JsonObject? Obj(JsonObject? o, string name, ref string? error)
    {
        if (o is null || error is not null || o[name] is null)
        {
            return null;
        }

        if (o[name] is JsonObject child)
        {
            return child;
        }

        error = $"'{name}' must be an object.";
        return null;
    }

    private static bool? Bool(JsonObject? o, string name, ref string? error)
    {
        if (o is null || error is not null || o[name] is null)
        {
            return null;
        }

        if (o[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetValue<bool>();
        }

        error = $"'{name}' must be true or false.";
        return null;
    }

    /// <summary>A Slack id (T…, E…, U…, W…, C…, G…, D…): letters and digits.</summary>
    private static string? Id(JsonObject? o, string name, ref string? error)
    {
        var value = Str(o, name, ref error);
        if (value is null || value.Length == 0)
        {
            return null;
        }

        if (!IsId(value))
        {
            error = $"'{name}' must be a Slack id.";
            return null;
        }

        return value;
    }

    /// <summary>A message timestamp, "1605853634.000400".</summary>
    private static string? Ts(JsonObject? o, string name, ref string? error)
    {
        var value = Str(o, name, ref error);
        if (value is null)
        {
            return null;
        }

        if (!TsShape().IsMatch(value))
        {
            error = $"'{name}' must be a Slack message timestamp.";
            return null;
        }

        return value;
    }

    public static bool IsId(string value) => IdShape().IsMatch(value);

    private static string Echo(string text) => text.Length <= 40 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') ? text : "(not shown)";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdShape();

    [GeneratedRegex("^[0-9]{1,12}(\\.[0-9]{1,8})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TsShape();
}
