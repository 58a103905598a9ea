using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Tests;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.LoadTest;

/// <summary>
/// The app on real Kestrel (loopback, ephemeral port, its own SQLite file) wired to the test suite's loopback fake
/// of the Bot Connector, its OpenID issuer and Entra ID; plus a watcher that empties the fake's request log.
/// </summary>
public sealed class LoadHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, JsonObject> _cards = new(StringComparer.Ordinal);
    private Task _watcher = Task.CompletedTask;
    private long _replies;
    private long _updates;
    private long _otherCalls;

    private LoadHost(FakeBotFramework fake, StretchBotFactory factory, Uri address)
    {
        Fake = fake;
        Factory = factory;
        Address = address;
    }

    public FakeBotFramework Fake { get; }

    public StretchBotFactory Factory { get; }

    public Uri Address { get; }

    /// <summary>Replies (POST …/activities) the bot sent to the fake connector so far.</summary>
    public long Replies => Interlocked.Read(ref _replies);

    /// <summary>Shared card updates (PUT …/activities/{id}) so far.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    public long OtherCalls => Interlocked.Read(ref _otherCalls);

    public static async Task<LoadHost> StartAsync(bool authentication)
    {
        // WebApplicationFactory finds the app's content root this way when it isn't run from a test project.
        if (Environment.GetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT") is null)
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT", Path.Combine(NodeScript.RepoRoot, "src", "StretchBot"));
        }

        var fake = await FakeBotFramework.StartAsync();
        var factory = new StretchBotFactory();
        fake.Apply(factory);
        if (!authentication)
        {
            // No app id: the endpoint skips the JWT checks (loopback callers only) and sends without a bot token.
            factory.Settings.Remove("Teams:MicrosoftAppId");
            factory.Settings.Remove("Teams:MicrosoftAppPassword");
            factory.Settings.Remove("Teams:MicrosoftAppTenantId");
            factory.Settings.Remove("Teams:MicrosoftAppType");
        }

        // Real time under load: the tests' fake clock would hold every retry delay and shared-card update for ever.
        factory.ServiceChanges.Add(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(TimeProvider.System);
        });

        // Console logging at Information would measure the console, not the bot.
        factory.Settings["Logging:LogLevel:Default"] = "Warning";
        factory.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new LoadHost(fake, factory, new Uri(address));
        host._watcher = host.WatchAsync(host._stopping.Token);
        return host;
    }

    /// <summary>Bearer tokens for the activities' serviceUrl, minted once (each lasts an hour on the app's clock).</summary>
    public string[] Authorizations(int count) =>
        Enumerable.Range(0, count).Select(_ => "Bearer " + Fake.Token(TimeProvider.System.GetUtcNow(), TeamsClient.ServiceUrl)).ToArray();

    /// <summary>
    /// The data of the Done button (Action.Execute, verb "done") on the stretch card the bot posted in reply to
    /// activity <paramref name="replyToId"/>, once that card has reached the fake connector.
    /// </summary>
    public bool TryTakeDoneData(string replyToId, out JsonObject data) => _cards.TryRemove(replyToId, out data!);

    /// <summary>Cards are kept only for replies to activities whose id starts with this (the prepared prompts).</summary>
    public string KeepCardsFor { get; set; } = "prep-";

    /// <summary>Waits until the background work has caught up: at least <paramref name="expected"/> replies, then quiet.</summary>
    public async Task<(TimeSpan Waited, bool CaughtUp)> DrainAsync(long expected, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var last = Replies + Updates;
        var lastChange = started;
        while (true)
        {
            await Task.Delay(100, cancellationToken);
            var now = Replies + Updates;
            if (now != last)
            {
                last = now;
                lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            var quiet = System.Diagnostics.Stopwatch.GetElapsedTime(lastChange);
            if (Replies >= expected && quiet > TimeSpan.FromSeconds(1))
            {
                return (System.Diagnostics.Stopwatch.GetElapsedTime(started) - quiet, true);
            }

            if (quiet > TimeSpan.FromSeconds(10) || System.Diagnostics.Stopwatch.GetElapsedTime(started) > limit)
            {
                return (System.Diagnostics.Stopwatch.GetElapsedTime(started), false);
            }
        }
    }

    /// <summary>The data of the first Action.Execute with verb "done" anywhere in the card.</summary>
    public static JsonObject? FindDone(JsonNode? node) =>
        FindFirst(node, o => (string?)o["type"] == "Action.Execute" && (string?)o["verb"] == "done" && o["data"] is JsonObject)?["data"] as JsonObject;

    /// <summary>The first object, depth first, that <paramref name="match"/> accepts (cards and Block Kit alike).</summary>
    public static JsonObject? FindFirst(JsonNode? node, Func<JsonObject, bool> match)
    {
        switch (node)
        {
            case JsonObject o when match(o):
                return o;
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    if (FindFirst(child, match) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (FindFirst(child, match) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        // The fake keeps every request it got; empty it so a long run doesn't hold hundreds of MB of cards.
        while (!cancellationToken.IsCancellationRequested)
        {
            while (Fake.Requests.TryDequeue(out var request))
            {
                if (request.Method == "POST" && request.Path.Contains("/activities", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _replies);
                    if ((string?)request.Body?["replyToId"] is { } replyTo && replyTo.StartsWith(KeepCardsFor, StringComparison.Ordinal)
                        && request.Body?["attachments"] is JsonArray { Count: > 0 } attachments && FindDone(attachments[0]?["content"]) is { } done)
                    {
                        // A newcomer also gets a welcome card in the same thread; only the stretch card has Done.
                        _cards[replyTo] = done;
                    }
                }
                else if (request.Method == "PUT")
                {
                    Interlocked.Increment(ref _updates);
                }
                else
                {
                    Interlocked.Increment(ref _otherCalls);
                }
            }

            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watcher;
        await Factory.DisposeAsync();
        await Fake.DisposeAsync();
        _stopping.Dispose();
    }
}
