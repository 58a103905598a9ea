using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Socket Mode: instead of receiving HTTP requests, StretchBot connects out to Slack over a WebSocket (a fresh URL
/// from apps.connections.open, with the app-level token, for every connection) and Slack sends each event, slash
/// command and click as an envelope on it. Each envelope's payload is read by the same <see cref="SlackInbound"/>
/// methods and handled by the same <see cref="SlackBot.Accept"/> as over HTTP, and acknowledged at once with its
/// envelope_id (Slack wants it within 3 s). No signature check: the connection itself is authenticated.
/// <para>
/// A disconnect warning or refresh request opens the next connection before the old one is closed, so nothing is
/// missed; a lost connection, a refused open, or too_many_websockets reconnect after an exponential backoff with
/// jitter (about 1 s, 2 s, 4 s … up to 60 s), reset by each hello.
/// </para>
/// </summary>
public sealed partial class SlackSocketMode(
    SlackApiClient api,
    IServiceProvider services,
    IOptions<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackSocketMode> logger) : BackgroundService
{
    /// <summary>Slack's envelopes are a few KB (a click with its message, tens); a bigger message is not one of them.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    // Slack pings the socket; .NET answers its pings without surfacing them, and a connection can be quiet for hours,
    // so silence isn't a sign of a dead connection. Our own pings are: no pong within the timeout aborts the socket.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    // Resolved when first used, not when the host builds its hosted services: the bot needs the catalog, whose
    // mistakes StartupChecks reports first, in one line.
    private SlackBot? _bot;

    private SlackBot Bot => _bot ??= services.GetRequiredService<SlackBot>();

    private readonly Signal _connected = new();
    private readonly Signal _backingOff = new();
    private int _failures;

    /// <summary>How many connections Slack has said hello on since start-up.</summary>
    public int ConnectedCount => _connected.Count;

    /// <summary>Completes once Slack has said hello on <paramref name="count"/> connections since start-up.</summary>
    public Task WhenConnectedAsync(int count, CancellationToken cancellationToken = default) => _connected.WhenAsync(count, cancellationToken);

    /// <summary>
    /// Completes with the delay of the <paramref name="count"/>-th backoff since start-up, once its wait has begun on
    /// the clock (so a test can move a fake clock past it).
    /// </summary>
    public Task<TimeSpan> WhenBackingOffAsync(int count, CancellationToken cancellationToken = default) => _backingOff.WhenAsync(count, cancellationToken);

    /// <summary>The wait before reconnect attempt <paramref name="failures"/> (0 first): 1 s, 2 s, 4 s … at most 60 s, each between half and all of it.</summary>
    public static TimeSpan Backoff(int failures, double jitter)
    {
        var full = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 16)));
        return TimeSpan.FromSeconds(full * (0.5 + (0.5 * Math.Clamp(jitter, 0, 1))));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !settings.SocketMode)
        {
            return;
        }

        Connection? current = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Connection next;
                try
                {
                    next = await ConnectAsync(settings.AppToken!, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Whatever went wrong (Slack refused, unreachable, the handshake failed or timed out), try again later.
                    LogConnectFailed(logger, exception is SlackApiException slack ? slack.Error : exception.GetType().Name);
                    await BackOffAsync(stoppingToken);
                    continue;
                }

                // A refresh keeps the old connection reading until the new one is up; only then is it closed.
                if (current is not null)
                {
                    await current.CloseAsync();
                }

                current = next;
                if (await current.Ended.WaitAsync(stoppingToken) == Ending.Lost)
                {
                    await current.CloseAsync();
                    current = null;
                    await BackOffAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            if (current is not null)
            {
                await current.CloseAsync();
            }
        }
    }

    private async Task<Connection> ConnectAsync(string appToken, CancellationToken cancellationToken)
    {
        var url = await api.OpenConnectionAsync(appToken, cancellationToken);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = KeepAliveInterval;
        socket.Options.KeepAliveTimeout = KeepAliveTimeout;
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await socket.ConnectAsync(url, linked.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        // The URL's query is a ticket: only the host is logged.
        LogConnecting(logger, url.Host);
        var connection = new Connection(this, socket, time, logger);
        connection.Start();
        return connection;
    }

    private async Task BackOffAsync(CancellationToken cancellationToken)
    {
        var failures = Interlocked.Increment(ref _failures) - 1;
        var delay = Backoff(failures, Random.Shared.NextDouble());
        LogBackingOff(logger, delay.TotalSeconds);
        // The wait is on the clock before anyone is told of it.
        var wait = Task.Delay(delay, time, cancellationToken);
        _backingOff.Raise(delay);
        await wait;
    }

    /// <summary>One text message from Slack: hello, disconnect, or an envelope to acknowledge.</summary>
    private async Task<Ending?> OnMessageAsync(Connection connection, ReadOnlyMemory<byte> message)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(message.Span, documentOptions: Strict) as JsonObject;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            json = null;
        }

        if (json is null)
        {
            LogUnreadable(logger, "not a JSON object");
            return null;
        }

        var type = Str(json, "type");
        var envelopeId = Str(json, "envelope_id");
        switch (type)
        {
            case "hello":
                Interlocked.Exchange(ref _failures, 0);
                LogConnected(logger, json["num_connections"] is JsonValue n && n.TryGetValue<int>(out var count) ? count : 0);
                _connected.Raise(TimeSpan.Zero);
                return null;
            case "disconnect":
                var reason = Str(json, "reason");
                LogDisconnect(logger, Echo(reason));
                // warning: this connection closes in a few seconds; refresh_requested: Slack wants a new one.
                // too_many_websockets (or anything else): this one goes, and the next waits.
                return reason is "warning" or "refresh_requested" ? Ending.Refresh : Ending.Lost;
        }

        if (envelopeId is not { Length: > 0 and <= 256 })
        {
            LogUnreadable(logger, $"a {Echo(type)} message without an envelope_id");
            return null;
        }

        if (connection.IsClosing)
        {
            // This connection is being closed (a refresh): an ack could no longer be sent, so the work isn't taken
            // either. Unacknowledged, Slack delivers the envelope again on the new connection.
            return null;
        }

        SlackAck? ack = null;
        if (Read(type, json["payload"], out var error) is { } request)
        {
            var retryAttempt = json["retry_attempt"] is JsonValue r && r.TryGetValue<int>(out var attempt) && attempt >= 0 ? attempt : 0;
            ack = Bot.Accept(request, retryAttempt);
            if (ack.Status >= 500)
            {
                // Not taken (StretchBot is busy): unacknowledged, Slack sends it again, as a 503 over HTTP would.
                return null;
            }
        }
        else
        {
            // Acknowledged anyway: Slack would only send it again, as malformed as before.
            LogMalformed(logger, Echo(type), error!);
        }

        var answer = new JsonObject { ["envelope_id"] = envelopeId };
        if (ack?.Body is { } body && json["accepts_response_payload"] is JsonValue accepts && accepts.GetValueKind() == JsonValueKind.True)
        {
            answer["payload"] = body.DeepClone();
        }

        await connection.SendAsync(Encoding.UTF8.GetBytes(answer.ToJsonString()));
        return null;
    }

    /// <summary>An envelope's payload as the request it is: exactly what the HTTP body would have been.</summary>
    private static SlackRequest? Read(string? type, JsonNode? payload, out string? error)
    {
        error = null;
        if (payload is not JsonObject body)
        {
            error = "the payload is not a JSON object";
            return null;
        }

        switch (type)
        {
            case "events_api":
                return SlackInbound.ReadEvents(body, out error);
            case "interactive":
                return SlackInbound.ReadInteractive(body, out error);
            case "slash_commands":
                return SlackInbound.ReadSlashCommand((string name, [MaybeNullWhen(false)] out string value) =>
                {
                    // The form's fields as JSON strings; true/false as the form would spell them.
                    value = body[name] switch
                    {
                        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                        JsonValue v when v.GetValueKind() == JsonValueKind.True => "true",
                        JsonValue v when v.GetValueKind() == JsonValueKind.False => "false",
                        _ => null!,
                    };
                    return value is not null;
                }, out error);
            default:
                error = "unknown envelope type";
                return null;
        }
    }

    private static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string Echo(string? text) =>
        text is null ? "(none)" : text.Length <= 40 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') ? text : "(not shown)";

    private enum Ending { Refresh, Lost }

    /// <summary>One WebSocket to Slack and the loop reading it.</summary>
    private sealed class Connection(SlackSocketMode owner, ClientWebSocket socket, TimeProvider time, ILogger logger)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly TaskCompletionSource<Ending> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _reading = Task.CompletedTask;
        private int _closing;

        /// <summary>Completes when the connection should be replaced: Slack asked (Refresh) or it is gone (Lost).</summary>
        public Task<Ending> Ended => _ended.Task;

        public void Start() => _reading = Task.Run(ReadAsync);

        public async Task SendAsync(byte[] message)
        {
            await _send.WaitAsync();
            try
            {
                // Cancelling a send would abort the socket; a stuck send ends when the socket is aborted or closed.
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
            finally
            {
                _send.Release();
            }
        }

        /// <summary>Whether <see cref="CloseAsync"/> has begun.</summary>
        public bool IsClosing => Volatile.Read(ref _closing) == 1;

        /// <summary>Says goodbye (NormalClosure), waits a moment for Slack's reply and the reading loop, then lets go.</summary>
        public async Task CloseAsync()
        {
            if (Interlocked.Exchange(ref _closing, 1) == 1)
            {
                return;
            }

            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived && await TryLockAsync())
                {
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(CloseTimeout, time);
                    }
                    finally
                    {
                        _send.Release();
                    }
                }

                await _reading.WaitAsync(CloseTimeout, time);
            }
            catch (Exception exception) when (exception is WebSocketException or TimeoutException or ObjectDisposedException or OperationCanceledException)
            {
                // Gone already, or Slack didn't answer in time: the socket is dropped below either way.
            }
            finally
            {
                socket.Abort();
                socket.Dispose();
                _ended.TrySetResult(Ending.Lost);
            }
        }

        private async Task ReadAsync()
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            var message = new ArrayBufferWriter<byte>();
            var draining = false;
            try
            {
                while (true)
                {
                    // Never cancelled (that would abort the socket): closing or aborting ends the read.
                    var frame = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (frame.MessageType == WebSocketMessageType.Close)
                    {
                        if (Volatile.Read(ref _closing) == 0 && !draining)
                        {
                            LogClosedBySlack(logger, (int?)socket.CloseStatus ?? 0);
                        }

                        return;
                    }

                    if (draining)
                    {
                        // Closed for a message too big: what is still coming is read and dropped until Slack's close.
                        continue;
                    }

                    if (message.WrittenCount + frame.Count > MaxMessageBytes)
                    {
                        LogTooBig(logger, MaxMessageBytes);
                        // Said before the connection is given up, so Slack hears why.
                        await CloseAsTooBigAsync();
                        _ended.TrySetResult(Ending.Lost);
                        draining = true;
                        message.Clear();
                        continue;
                    }

                    message.Write(buffer.AsSpan(0, frame.Count));
                    if (!frame.EndOfMessage)
                    {
                        continue;
                    }

                    if (frame.MessageType == WebSocketMessageType.Text && await owner.OnMessageAsync(this, message.WrittenMemory) is { } ending)
                    {
                        _ended.TrySetResult(ending);
                    }

                    message.ResetWrittenCount();
                }
            }
            catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
            {
                if (Volatile.Read(ref _closing) == 0)
                {
                    LogLost(logger, exception is WebSocketException ws ? ws.WebSocketErrorCode.ToString() : exception.GetType().Name);
                }
            }
            catch (Exception exception)
            {
                // Never let one bad message end Socket Mode for good: the connection is replaced.
                LogFailed(logger, exception);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _ended.TrySetResult(Ending.Lost);
            }
        }

        /// <summary>The send lock, unless a send is stuck for longer than <see cref="CloseTimeout"/> (the socket is being dropped then).</summary>
        private async Task<bool> TryLockAsync()
        {
            try
            {
                await _send.WaitAsync().WaitAsync(CloseTimeout, time);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        private async Task CloseAsTooBigAsync()
        {
            if (await TryLockAsync())
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None).WaitAsync(CloseTimeout, time);
                }
                finally
                {
                    _send.Release();
                }
            }
        }
    }

    /// <summary>A count that tests (and only tests) wait on: each raise records its value and wakes the waiters.</summary>
    private sealed class Signal
    {
        private readonly Lock _lock = new();
        private readonly List<TimeSpan> _values = [];
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _values.Count;
                }
            }
        }

        public void Raise(TimeSpan value)
        {
            TaskCompletionSource raised;
            lock (_lock)
            {
                _values.Add(value);
                raised = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            raised.TrySetResult();
        }

        public async Task<TimeSpan> WhenAsync(int count, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task next;
                lock (_lock)
                {
                    if (_values.Count >= count)
                    {
                        return _values[count - 1];
                    }

                    next = _next.Task;
                }

                await next.WaitAsync(cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode: connected to {Host}, waiting for its hello")]
    private static partial void LogConnecting(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode: connected ({Connections} connections open)")]
    private static partial void LogConnected(ILogger logger, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode: could not connect ({Error})")]
    private static partial void LogConnectFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode: reconnecting in {Seconds:0.0} s")]
    private static partial void LogBackingOff(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode: Slack asked to disconnect ({Reason})")]
    private static partial void LogDisconnect(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode: the connection was lost ({Error})")]
    private static partial void LogLost(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode: Slack closed the connection (status {Status})")]
    private static partial void LogClosedBySlack(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode: a message over {Max} bytes; reconnecting")]
    private static partial void LogTooBig(ILogger logger, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode: acknowledged a malformed {Type} envelope unread: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string type, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode: ignored a message: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack Socket Mode: reading the connection failed; reconnecting")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
