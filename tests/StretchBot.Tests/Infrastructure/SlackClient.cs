using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Channels.Slack;

namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// Slack's side of /slack/events, as a test drives it: every request signed (v0) with the app's signing secret at the
/// app's clock, unless a test says otherwise. Bodies are sent as the exact bytes given.
/// </summary>
public sealed class SlackClient(HttpClient http, FakeTimeProvider clock)
{
    public const string Path = "/slack/events";
    public const string Channel = "C111";
    public const string User = "U222";

    private static readonly string FixtureFolder = System.IO.Path.Combine(NodeScript.RepoRoot, "..", "shared", "fixtures", "slack");

    public static string FixtureText(string name) => File.ReadAllText(System.IO.Path.Combine(FixtureFolder, name));

    public static JsonObject Fixture(string name) => (JsonObject)JsonNode.Parse(FixtureText(name))!;

    /// <summary>Posts <paramref name="body"/> as Slack would: signed with <paramref name="secret"/> at <paramref name="at"/> (the app's now by default).</summary>
    public async Task<HttpResponseMessage> PostAsync(string contentType, string body, string? secret = FakeSlack.SigningSecret, DateTimeOffset? at = null,
        int? retryNum = null, Action<HttpRequestMessage>? change = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (secret is not null)
        {
            var timestamp = (at ?? clock.GetUtcNow()).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
            request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Compute(secret, timestamp, bytes));
        }

        if (retryNum is { } n)
        {
            request.Headers.Add("X-Slack-Retry-Num", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }

        change?.Invoke(request);
        return await http.SendAsync(request);
    }

    /// <summary>An Events API body; an event_callback without an event_time gets the app's now, as Slack stamps it.</summary>
    public Task<HttpResponseMessage> EventAsync(JsonObject body, int? retryNum = null)
    {
        if ((string?)body["type"] == "event_callback" && body["event_time"] is null)
        {
            body["event_time"] = clock.GetUtcNow().ToUnixTimeSeconds();
        }

        return PostAsync("application/json", body.ToJsonString(), retryNum: retryNum);
    }

    /// <summary>An event_callback envelope around an inner event, for team T111.</summary>
    public static JsonObject Envelope(JsonObject inner, string eventId, string team = FakeSlack.TeamId) => new()
    {
        ["token"] = "legacy-fixed-value",
        ["team_id"] = team,
        ["api_app_id"] = "A111",
        ["event"] = inner,
        ["type"] = "event_callback",
        ["event_id"] = eventId,
        ["authorizations"] = new JsonArray(new JsonObject { ["enterprise_id"] = null, ["team_id"] = team, ["user_id"] = FakeSlack.BotUserId, ["is_bot"] = true, ["is_enterprise_install"] = false }),
        ["is_ext_shared_channel"] = false,
    };

    /// <summary>/stretch with this text, as a form.</summary>
    public async Task<HttpResponseMessage> SlashAsync(string text, string user = User, string channel = Channel, string team = FakeSlack.TeamId, string responseUrl = "https://hooks.slack.com/commands/T111/1/slash")
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = "xxx", ["team_id"] = team, ["team_domain"] = "test", ["channel_id"] = channel, ["channel_name"] = "general", ["user_id"] = user,
            ["user_name"] = user.ToLowerInvariant(), ["command"] = "/stretch", ["text"] = text, ["api_app_id"] = "A111", ["response_url"] = responseUrl,
            ["trigger_id"] = "111.222.xxx",
        });
        return await PostAsync("application/x-www-form-urlencoded", await form.ReadAsStringAsync());
    }

    /// <summary>A click on a button: payload=JSON, as a form.</summary>
    public Task<HttpResponseMessage> ClickAsync(JsonObject payload) =>
        PostAsync("application/x-www-form-urlencoded", "payload=" + Uri.EscapeDataString(payload.ToJsonString()));

    /// <summary>
    /// The block_actions payload of a click on <paramref name="actionId"/> with <paramref name="value"/>, on a channel
    /// message (its ts) or an ephemeral one, by <paramref name="user"/>.
    /// </summary>
    public static JsonObject Click(string actionId, string? value, string user = User, string channel = Channel, string? messageTs = null, bool ephemeral = false,
        string responseUrl = "https://hooks.slack.com/actions/T111/1/click", string team = FakeSlack.TeamId)
    {
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["name"] = user.ToLowerInvariant(), ["team_id"] = team },
            ["api_app_id"] = "A111",
            ["token"] = "fixed-value",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs ?? "1605853634.000400", ["channel_id"] = channel, ["is_ephemeral"] = ephemeral },
            ["trigger_id"] = "111.222.xxx",
            ["team"] = new JsonObject { ["id"] = team, ["domain"] = "test" },
            ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "general" },
            ["response_url"] = responseUrl,
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId, ["block_id"] = "b", ["type"] = "button", ["value"] = value,
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = actionId }, ["action_ts"] = "1605853645.582706",
            }),
        };
        if (!ephemeral)
        {
            payload["message"] = new JsonObject { ["type"] = "message", ["ts"] = messageTs ?? "1605853634.000400", ["bot_id"] = FakeSlack.BotId, ["text"] = "Stretch" };
        }

        return payload;
    }

    /// <summary>The button with this action_id in a message the app sent (chat.postMessage or a response_url post).</summary>
    public static JsonObject Button(SlackCall message, string actionId) =>
        Buttons(message).FirstOrDefault(b => (string?)b["action_id"] == actionId)
        ?? throw new InvalidOperationException($"No '{actionId}' button in the message; it has: {string.Join(", ", Buttons(message).Select(b => (string?)b["action_id"]))}");

    public static IEnumerable<JsonObject> Buttons(SlackCall message) =>
        (message.Json?["blocks"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(b => b["elements"] as JsonArray ?? (b["accessory"] is JsonObject a ? new JsonArray(a.DeepClone()) : []))
            .OfType<JsonObject>()
            .Where(e => (string?)e["type"] == "button");
}
