using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StretchBot.Tests.Infrastructure;

/// <summary>Posts activities to /api/messages the way the Bot Connector does: JSON body, signed bearer token.</summary>
public sealed partial class TeamsClient(HttpClient http, FakeBotFramework fake, TimeProvider clock)
{
    public const string ServiceUrl = "https://smba.trafficmanager.net/amer/";
    public const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string Channel = "19:097e6717fd7245bdbeba6baa13840db8@thread.skype";
    public const string BotId = "28:" + FakeBotFramework.AppId;

    /// <summary>A recorded payload from ../shared/fixtures/teams (JSONC comments removed).</summary>
    public static JsonObject Fixture(string name)
    {
        var text = File.ReadAllText(Path.Combine(NodeScript.RepoRoot, "..", "shared", "fixtures", "teams", name));
        // The docs samples also carry the narrow no-break spaces of the page they were copied from.
        text = LineComment().Replace(text, string.Empty).Replace('\u202f', ' ').Replace('\u00a0', ' ');
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Posts with a valid token for the activity's serviceUrl, or with the given Authorization value.</summary>
    public async Task<HttpResponseMessage> PostAsync(JsonObject activity, string? authorization = null, bool noAuthorization = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (!noAuthorization)
        {
            var serviceUrl = (string?)activity["serviceUrl"] ?? ServiceUrl;
            request.Headers.TryAddWithoutValidation("Authorization", authorization ?? "Bearer " + fake.Token(clock.GetUtcNow(), serviceUrl));
        }

        request.Headers.UserAgent.ParseAdd("Microsoft-SkypeBotApi");
        return await http.SendAsync(request);
    }

    public async Task SendAsync(JsonObject activity)
    {
        using var response = await PostAsync(activity);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /api/messages gave {(int)response.StatusCode}: {body}");
        Assert.Equal(string.Empty, body);
    }

    /// <summary>An invoke: its answer arrives in the HTTP response.</summary>
    public async Task<JsonObject> InvokeAsync(JsonObject activity)
    {
        using var response = await PostAsync(activity);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"invoke gave {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>A message in a team channel thread, shaped like the recorded one.</summary>
    public static JsonObject ChannelMessage(string text, TeamsUser user, string rootId = "1571537152320", string? id = null)
    {
        var activity = Fixture("message-channel-action-submit-value.json");
        activity.Remove("value");
        activity.Remove("replyToId");
        activity["id"] = id ?? $"f:{Guid.NewGuid():N}";
        activity["text"] = $"<at>StretchBot</at> {text}";
        activity["recipient"] = new JsonObject { ["id"] = BotId, ["name"] = "StretchBot" };
        activity["from"] = user.Json();
        activity["conversation"]!["id"] = $"{Channel};messageid={rootId}";
        activity["entities"] = new JsonArray(
            new JsonObject { ["type"] = "mention", ["text"] = "<at>StretchBot</at>", ["mentioned"] = new JsonObject { ["id"] = BotId, ["name"] = "StretchBot" } },
            new JsonObject { ["type"] = "clientInfo", ["locale"] = "en-US", ["timezone"] = user.TimeZone, ["platform"] = "Web" });
        return activity;
    }

    /// <summary>A click on Action.Execute: invoke adaptiveCard/action with the button's verb and data.</summary>
    public static JsonObject Execute(JsonObject data, TeamsUser user, string replyToId, string rootId = "1571537152320", string trigger = "manual")
    {
        var activity = ChannelMessage(string.Empty, user, rootId);
        activity.Remove("text");
        activity["type"] = "invoke";
        activity["name"] = "adaptiveCard/action";
        activity["replyToId"] = replyToId;
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["id"] = string.Empty, ["verb"] = (string?)data["action"], ["data"] = data.DeepClone() },
            ["trigger"] = trigger,
        };
        return activity;
    }

    /// <summary>A click on the Action.Submit fallback: a message with value and replyToId.</summary>
    public static JsonObject Submit(JsonObject data, TeamsUser user, string replyToId, string rootId = "1571537152320")
    {
        var activity = ChannelMessage(string.Empty, user, rootId);
        activity["text"] = string.Empty;
        activity["replyToId"] = replyToId;
        activity["value"] = data.DeepClone();
        return activity;
    }

    [GeneratedRegex(@"^\s*//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();
}

public sealed record TeamsUser(string Id, string Name, string TimeZone = "Europe/London")
{
    public static readonly TeamsUser Ada = new("29:1ada-lovelace", "Ada Lovelace");
    public static readonly TeamsUser Grace = new("29:1grace-hopper", "Grace Hopper", "America/New_York");

    public JsonObject Json() => new() { ["id"] = Id, ["name"] = Name, ["aadObjectId"] = $"aad-{Id[3..]}" };
}
