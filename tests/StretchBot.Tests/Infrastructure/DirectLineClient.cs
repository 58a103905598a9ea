using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace StretchBot.Tests.Infrastructure;

/// <summary>Talks to the app's Direct Line endpoint the way Web Chat does (REST polling with a watermark).</summary>
public sealed class DirectLineClient
{
    private readonly HttpClient _http;
    private string? _watermark;

    private DirectLineClient(HttpClient http, string conversationId, string token)
    {
        _http = http;
        ConversationId = conversationId;
        Token = token;
    }

    public string ConversationId { get; }

    public string Token { get; }

    public string ActivitiesUrl => $"/v3/directline/conversations/{ConversationId}/activities";

    public static async Task<DirectLineClient> StartAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/conversations");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "local-playground");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new DirectLineClient(http, (string)body["conversationId"]!, (string)body["token"]!);
    }

    public Task<HttpResponseMessage> PostRawAsync(string body, string contentType = "application/json", string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ActivitiesUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token);
        return _http.SendAsync(request);
    }

    public async Task<string> SendAsync(JsonObject activity)
    {
        using var response = await PostRawAsync(activity.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST activity gave {(int)response.StatusCode}: {text}");
        return (string)JsonNode.Parse(text)!["id"]!;
    }

    public Task<string> SayAsync(string text, User? user = null) => SendAsync(Message(user ?? User.Ada, text));

    public Task<string> SubmitAsync(JsonObject value, User? user = null)
    {
        var activity = Message(user ?? User.Ada, null);
        activity["value"] = value.DeepClone();
        activity["channelData"] = new JsonObject { ["postBack"] = true, ["clientActivityID"] = Guid.NewGuid().ToString("N") };
        return SendAsync(activity);
    }

    public static JsonObject Message(User user, string? text)
    {
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["from"] = new JsonObject { ["id"] = user.Id, ["name"] = user.Name, ["role"] = "user" },
            ["locale"] = "en-US",
            ["textFormat"] = "plain",
            ["channelData"] = new JsonObject { ["clientActivityID"] = Guid.NewGuid().ToString("N") },
        };
        if (text is not null)
        {
            activity["text"] = text;
        }

        if (user.TimeZone is not null)
        {
            activity["localTimezone"] = user.TimeZone;
        }

        return activity;
    }

    /// <summary>Every activity since the last call, the echoes of what we sent included.</summary>
    public async Task<List<JsonObject>> PollAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _watermark is null ? ActivitiesUrl : $"{ActivitiesUrl}?watermark={_watermark}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        _watermark = (string)body["watermark"]!;
        return body["activities"]!.AsArray().Select(a => a!.AsObject()).ToList();
    }

    /// <summary>The bot's replies since the last poll.</summary>
    public async Task<List<JsonObject>> RepliesAsync() =>
        (await PollAsync()).Where(a => (string?)a["from"]?["role"] == "bot").ToList();

    /// <summary>The data the Done button of the latest card sends: what a person's click posts back.</summary>
    public async Task<JsonObject> LastDoneDataAsync() => DoneDataOf(CardOf((await RepliesAsync()).Last())!);

    public static JsonObject DoneDataOf(JsonObject card)
    {
        var done = CardReader.Actions(card).First(a => (string?)a["data"]?["action"] == "done");
        return done["data"]!.DeepClone().AsObject();
    }

    public static JsonObject? CardOf(JsonObject activity) =>
        activity["attachments"]?.AsArray().FirstOrDefault()?["content"]?.AsObject();

    public static string TextOf(JsonObject activity) => (string?)activity["text"] ?? string.Empty;
}

public sealed record User(string Id, string Name, string? TimeZone = null)
{
    public static readonly User Ada = new("u-ada", "Ada Lovelace", "Europe/London");
    public static readonly User Grace = new("u-grace", "Grace Hopper", "America/New_York");
}
