using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly.Timeout;
using StretchBot.Delivery;
using static StretchBot.Channels.ActivityFields;

namespace StretchBot.Channels.Teams;

/// <summary>What the connector answered for a new activity; the id is missing when it answered 202 with no body.</summary>
public sealed record ResourceResponse(string? Id);

/// <summary>A new conversation: for a channel thread, the thread id and the root message's id.</summary>
public sealed record ConversationResourceResponse(string Id, string? ActivityId, string? ServiceUrl);

public sealed record ChannelMember(string Id, string? Name, string? AadObjectId);

public sealed record MembersPage(IReadOnlyList<ChannelMember> Members, string? ContinuationToken);

/// <summary>The connector refused. <see cref="IsGone"/>: the bot is no longer in that conversation (403) or it doesn't exist (404).</summary>
public sealed class BotConnectorException(HttpStatusCode status, string? code, string message)
    : Exception($"Bot Connector answered {(int)status} {code}: {message}")
{
    public HttpStatusCode Status { get; } = status;

    public string? Code { get; } = code;

    public bool IsGone => Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound;
}

/// <summary>
/// The Bot Connector REST API (v3), spoken directly: every path parameter escaped, 200/201/202 with or without a
/// body accepted, error bodies parsed. Its HttpClient carries the one outbound pipeline (retries, timeouts, rate
/// gate: see <see cref="OutboundPipeline"/>) and the bot's bearer token, added per attempt by <see cref="BotTokenHandler"/>.
/// </summary>
public sealed partial class BotConnectorClient(IHttpClientFactory httpClients, ILogger<BotConnectorClient> logger)
{
    public const string HttpClientName = "BotConnector";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public async Task<ResourceResponse> SendAsync(string serviceUrl, string tenantId, string conversationId, JsonObject activity, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Escape(conversationId)}/activities", activity, tenantId, conversationId, cancellationToken);
        return new ResourceResponse(await IdOfAsync(response, cancellationToken));
    }

    public async Task<ResourceResponse> ReplyAsync(string serviceUrl, string tenantId, string conversationId, string replyToId, JsonObject activity, CancellationToken cancellationToken)
    {
        activity["replyToId"] = replyToId;
        using var response = await CallAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Escape(conversationId)}/activities/{Escape(replyToId)}", activity, tenantId, conversationId, cancellationToken);
        return new ResourceResponse(await IdOfAsync(response, cancellationToken));
    }

    public async Task<ResourceResponse> UpdateAsync(string serviceUrl, string tenantId, string conversationId, string activityId, JsonObject activity, CancellationToken cancellationToken)
    {
        activity["id"] = activityId;
        using var response = await CallAsync(HttpMethod.Put, serviceUrl, $"v3/conversations/{Escape(conversationId)}/activities/{Escape(activityId)}", activity, tenantId, conversationId, cancellationToken);
        return new ResourceResponse(await IdOfAsync(response, cancellationToken) ?? activityId);
    }

    /// <summary>A new root post in a channel (isGroup, channelData.channel.id, tenantId, and the first activity).</summary>
    public Task<ConversationResourceResponse> CreateChannelThreadAsync(string serviceUrl, string tenantId, string channelConversationId, JsonObject activity, CancellationToken cancellationToken) =>
        CreateConversationAsync(serviceUrl, tenantId, channelConversationId, new JsonObject
        {
            ["isGroup"] = true,
            ["channelData"] = new JsonObject { ["channel"] = new JsonObject { ["id"] = channelConversationId }, ["tenant"] = new JsonObject { ["id"] = tenantId } },
            ["activity"] = activity,
            ["tenantId"] = tenantId,
        }, cancellationToken);

    /// <summary>A 1:1 chat with one member (their 29: id); Teams gives the same conversation id every time.</summary>
    public Task<ConversationResourceResponse> CreatePersonalConversationAsync(string serviceUrl, string tenantId, string botId, string memberId, CancellationToken cancellationToken) =>
        CreateConversationAsync(serviceUrl, tenantId, memberId, new JsonObject
        {
            ["isGroup"] = false,
            ["bot"] = new JsonObject { ["id"] = botId },
            ["members"] = new JsonArray(new JsonObject { ["id"] = memberId }),
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = tenantId } },
            ["tenantId"] = tenantId,
        }, cancellationToken);

    public async Task<MembersPage> GetPagedMembersAsync(string serviceUrl, string tenantId, string conversationId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        // Teams clamps the page size to 50..500.
        var query = $"?pageSize={Math.Clamp(pageSize, 50, 500)}" + (continuationToken is null ? string.Empty : $"&continuationToken={Uri.EscapeDataString(continuationToken)}");
        using var response = await CallAsync(HttpMethod.Get, serviceUrl, $"v3/conversations/{Escape(conversationId)}/pagedmembers{query}", null, tenantId, null, cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken) as JsonObject;
        var members = (body?["members"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(m => new ChannelMember(StringOf(m["id"]) ?? string.Empty, StringOf(m["name"]), StringOf(m["objectId"]) ?? StringOf(m["aadObjectId"])))
            .Where(m => m.Id.Length > 0)
            .ToList();
        return new MembersPage(members, StringOf(body?["continuationToken"]));
    }

    private async Task<ConversationResourceResponse> CreateConversationAsync(string serviceUrl, string tenantId, string rateKey, JsonObject parameters, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(HttpMethod.Post, serviceUrl, "v3/conversations", parameters, tenantId, rateKey, cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken) as JsonObject;
        var id = StringOf(body?["id"]) ?? throw new BotConnectorException(response.StatusCode, "BadResponse", "Create conversation answered without a conversation id.");
        return new ConversationResourceResponse(id, StringOf(body?["activityId"]), StringOf(body?["serviceUrl"]));
    }

    private async Task<HttpResponseMessage> CallAsync(HttpMethod method, string serviceUrl, string path, JsonObject? body, string tenantId, string? conversationId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUri(serviceUrl), path));
        OutboundPipeline.Tag(request, tenantId, conversationId);
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = Json;
        }

        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (TimeoutRejectedException)
        {
            LogFailed(logger, method.Method, 0, "Timeout");
            throw new BotConnectorException(HttpStatusCode.GatewayTimeout, "Timeout", "The Bot Connector did not answer in time.");
        }
        catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, method.Method, 0, exception.HttpRequestError.ToString());
            throw new BotConnectorException(HttpStatusCode.ServiceUnavailable, "Unreachable", "The Bot Connector could not be reached.");
        }

        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Accepted)
        {
            return response;
        }

        using (response)
        {
            var (code, message) = await ErrorOfAsync(response, cancellationToken);
            LogFailed(logger, method.Method, (int)response.StatusCode, code);
            throw new BotConnectorException(response.StatusCode, code, message);
        }
    }

    private static Uri BaseUri(string serviceUrl) => new(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/");

    // Conversation ids hold ':', '@' and ';' (19:abc@thread.tacv2;messageid=1): every path parameter is escaped.
    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static async Task<string?> IdOfAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await ReadJsonAsync(response, cancellationToken) is JsonObject body ? StringOf(body["id"]) : null;

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<(string? Code, string Message)> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(response, cancellationToken);
        var error = body?["error"] as JsonObject;
        return (StringOf(error?["code"]), StringOf(error?["message"]) ?? response.ReasonPhrase ?? "no details");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bot Connector {Method} failed: {Status} {Code}")]
    private static partial void LogFailed(ILogger logger, string method, int status, string? code);
}

/// <summary>The bot's bearer token on every Bot Connector call, fetched (or taken from MSAL's cache) per attempt.</summary>
public sealed class BotTokenHandler(BotTokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await tokens.GetTokenAsync(cancellationToken) is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
