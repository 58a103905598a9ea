using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using StretchBot.Delivery;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Slack refused a call: <see cref="Error"/> is its error code (channel_not_found, not_in_channel, ratelimited…), or
/// http_NNN / unreachable / timeout when the call itself failed.
/// </summary>
public sealed class SlackApiException(string method, string error, string? needed = null)
    : Exception($"Slack {method} failed: {error}" + (needed is null ? string.Empty : $" (needs {needed})"))
{
    public string Method { get; } = method;

    public string Error { get; } = error;

    /// <summary>
    /// The codes after which nothing more should be sent to that conversation: it is gone, or the whole workspace is
    /// (revoked, deactivated). An auth error that may be passing (invalid_auth after an IP allow-list change) is not.
    /// </summary>
    public bool IsGone => Error is "channel_not_found" or "not_in_channel" or "is_archived" or "account_inactive" or "token_revoked";

    /// <summary>The workspace itself is unreachable with this token (uninstalled, revoked, deactivated).</summary>
    public bool IsWorkspaceGone => Error is "account_inactive" or "token_revoked" or "invalid_auth" or "not_authed" or "team_not_found";
}

/// <summary>A person as users.info tells: the name to show and their IANA time zone.</summary>
public sealed record SlackUser(string Id, string DisplayName, string? TimeZone);

/// <summary>What auth.test says a bot token is.</summary>
public sealed record SlackAuth(string? TeamId, string? Team, string? EnterpriseId, string UserId, string? BotId, bool IsEnterpriseInstall);

/// <summary>
/// Slack's Web API, spoken directly: POST https://slack.com/api/{method}, JSON bodies with the bearer token for writes,
/// form bodies for reads and OAuth; every answer is HTTP 200 with {"ok":…}, and ok:false is thrown as a
/// <see cref="SlackApiException"/> with its code. A response_url is posted through the same client. Its HttpClient
/// carries the one outbound pipeline (retries with Retry-After, the per-attempt timeout, the rate gate: about one
/// message per second per channel, a workspace's calls per minute, and a 429's hold on the whole workspace).
/// </summary>
public sealed partial class SlackApiClient(IHttpClientFactory httpClients, IOptions<SlackOptions> options, ILogger<SlackApiClient> logger)
{
    public const string HttpClientName = "SlackApi";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public async Task<string> PostMessageAsync(string token, string tenantId, string channel, string text, JsonArray blocks, string? threadTs, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["channel"] = channel, ["text"] = text, ["blocks"] = blocks, ["unfurl_links"] = false, ["unfurl_media"] = false };
        if (threadTs is not null)
        {
            body["thread_ts"] = threadTs;
        }

        // Slack's one-message-per-second-per-channel limit counts posts: only they are tagged with the channel.
        var answer = await CallAsync("chat.postMessage", token, tenantId, channel, body, cancellationToken, once: true);
        return Str(answer, "ts") ?? throw new SlackApiException("chat.postMessage", "no_ts_in_answer");
    }

    public Task UpdateAsync(string token, string tenantId, string channel, string ts, string text, JsonArray blocks, CancellationToken cancellationToken) =>
        CallAsync("chat.update", token, tenantId, null, new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text, ["blocks"] = blocks }, cancellationToken);

    public async Task<string?> PostEphemeralAsync(string token, string tenantId, string channel, string user, string text, JsonArray blocks, string? threadTs, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["channel"] = channel, ["user"] = user, ["text"] = text, ["blocks"] = blocks };
        if (threadTs is not null)
        {
            body["thread_ts"] = threadTs;
        }

        return Str(await CallAsync("chat.postEphemeral", token, tenantId, null, body, cancellationToken, once: true), "message_ts");
    }

    public Task PublishViewAsync(string token, string tenantId, string user, JsonObject view, CancellationToken cancellationToken) =>
        CallAsync("views.publish", token, tenantId, null, new JsonObject { ["user_id"] = user, ["view"] = view }, cancellationToken);

    /// <summary>The DM channel (D…) between the bot and a person (conversations.open, im:write).</summary>
    public async Task<string> OpenDirectMessageAsync(string token, string tenantId, string user, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("conversations.open", token, tenantId, null, new JsonObject { ["users"] = user }, cancellationToken);
        return Str(answer["channel"] as JsonObject, "id") ?? throw new SlackApiException("conversations.open", "no_channel_in_answer");
    }

    /// <summary>A channel's name, for schedules and the App Home (conversations.info).</summary>
    public async Task<string?> ConversationNameAsync(string token, string tenantId, string channel, CancellationToken cancellationToken)
    {
        var answer = await CallFormAsync("conversations.info", token, tenantId, [new("channel", channel)], cancellationToken);
        return Str(answer["channel"] as JsonObject, "name");
    }

    /// <summary>The channels a person is in (users.conversations, public and private), up to <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<string>> UserChannelsAsync(string token, string tenantId, string user, int max, CancellationToken cancellationToken)
    {
        var channels = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            List<KeyValuePair<string, string>> form = [new("user", user), new("types", "public_channel,private_channel"), new("exclude_archived", "true"), new("limit", "200")];
            if (cursor is not null)
            {
                form.Add(new("cursor", cursor));
            }

            var answer = await CallFormAsync("users.conversations", token, tenantId, form, cancellationToken);
            channels.AddRange((answer["channels"] as JsonArray ?? []).OfType<JsonObject>().Select(c => Str(c, "id")).OfType<string>());
            // An empty or missing next_cursor is the last page.
            cursor = Str(answer["response_metadata"] as JsonObject, "next_cursor") is { Length: > 0 } next ? next : null;
        }
        // Slack may answer short (even empty) pages with a cursor: the pages are capped, not only the channels.
        while (cursor is not null && channels.Count < max && ++pages < 10);

        return channels.Take(max).ToList();
    }

    public async Task<SlackUser> UserInfoAsync(string token, string tenantId, string user, CancellationToken cancellationToken)
    {
        var answer = await CallFormAsync("users.info", token, tenantId, [new("user", user), new("include_locale", "true")], cancellationToken);
        var member = answer["user"] as JsonObject;
        var profile = member?["profile"] as JsonObject;
        var name = new[] { Str(profile, "display_name"), Str(profile, "real_name"), Str(member, "real_name"), Str(member, "name") }
            .FirstOrDefault(n => !string.IsNullOrWhiteSpace(n)) ?? user;
        return new SlackUser(user, name, Str(member, "tz"));
    }

    public async Task<SlackAuth> AuthTestAsync(string token, CancellationToken cancellationToken)
    {
        var answer = await CallFormAsync("auth.test", token, null, [], cancellationToken);
        return new SlackAuth(Str(answer, "team_id"), Str(answer, "team"), Str(answer, "enterprise_id"),
            Str(answer, "user_id") ?? throw new SlackApiException("auth.test", "no_user_id_in_answer"), Str(answer, "bot_id"),
            answer["is_enterprise_install"] is JsonValue v && v.GetValueKind() == JsonValueKind.True);
    }

    /// <summary>oauth.v2.access: the code exchanged for a bot token, the client's credentials in HTTP Basic auth.</summary>
    public Task<JsonObject> OAuthAccessAsync(string clientId, string clientSecret, string code, string? redirectUri, CancellationToken cancellationToken)
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}"));
        List<KeyValuePair<string, string>> form = [new("code", code)];
        if (redirectUri is not null)
        {
            form.Add(new("redirect_uri", redirectUri));
        }

        return CallFormAsync("oauth.v2.access", null, null, form, cancellationToken, new AuthenticationHeaderValue("Basic", basic));
    }

    /// <summary>apps.connections.open: a fresh WebSocket URL for Socket Mode (the app-level token, in the header only).</summary>
    public async Task<Uri> OpenConnectionAsync(string appToken, CancellationToken cancellationToken)
    {
        var answer = await CallFormAsync("apps.connections.open", appToken, null, [], cancellationToken);
        return Uri.TryCreate(Str(answer, "url"), UriKind.Absolute, out var url) && url.Scheme is "wss" or "ws"
            ? url
            : throw new SlackApiException("apps.connections.open", "no_websocket_url_in_answer");
    }

    /// <summary>
    /// Posts a message to a response_url (a slash command's or a click's): Slack answers "ok", or an error. Only URLs on
    /// Slack's hosts (Slack:ResponseUrlHosts) are called.
    /// </summary>
    public async Task RespondAsync(string responseUrl, JsonObject message, CancellationToken cancellationToken)
    {
        if (!IsResponseUrl(responseUrl, options.Value))
        {
            throw new SlackApiException("response_url", "response_url_not_on_slack");
        }

        // Not a Web API method: Slack limits a response_url to 5 uses in 30 minutes, not by the workspace's calls per
        // minute, so it passes the gate untagged (retries and the per-attempt timeout still apply). Tagged, twenty people
        // clicking Done would wait on a workspace allowance meant for chat.postMessage and friends.
        using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl);
        // Each use counts against the URL's five, and a repeat shows the person the message twice.
        OutboundPipeline.Once(request);
        request.Content = new StringContent(message.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = Json;
        using var response = await SendAsync("response_url", request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // An expired or used-up response_url answers 404 ("expired_url", "used_url"); the text says which.
            var code = text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? text : $"http_{(int)response.StatusCode}";
            LogFailed(logger, "response_url", code);
            throw new SlackApiException("response_url", code);
        }
    }

    public static bool IsResponseUrl(string? url, SlackOptions options) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
        && options.ResponseUrlHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase);

    /// <param name="once">A post Slack can't recognise as a repeat: see <see cref="OutboundPipeline.Once"/>.</param>
    private async Task<JsonObject> CallAsync(string method, string token, string tenantId, string? conversation, JsonObject body, CancellationToken cancellationToken, bool once = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.ApiBaseUrl), method));
        OutboundPipeline.Tag(request, tenantId, conversation);
        if (once)
        {
            OutboundPipeline.Once(request);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = Json;
        return await ReadAnswerAsync(method, request, cancellationToken);
    }

    /// <summary>A form-encoded call: Slack's read methods and OAuth. Not a send: it counts against the workspace only.</summary>
    private async Task<JsonObject> CallFormAsync(string method, string? token, string? tenantId, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.ApiBaseUrl), method));
        if (tenantId is not null)
        {
            OutboundPipeline.Tag(request, tenantId, null);
        }

        request.Headers.Authorization = authorization ?? (token is null ? null : new AuthenticationHeaderValue("Bearer", token));
        request.Content = new FormUrlEncodedContent(form);
        return await ReadAnswerAsync(method, request, cancellationToken);
    }

    private async Task<JsonObject> ReadAnswerAsync(string method, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // The pipeline waited out Retry-After and tried again; still limited.
            LogFailed(logger, method, "ratelimited");
            throw new SlackApiException(method, "ratelimited");
        }

        JsonObject? answer = null;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            try
            {
                answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
            }
            catch (JsonException)
            {
                answer = null;
            }
        }

        if (answer is null)
        {
            var code = response.StatusCode == HttpStatusCode.OK ? "unreadable_answer" : $"http_{(int)response.StatusCode}";
            LogFailed(logger, method, code);
            throw new SlackApiException(method, code);
        }

        if (answer["ok"] is JsonValue ok && ok.GetValueKind() == JsonValueKind.True)
        {
            return answer;
        }

        var error = Str(answer, "error") ?? "unknown_error";
        if (method != "auth.test")
        {
            // auth.test's callers say what a refusal means (a bad configured token, a failed install) in their own words.
            LogFailed(logger, method, error);
        }

        throw new SlackApiException(method, error, Str(answer, "needed"));
    }

    private async Task<HttpResponseMessage> SendAsync(string method, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (TimeoutRejectedException)
        {
            LogFailed(logger, method, "timeout");
            throw new SlackApiException(method, "timeout");
        }
        catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, method, exception.HttpRequestError.ToString());
            throw new SlackApiException(method, "unreachable");
        }
    }

    private static string? Str(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string method, string error);
}
