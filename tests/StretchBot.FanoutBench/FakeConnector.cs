using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StretchBot.FanoutBench;

/// <summary>One post the fake accepted: which tenant and conversation, and when (a Stopwatch timestamp).</summary>
public readonly record struct AcceptedPost(int Tenant, string Conversation, long At);

/// <summary>
/// A loopback Bot Connector that enforces Teams' documented send limits (teams.md §4: per bot per conversation
/// 7/1 s, 8/2 s, 60/30 s, 1800/3600 s; per app per tenant 50/s) with sliding windows over real time, and answers
/// 429 with <c>Retry-After: 1</c> beyond them. Each tenant has its own serviceUrl path (<c>/t07/</c>), so the fake
/// knows whose call it is. Routes: POST <c>v3/conversations</c> (a new channel thread, 201 with its id), POST
/// <c>v3/conversations/{id}/activities[/{replyToId}]</c> (201 with an id), PUT <c>…/activities/{id}</c> (200);
/// anything else 404.
/// </summary>
public sealed class FakeConnector : IAsyncDisposable
{
    public static readonly WindowLimit[] ConversationLimits =
    [
        new(7, TimeSpan.FromSeconds(1)), new(8, TimeSpan.FromSeconds(2)), new(60, TimeSpan.FromSeconds(30)), new(1800, TimeSpan.FromSeconds(3600)),
    ];

    public static readonly WindowLimit[] TenantLimits = [new(50, TimeSpan.FromSeconds(1))];

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, SlidingWindows> _conversations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, SlidingWindows> _tenants = new();
    private readonly ConcurrentDictionary<string, int> _cardsPerChannel = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AcceptedPost> _accepted = new();
    private long _sends;
    private long _throttled;
    private long _updates;
    private long _updatesThrottled;
    private long _notFound;
    private long _activityIds;

    private FakeConnector(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Every POST that reached the limits (accepted or answered 429).</summary>
    public long Sends => Interlocked.Read(ref _sends);

    public long Throttled => Interlocked.Read(ref _throttled);

    public long Updates => Interlocked.Read(ref _updates);

    public long UpdatesThrottled => Interlocked.Read(ref _updatesThrottled);

    public long NotFound => Interlocked.Read(ref _notFound);

    public IEnumerable<AcceptedPost> Accepted => _accepted;

    /// <summary>Channels (conversation id without ";messageid=…") that got at least one post.</summary>
    public int ChannelsReached => _cardsPerChannel.Count;

    /// <summary>Posts beyond the first in each channel.</summary>
    public long Duplicates => _cardsPerChannel.Values.Sum(n => (long)n - 1);

    public IReadOnlyDictionary<string, int> CardsPerChannel => _cardsPerChannel;

    public string ServiceUrl(int tenant) => new Uri(BaseAddress, Segment(tenant) + "/").ToString();

    public static string Segment(int tenant) => "t" + tenant.ToString("00", CultureInfo.InvariantCulture);

    public static async Task<FakeConnector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeConnector? self = null;
        app.Run(context => self!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeConnector(app, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    /// <summary>Forgets the counts and windows (after the self-check).</summary>
    public void Reset()
    {
        _conversations.Clear();
        _tenants.Clear();
        _cardsPerChannel.Clear();
        _accepted.Clear();
        Interlocked.Exchange(ref _sends, 0);
        Interlocked.Exchange(ref _throttled, 0);
        Interlocked.Exchange(ref _updates, 0);
        Interlocked.Exchange(ref _updatesThrottled, 0);
        Interlocked.Exchange(ref _notFound, 0);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Stopwatch.GetTimestamp();
        // /t07/v3/conversations[/{id}/activities[/{activityId}]]; Kestrel has unescaped the ids (they hold no '/').
        var parts = (context.Request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0].Length != 3 || parts[0][0] != 't' || !int.TryParse(parts[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var tenant)
            || parts[1] != "v3" || parts[2] != "conversations")
        {
            await NotFoundAsync(context);
            return;
        }

        var method = context.Request.Method;
        if (parts.Length == 3 && method == "POST")
        {
            // A new root post in a channel: the conversation is channelData.channel.id.
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var channel = (string?)body?["channelData"]?["channel"]?["id"] ?? (string?)body?["members"]?[0]?["id"];
            if (channel is null)
            {
                await NotFoundAsync(context);
                return;
            }

            if (!Admit(tenant, channel, now, isUpdate: false))
            {
                await ThrottledAsync(context);
                return;
            }

            var id = NextId();
            Record(tenant, channel, now);
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = $"{channel};messageid={id}", ["activityId"] = id }, context.RequestAborted);
            return;
        }

        if (parts.Length is 5 or 6 && parts[4] == "activities" && (method == "POST" || (method == "PUT" && parts.Length == 6)))
        {
            var conversation = parts[3];
            var isUpdate = method == "PUT";
            if (!Admit(tenant, conversation, now, isUpdate))
            {
                await ThrottledAsync(context);
                return;
            }

            if (isUpdate)
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = parts[5] }, context.RequestAborted);
                return;
            }

            Record(tenant, conversation, now);
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = NextId() }, context.RequestAborted);
            return;
        }

        await NotFoundAsync(context);
    }

    private bool Admit(int tenant, string conversation, long now, bool isUpdate)
    {
        Interlocked.Increment(ref isUpdate ? ref _updates : ref _sends);
        // Teams limits a thread, so a channel and its threads share the channel's windows (stricter, never looser).
        var channel = ChannelOf(conversation);
        var conversationWindows = _conversations.GetOrAdd(channel, static _ => new SlidingWindows(ConversationLimits));
        var tenantWindows = _tenants.GetOrAdd(tenant, static _ => new SlidingWindows(TenantLimits));
        if (SlidingWindows.TryAcquireBoth(tenantWindows, conversationWindows, now))
        {
            return true;
        }

        Interlocked.Increment(ref isUpdate ? ref _updatesThrottled : ref _throttled);
        return false;
    }

    private void Record(int tenant, string conversation, long now)
    {
        var channel = ChannelOf(conversation);
        _cardsPerChannel.AddOrUpdate(channel, 1, static (_, n) => n + 1);
        _accepted.Enqueue(new AcceptedPost(tenant, channel, now));
    }

    private string NextId() => "1" + Interlocked.Increment(ref _activityIds).ToString("000000000000", CultureInfo.InvariantCulture);

    private static string ChannelOf(string conversation)
    {
        var cut = conversation.IndexOf(";messageid=", StringComparison.Ordinal);
        return cut < 0 ? conversation : conversation[..cut];
    }

    private static Task ThrottledAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = "1";
        return context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = "Throttled", ["message"] = "Too many requests." } }, context.RequestAborted);
    }

    private Task NotFoundAsync(HttpContext context)
    {
        Interlocked.Increment(ref _notFound);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = "NotFound", ["message"] = "No such route." } }, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
