using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Slack;

/// <summary>
/// One call the app made to the fake Slack: the Web API method (or "response_url" for a post to a response_url), the
/// path, its Authorization header and its body as sent.
/// </summary>
public sealed record SlackApiCall(string Method, string Path, string? Authorization, string? ContentType, string Body)
{
    public JsonObject? Json => ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true ? JsonNode.Parse(Body) as JsonObject : null;
}

/// <summary>
/// Slack for a Socket Mode app, on loopback: the Web API at /api/ (auth.test names workspace T111 and bot user UBOT;
/// apps.connections.open checks the app-level token and hands out a new ticket each time; every other method answers
/// ok and is recorded), the WebSocket at /link/, which says hello and then does what the test says, and the
/// response_urls of hooks.slack.com, where the app's HTTP clients are sent instead of Slack.
/// </summary>
public sealed class FakeSocketModeServer : IAsyncDisposable
{
    public const string AppToken = "xapp-1-test";
    public const string BotToken = "xoxb-test";
    public const string TeamId = "T111";
    public const string BotUserId = "UBOT";

    // Only a test that hangs waits this long: everything is signalled.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly Channel<FakeSocket> _connections = Channel.CreateUnbounded<FakeSocket>();
    private readonly Lock _lock = new();
    private readonly List<SlackApiCall> _calls = [];
    private readonly List<FakeSocket> _sockets = [];
    private TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _tickets;
    private int _openCalls;
    private int _messageTs;

    private FakeSocketModeServer(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>apps.connections.open calls answered so far (with the right token or not).</summary>
    public int OpenCalls => Volatile.Read(ref _openCalls);

    /// <summary>Answers of apps.connections.open to give, in order, before the good ones (e.g. ok:false).</summary>
    public ConcurrentQueue<string> OpenFailures { get; } = new();

    public IReadOnlyList<SlackApiCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return _calls.ToList();
            }
        }
    }

    public static async Task<FakeSocketModeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSocketModeServer(app);
        app.UseWebSockets();
        app.MapPost("/api/{method}", fake.ApiAsync);
        app.MapPost("/actions/{**rest}", fake.ResponseUrlAsync);
        app.MapPost("/commands/{**rest}", fake.ResponseUrlAsync);
        app.Map("/link/", fake.LinkAsync);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>Points the app at this fake, in Socket Mode with one configured workspace.</summary>
    public void Apply(StretchBotFactory factory)
    {
        factory.Settings["Slack:Enabled"] = "true";
        factory.Settings["Slack:SocketMode"] = "true";
        factory.Settings["Slack:AppToken"] = AppToken;
        factory.Settings["Slack:BotToken"] = BotToken;
        factory.Settings["Slack:ApiBaseUrl"] = new Uri(BaseAddress, "/api/").ToString();
        // A response_url stays on hooks.slack.com (the only host the app posts them to); its requests come here.
        factory.ServiceChanges.Add(services => services.ConfigureHttpClientDefaults(http =>
            http.AddHttpMessageHandler(() => new HostRewriteHandler(BaseAddress, ["hooks.slack.com"]))));
    }

    /// <summary>The next WebSocket the app opens, once hello has been sent on it.</summary>
    public async Task<FakeSocket> NextConnectionAsync() => await _connections.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    /// <summary>The <paramref name="count"/>-th call of a Web API method.</summary>
    public async Task<SlackApiCall> WaitForCallAsync(string method, int count = 1)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (true)
        {
            Task next;
            lock (_lock)
            {
                var calls = _calls.Where(c => c.Method == method).ToList();
                if (calls.Count >= count)
                {
                    return calls[count - 1];
                }

                next = _called.Task;
            }

            await next.WaitAsync(guard.Token);
        }
    }

    private async Task<IResult> ResponseUrlAsync(HttpRequest request)
    {
        await RecordAsync("response_url", request);
        return TypedResults.Text("ok");
    }

    private async Task<SlackApiCall> RecordAsync(string method, HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var authorization = request.Headers.Authorization.ToString();
        var call = new SlackApiCall(method, request.Path, authorization.Length == 0 ? null : authorization, request.ContentType, body);
        TaskCompletionSource called;
        lock (_lock)
        {
            _calls.Add(call);
            called = _called;
            _called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        called.TrySetResult();
        return call;
    }

    private async Task<IResult> ApiAsync(string method, HttpRequest request)
    {
        var call = await RecordAsync(method, request);
        var authorization = call.Authorization;
        switch (method)
        {
            case "apps.connections.open":
                Interlocked.Increment(ref _openCalls);
                // The app-level token goes in the header, never in the body.
                if (authorization != $"Bearer {AppToken}" || call.Body.Contains("xapp-", StringComparison.Ordinal))
                {
                    return Json("""{"ok":false,"error":"invalid_auth"}""");
                }

                if (OpenFailures.TryDequeue(out var failure))
                {
                    return Json(failure);
                }

                var ticket = Interlocked.Increment(ref _tickets);
                var port = BaseAddress.Port;
                return Json($$"""{"ok":true,"url":"ws://127.0.0.1:{{port}}/link/?ticket={{ticket}}&app_id=A111"}""");
            case "auth.test":
                return authorization == $"Bearer {BotToken}"
                    ? Json($$"""{"ok":true,"url":"https://test.slack.com/","team":"Test","user":"stretchbot","team_id":"{{TeamId}}","user_id":"{{BotUserId}}","bot_id":"B111","is_enterprise_install":false}""")
                    : Json("""{"ok":false,"error":"invalid_auth"}""");
            case "chat.postMessage":
                var ts = Interlocked.Increment(ref _messageTs);
                return Json($"{{\"ok\":true,\"channel\":\"C111\",\"ts\":\"1700000000.{ts:D6}\"}}");
            case "users.info":
                return Json("""{"ok":true,"user":{"id":"U222","name":"pat","real_name":"Pat Doe","tz":"Europe/London","profile":{"display_name":"Pat","real_name":"Pat Doe"}}}""");
            default:
                return Json("""{"ok":true}""");
        }
    }

    private static IResult Json(string json) => TypedResults.Text(json, "application/json; charset=utf-8");

    private async Task LinkAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var ticket = context.Request.Query["ticket"].ToString();
        int othersOpen;
        lock (_lock)
        {
            othersOpen = _sockets.Count(s => !s.Closed.IsCompleted);
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var fake = new FakeSocket(ticket, socket, context) { OthersOpenAtConnect = othersOpen };
        lock (_lock)
        {
            _sockets.Add(fake);
        }

        await fake.SendAsync("""{"type":"hello","num_connections":1,"debug_info":{"host":"applink-test","build_number":10,"approximate_connection_time":18060},"connection_info":{"app_id":"A111"}}""");
        _connections.Writer.TryWrite(fake);
        await fake.ReadAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One WebSocket from the app, server side: send it messages, read what it answers, or drop it.</summary>
public sealed class FakeSocket(string ticket, WebSocket socket, HttpContext context)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly Channel<JsonObject> _received = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _send = new(1, 1);

    /// <summary>How many of the app's earlier connections were still open when it opened this one.</summary>
    public int OthersOpenAtConnect { get; init; }

    /// <summary>The ticket of the URL the app connected with.</summary>
    public string Ticket { get; } = ticket;

    /// <summary>Completes when the app closed the socket (with its close status) or it was dropped (null).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public async Task SendAsync(string json)
    {
        await _send.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    public Task SendAsync(JsonNode message) => SendAsync(message.ToJsonString());

    /// <summary>One text message in <paramref name="pieces"/> frames. Sends the app cuts off (it may close on a message too big) end it quietly.</summary>
    public async Task SendFragmentedAsync(string json, int pieces)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var size = (bytes.Length + pieces - 1) / pieces;
        await _send.WaitAsync();
        try
        {
            for (var offset = 0; offset < bytes.Length; offset += size)
            {
                var end = Math.Min(bytes.Length, offset + size);
                await socket.SendAsync(bytes.AsMemory(offset, end - offset), WebSocketMessageType.Text, end == bytes.Length, CancellationToken.None);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or ObjectDisposedException)
        {
            // The app dropped the connection mid-message.
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The next message the app sent (an acknowledgement).</summary>
    public async Task<JsonObject> ReceiveAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    /// <summary>True when the app sent nothing (so far) that the test hasn't read.</summary>
    public bool NothingMoreReceived => !_received.Reader.TryPeek(out _);

    /// <summary>Drops the connection without a close handshake, as a network failure would.</summary>
    public void Abort()
    {
        _closed.TrySetResult(null);
        socket.Abort();
        context.Abort();
    }

    internal async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var frame = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (frame.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(frame.CloseStatus);
                    await _send.WaitAsync();
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    }
                    finally
                    {
                        _send.Release();
                    }

                    return;
                }

                message.Write(buffer, 0, frame.Count);
                if (frame.EndOfMessage)
                {
                    _received.Writer.TryWrite((JsonObject)JsonNode.Parse(message.ToArray())!);
                    message.SetLength(0);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}
