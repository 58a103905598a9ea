using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using StretchBot.Channels.Slack;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// Every request to /slack/events is Slack's or refused: the v0 signature over the exact bytes, within 5 minutes of the
/// app's clock either way. Refused requests store nothing and post nothing.
/// </summary>
public sealed class SlackVerificationTests : SlackTest
{
    private static readonly JsonObject Vector = SlackClient.Fixture("signature_vector.json");

    /// <summary>The fixture's slash command comes from workspace T1DC2JH3J: the bot token here is that workspace's.</summary>
    protected override void Configure(StretchBotFactory factory) =>
        Fake.Tokens[FakeSlack.BotToken] = ("T1DC2JH3J", FakeSlack.BotUserId, FakeSlack.BotId);

    [Fact]
    public void TheFixtureVectorVerifiesAtItsOwnTimeAndNotWithTheRealClockOrATamperedBody()
    {
        var secret = (string)Vector["signing_secret"]!;
        var timestamp = (string)Vector["timestamp"]!;
        var body = Encoding.UTF8.GetBytes((string)Vector["body"]!);
        var signature = (string)Vector["expected_signature"]!;
        var then = DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(signature, SlackSignature.Compute(secret, timestamp, body));
        Assert.Null(SlackSignature.Check(secret, timestamp, signature, body, then));
        // Slack's 5-minute window, both ways, at its edges.
        Assert.Null(SlackSignature.Check(secret, timestamp, signature, body, then.AddSeconds(300)));
        Assert.Null(SlackSignature.Check(secret, timestamp, signature, body, then.AddSeconds(-300)));
        Assert.Equal("stale timestamp", SlackSignature.Check(secret, timestamp, signature, body, then.AddSeconds(301)));
        Assert.Equal("timestamp in the future", SlackSignature.Check(secret, timestamp, signature, body, then.AddSeconds(-301)));
        Assert.Equal("stale timestamp", SlackSignature.Check(secret, timestamp, signature, body, Clock.GetUtcNow()));
        foreach (var negative in ((JsonArray)Vector["negative_cases"]!).OfType<JsonObject>())
        {
            var now = negative["why"]!.ToString().Contains("real clock", StringComparison.Ordinal) ? Clock.GetUtcNow() : then;
            Assert.NotNull(SlackSignature.Check(secret, (string)negative["timestamp"]!, (string)negative["signature"]!, Encoding.UTF8.GetBytes((string)negative["body"]!), now));
        }

        Assert.Equal("signature mismatch", SlackSignature.Check("another-secret", timestamp, signature, body, then));
        Assert.Equal("signature mismatch", SlackSignature.Check(secret, timestamp, "v0=" + new string('0', 64), body, then));
        Assert.Equal("not a v0 signature", SlackSignature.Check(secret, timestamp, "v1=" + signature[3..], body, then));
        Assert.Equal("malformed timestamp", SlackSignature.Check(secret, "+1531420618", signature, body, then));
    }

    [Fact]
    public async Task ASignedRequestIsTakenAndEveryKindOfBadSignatureIsRefusedWith401()
    {
        var body = (string)Vector["body"]!;
        var form = "application/x-www-form-urlencoded";

        // The fixture's own headers: right signature, but 2018 is long past on the app's clock.
        var stale = await Slack.PostAsync(form, body, secret: null, change: r =>
        {
            r.Headers.Add(SlackSignature.TimestampHeader, (string)Vector["timestamp"]!);
            r.Headers.Add(SlackSignature.SignatureHeader, (string)Vector["expected_signature"]!);
        });
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync(form, body, secret: "8f742231b10e8888abcd99yyyzzz85a5")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync(form, body, secret: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync(form, body, at: Clock.GetUtcNow().AddMinutes(-6))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync(form, body, at: Clock.GetUtcNow().AddMinutes(6))).StatusCode);
        // Signed, then tampered with on the way: one byte more.
        var tampered = await Slack.PostAsync(form, body, change: r => r.Content = new StringContent(body + "-", Encoding.UTF8, form));
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        // Only the timestamp, or only the signature.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync(form, body, change: r => r.Headers.Remove(SlackSignature.SignatureHeader))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync(form, body, change: r => r.Headers.Remove(SlackSignature.TimestampHeader))).StatusCode);
        // The refusal says nothing about which check failed.
        Assert.DoesNotContain("stale", await stale.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
        Assert.Equal(0, Factory.Count("people"));
        Assert.Equal(0, Factory.Count("prompts"));
        Assert.Equal(0, Factory.Count("installs"));

        // The same slash command, signed now with the app's secret, is taken and answered: a stretch for the channel.
        var signed = await Slack.PostAsync(form, body);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(string.Empty, await signed.Content.ReadAsStringAsync());
        await BackgroundWorkFinishedAsync();
        var post = Assert.Single(Fake.Of("chat.postMessage"));
        Assert.Equal("G8PSS9T3V", post["channel"]);
        Assert.Equal("Bearer " + FakeSlack.BotToken, post.Authorization);
        Assert.Equal(1, Factory.Count("prompts"));
    }

    [Fact]
    public async Task UrlVerificationIsAnsweredWithItsChallengeOnlyWhenSigned()
    {
        var fixture = SlackClient.FixtureText("url_verification.json");
        var unsigned = await Slack.PostAsync("application/json", fixture, secret: null);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        var response = await Slack.PostAsync("application/json", fixture);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (string?)body["challenge"]);
    }

    [Fact]
    public async Task AnSslCheckIsAnsweredAndDoesNothing()
    {
        var response = await Slack.PostAsync("application/x-www-form-urlencoded", "ssl_check=1&token=xyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Answered unsigned too (Slack's TLS check, as Bolt does), and still nothing else happens.
        var unsigned = await Slack.PostAsync("application/x-www-form-urlencoded", "ssl_check=1&token=xyz&team_id=T111&user_id=U1&channel_id=C1&command=%2Fstretch", secret: null);
        Assert.Equal(HttpStatusCode.OK, unsigned.StatusCode);
        Assert.Equal(string.Empty, await unsigned.Content.ReadAsStringAsync());
        // Anything else unsigned is still refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Slack.PostAsync("application/x-www-form-urlencoded", "ssl_check=0&token=xyz", secret: null)).StatusCode);
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Sent);
        Assert.Equal(0, Factory.Count("people"));
    }
}
