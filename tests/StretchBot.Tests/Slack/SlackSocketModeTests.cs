using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StretchBot.Channels.Slack;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// Socket Mode against a fake Slack on loopback: the app opens a connection URL with its app-level token, connects,
/// and answers each envelope on the WebSocket; lost connections come back after a backoff on the app's fake clock,
/// which passes only when the test moves it.
/// </summary>
public sealed class SlackSocketModeTests : IAsyncLifetime
{
    private const string MentionEnvelopeId = "cda4159a-72a5-4744-aba3-4d66eb52682b";

    // Only a test that would hang waits this long: everything is signalled.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly StretchBotFactory _factory = new();
    private FakeSocketModeServer _slack = null!;
    private SlackSocketMode _socketMode = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSocketModeServer.StartAsync();
        _slack.Apply(_factory);
        _socketMode = _factory.Services.GetServices<IHostedService>().OfType<SlackSocketMode>().Single();
    }

    public async Task DisposeAsync()
    {
        // The app first, so it closes its socket while the fake is still there to answer.
        _factory.Dispose();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task AnAppMentionIsAcknowledgedWithItsEnvelopeIdAndAnsweredInTheChannel()
    {
        var socket = await ConnectedAsync(1);
        var open = Assert.Single(_slack.Calls, c => c.Method == "apps.connections.open");
        Assert.Equal($"Bearer {FakeSocketModeServer.AppToken}", open.Authorization);
        Assert.DoesNotContain("xapp-", open.Body, StringComparison.Ordinal);
        Assert.Equal("1", socket.Ticket);

        await socket.SendAsync(Mention("<@UBOT> help"));

        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await socket.ReceiveAsync()).ToJsonString());
        var post = await _slack.WaitForCallAsync("chat.postMessage");
        Assert.Equal($"Bearer {FakeSocketModeServer.BotToken}", post.Authorization);
        var body = post.Json!;
        Assert.Equal("C111", (string?)body["channel"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["text"]));
        Assert.NotEmpty(body["blocks"]!.AsArray());
    }

    [Fact]
    public async Task AClickIsAcknowledgedWithItsEnvelopeIdAndAnsweredThroughItsResponseUrl()
    {
        var socket = await ConnectedAsync(1);

        await socket.SendAsync(Fixture("socket_mode_interactive_block_actions.json"));

        Assert.Equal("""{"envelope_id":"xxx-11-222-yyy-zzz"}""", (await socket.ReceiveAsync()).ToJsonString());
        // Action "a" isn't one of StretchBot's buttons: the person gets a kind word, to them alone.
        var answer = await _slack.WaitForCallAsync("response_url");
        Assert.Equal("/actions/T111/111/xxx", answer.Path);
        Assert.Equal("ephemeral", (string?)answer.Json!["response_type"]);
        Assert.Null(answer.Authorization);
    }

    [Fact]
    public async Task ASlashCommandIsAcknowledgedWithItsEnvelopeIdAndAnsweredThroughItsResponseUrl()
    {
        var socket = await ConnectedAsync(1);

        await socket.SendAsync(SlashCommand("slash-1", "help"));

        Assert.Equal("""{"envelope_id":"slash-1"}""", (await socket.ReceiveAsync()).ToJsonString());
        var answer = await _slack.WaitForCallAsync("response_url");
        Assert.Equal("/commands/T111/1/abc", answer.Path);
        Assert.Equal("ephemeral", (string?)answer.Json!["response_type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)answer.Json!["text"]));
    }

    [Fact]
    public async Task AnEventDeliveredAgainIsAcknowledgedAgainButActedOnOnce()
    {
        var socket = await ConnectedAsync(1);
        await socket.SendAsync(Mention("<@UBOT> help"));
        await socket.ReceiveAsync();
        await _slack.WaitForCallAsync("chat.postMessage");
        await _factory.WhenBackgroundWorkFinishedAsync();
        var posts = _slack.Calls.Count(c => c.Method == "chat.postMessage");

        var retry = Mention("<@UBOT> help");
        retry["retry_attempt"] = 1;
        retry["retry_reason"] = "timeout";
        await socket.SendAsync(retry);

        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await socket.ReceiveAsync()).ToJsonString());
        await _factory.WhenBackgroundWorkFinishedAsync();
        Assert.Equal(posts, _slack.Calls.Count(c => c.Method == "chat.postMessage"));
    }

    [Fact]
    public async Task ARefreshRequestConnectsWithANewUrlBeforeClosingTheOldConnection()
    {
        var first = await ConnectedAsync(1);

        await first.SendAsync("""{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-test"}}""");

        var second = await _slack.NextConnectionAsync();
        Assert.Equal("2", second.Ticket);
        Assert.Equal(2, _slack.OpenCalls);
        Assert.Equal(1, second.OthersOpenAtConnect);
        await _socketMode.WhenConnectedAsync(2).WaitAsync(Guard);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await first.Closed.WaitAsync(Guard));
        // No waiting: Slack asked, nothing failed.
        Assert.False(_socketMode.WhenBackingOffAsync(1).IsCompleted);

        await second.SendAsync(Mention("<@UBOT> help"));
        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await second.ReceiveAsync()).ToJsonString());
        Assert.Equal("C111", (string?)(await _slack.WaitForCallAsync("chat.postMessage")).Json!["channel"]);
    }

    [Fact]
    public async Task ADroppedConnectionComesBackAfterABackoffAndWorksAgain()
    {
        var first = await ConnectedAsync(1);

        first.Abort();

        var delay = await _socketMode.WhenBackingOffAsync(1).WaitAsync(Guard);
        Assert.InRange(delay, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.Equal(1, _slack.OpenCalls);
        _factory.Clock.Advance(delay);
        var second = await _slack.NextConnectionAsync();
        Assert.Equal("2", second.Ticket);
        Assert.Equal(0, second.OthersOpenAtConnect);
        await _socketMode.WhenConnectedAsync(2).WaitAsync(Guard);

        await second.SendAsync(Mention("<@UBOT> help"));
        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await second.ReceiveAsync()).ToJsonString());
        Assert.Equal("C111", (string?)(await _slack.WaitForCallAsync("chat.postMessage")).Json!["channel"]);
    }

    [Fact]
    public async Task RefusedConnectionOpensBackOffLongerEachTimeUntilAHelloResetsIt()
    {
        var first = await ConnectedAsync(1);
        _slack.OpenFailures.Enqueue("""{"ok":false,"error":"internal_error"}""");
        _slack.OpenFailures.Enqueue("""{"ok":false,"error":"internal_error"}""");

        first.Abort();

        // Dropped: about 1 s; refused: about 2 s; refused again: about 4 s; then it connects.
        var delays = new List<TimeSpan>();
        for (var n = 1; n <= 3; n++)
        {
            var delay = await _socketMode.WhenBackingOffAsync(n).WaitAsync(Guard);
            delays.Add(delay);
            _factory.Clock.Advance(delay);
        }

        var second = await _slack.NextConnectionAsync();
        await _socketMode.WhenConnectedAsync(2).WaitAsync(Guard);
        Assert.Equal(4, _slack.OpenCalls);
        Assert.Equal("2", second.Ticket);
        Assert.InRange(delays[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(delays[2], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));

        // The hello reset it: the next loss waits about 1 s again.
        second.Abort();
        Assert.InRange(await _socketMode.WhenBackingOffAsync(4).WaitAsync(Guard), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task TooManyWebSocketsClosesThisConnectionAndReconnectsAfterABackoff()
    {
        var first = await ConnectedAsync(1);

        await first.SendAsync(Fixture("socket_mode_disconnect.json"));

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await first.Closed.WaitAsync(Guard));
        var delay = await _socketMode.WhenBackingOffAsync(1).WaitAsync(Guard);
        Assert.Equal(1, _slack.OpenCalls);
        _factory.Clock.Advance(delay);
        var second = await _slack.NextConnectionAsync();
        Assert.Equal("2", second.Ticket);
        await _socketMode.WhenConnectedAsync(2).WaitAsync(Guard);
    }

    [Fact]
    public async Task AMalformedEnvelopeIsAcknowledgedAndTheConnectionStaysUp()
    {
        var socket = await ConnectedAsync(1);

        await socket.SendAsync("""{"envelope_id":"bad-1","type":"events_api","payload":"not an object","accepts_response_payload":false,"retry_attempt":0,"retry_reason":""}""");
        Assert.Equal("""{"envelope_id":"bad-1"}""", (await socket.ReceiveAsync()).ToJsonString());

        // A payload that isn't one Slack sends (an event_callback without its event) is acknowledged unread too.
        await socket.SendAsync("""{"envelope_id":"bad-2","type":"events_api","payload":{"type":"event_callback","team_id":"T111","event_id":"Ev9"},"accepts_response_payload":false}""");
        Assert.Equal("""{"envelope_id":"bad-2"}""", (await socket.ReceiveAsync()).ToJsonString());

        // Not even JSON: nothing to acknowledge, nothing to fear.
        await socket.SendAsync("this is not json");

        await socket.SendAsync(Mention("<@UBOT> help"));
        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await socket.ReceiveAsync()).ToJsonString());
        Assert.Equal("C111", (string?)(await _slack.WaitForCallAsync("chat.postMessage")).Json!["channel"]);
        Assert.Equal(1, _slack.OpenCalls);
        Assert.Equal(1, _socketMode.ConnectedCount);
        Assert.False(socket.Closed.IsCompleted);
    }

    [Fact]
    public async Task AnEnvelopeSentInSeveralFramesIsReassembled()
    {
        var socket = await ConnectedAsync(1);

        await socket.SendFragmentedAsync(Mention("<@UBOT> help").ToJsonString(), pieces: 5);

        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await socket.ReceiveAsync()).ToJsonString());
        Assert.Equal("C111", (string?)(await _slack.WaitForCallAsync("chat.postMessage")).Json!["channel"]);
    }

    [Fact]
    public async Task AMessageOverTheSizeLimitDropsTheConnectionAndAFreshOneIsOpened()
    {
        var first = await ConnectedAsync(1);

        await first.SendFragmentedAsync(new JsonObject { ["type"] = "events_api", ["envelope_id"] = "big", ["payload"] = new JsonObject { ["text"] = new string('x', SlackSocketMode.MaxMessageBytes) } }.ToJsonString(), pieces: 20);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await first.Closed.WaitAsync(Guard));
        _factory.Clock.Advance(await _socketMode.WhenBackingOffAsync(1).WaitAsync(Guard));
        var second = await _slack.NextConnectionAsync();
        await _socketMode.WhenConnectedAsync(2).WaitAsync(Guard);
        await second.SendAsync(Mention("<@UBOT> help"));
        Assert.Equal($$"""{"envelope_id":"{{MentionEnvelopeId}}"}""", (await second.ReceiveAsync()).ToJsonString());
    }

    [Fact]
    public async Task StoppingTheAppClosesTheConnectionNormally()
    {
        var socket = await ConnectedAsync(1);

        _factory.Dispose();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await socket.Closed.WaitAsync(Guard));
    }

    [Fact]
    public void TheBackoffDoublesFromOneSecondUpToAMinuteWithJitter()
    {
        Assert.Equal(TimeSpan.FromSeconds(0.5), SlackSocketMode.Backoff(0, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), SlackSocketMode.Backoff(0, 1));
        Assert.Equal(TimeSpan.FromSeconds(4), SlackSocketMode.Backoff(2, 1));
        Assert.Equal(TimeSpan.FromSeconds(32), SlackSocketMode.Backoff(5, 1));
        Assert.Equal(TimeSpan.FromSeconds(60), SlackSocketMode.Backoff(6, 1));
        Assert.Equal(TimeSpan.FromSeconds(30), SlackSocketMode.Backoff(1000, 0));
    }

    /// <summary>Slack has said hello on the app's <paramref name="count"/>-th connection: the fake's side of it.</summary>
    private async Task<FakeSocket> ConnectedAsync(int count)
    {
        var socket = await _slack.NextConnectionAsync();
        await _socketMode.WhenConnectedAsync(count).WaitAsync(Guard);
        return socket;
    }

    private static JsonObject Mention(string text)
    {
        var envelope = Fixture("socket_mode_events_api_app_mention.json");
        envelope["payload"]!["event"]!["text"] = text;
        return envelope;
    }

    private static JsonObject SlashCommand(string envelopeId, string text) => new()
    {
        ["envelope_id"] = envelopeId,
        ["type"] = "slash_commands",
        ["accepts_response_payload"] = true,
        ["payload"] = new JsonObject
        {
            ["token"] = "verification-token",
            ["team_id"] = "T111",
            ["team_domain"] = "test",
            ["channel_id"] = "C111",
            ["channel_name"] = "random",
            ["user_id"] = "U222",
            ["user_name"] = "pat",
            ["command"] = "/stretch",
            ["text"] = text,
            ["api_app_id"] = "A111",
            ["is_enterprise_install"] = "false",
            ["response_url"] = "https://hooks.slack.com/commands/T111/1/abc",
            ["trigger_id"] = "111.222.xxx",
        },
    };

    private static JsonObject Fixture(string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(NodeScript.RepoRoot, "..", "shared", "fixtures", "slack", name)))!;
}
