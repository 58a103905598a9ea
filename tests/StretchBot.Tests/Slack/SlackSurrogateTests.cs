using System.Net;
using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// A click's payload is checked for strings with a lone UTF-16 surrogate (an unpaired \uD800-\uDFFF escape) anywhere
/// in it, message blocks included; the check runs its full walk only when such an escape appears in the text, so these
/// pin both sides of that shortcut: what must still be refused, and what only looks like it.
/// </summary>
public sealed class SlackSurrogateTests : SlackTest
{
    private const string Form = "application/x-www-form-urlencoded";

    [Theory]
    [InlineData("\\ud800", "a lone high surrogate")]
    [InlineData("\\uDC00", "a lone low surrogate, upper case")]
    [InlineData("\\ude00\\ud83d", "a pair the wrong way round")]
    public async Task AClickWithALoneSurrogateDeepInItsMessageIsRefusedWith400AndNothingHappens(string escape, string why)
    {
        var response = await ClickAsync(MessageTextMarker, escape);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, why);
        Assert.Contains("surrogate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
    }

    [Fact]
    public async Task AClickWithALoneSurrogateInAPropertyNameIsRefusedWith400()
    {
        var response = await ClickAsync($"\"{NameMarker}\"", "\"\\udc00\"");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
    }

    [Theory]
    [InlineData("\\ud83d\\ude00", "an escaped pair (an emoji)")]
    [InlineData("\\\\ud800", "an escaped backslash, then the letters ud800")]
    [InlineData("\\u00e9\\u2014", "escapes outside the surrogates")]
    public async Task AClickWithWellFormedEscapesIsAcknowledged(string escape, string why)
    {
        var response = await ClickAsync(MessageTextMarker, escape);

        Assert.True(response.StatusCode == HttpStatusCode.OK, why);
        await BackgroundWorkFinishedAsync();
    }

    private const string MessageTextMarker = "stretchbot-marker";
    private const string NameMarker = "stretchbot-name-marker";

    /// <summary>
    /// A signed click whose JSON has <paramref name="marker"/> replaced by raw JSON text: the text of a block in the
    /// message, or (with the quotes) the name of a property added at the top level.
    /// </summary>
    private Task<HttpResponseMessage> ClickAsync(string marker, string rawJson)
    {
        var payload = SlackClient.Click("done", "{\"p\":\"p_none\",\"s\":\"neck-roll\"}");
        payload["message"]!["blocks"] = new JsonArray(new JsonObject
        {
            ["type"] = "section",
            ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = MessageTextMarker },
        });
        payload[NameMarker] = 1;
        var json = payload.ToJsonString().Replace(marker, rawJson, StringComparison.Ordinal);
        return Slack.PostAsync(Form, "payload=" + Uri.EscapeDataString(json));
    }
}
