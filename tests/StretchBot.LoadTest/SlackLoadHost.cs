using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Channels;
using StretchBot.Delivery;
using StretchBot.Tests;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.LoadTest;

/// <summary>A stretch prompt posted in a Slack channel (chat.postMessage), with its Done button's value as sent.</summary>
public sealed record SlackPrompt(string Channel, string PromptId, string DoneValue, JsonArray Blocks, string Text);

/// <summary>
/// The app on real Kestrel (loopback, ephemeral port, its own SQLite file) with Slack on in HTTP mode for one
/// workspace (Slack:SigningSecret, Slack:BotToken), its Web API and response_urls answered by the test suite's loopback
/// <see cref="FakeSlack"/>; plus a watcher that empties the fake's call log, counting the calls by kind.
/// </summary>
public sealed class SlackLoadHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<SlackPrompt> _prompts = new();
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private Task _watcher = Task.CompletedTask;

    private SlackLoadHost(FakeSlack fake, StretchBotFactory factory, Uri address)
    {
        Fake = fake;
        Factory = factory;
        Address = address;
    }

    public FakeSlack Fake { get; }

    public StretchBotFactory Factory { get; }

    public Uri Address { get; }

    /// <summary>Posts to response_urls (hooks.slack.com): each click's answer to the person who clicked.</summary>
    public long ResponseUrlPosts => Calls("response_url");

    /// <summary>chat.update calls: a prompt's tally, at most one per message per Slack:MessageUpdateInterval.</summary>
    public long Updates => Calls("chat.update");

    public long PostMessages => Calls("chat.postMessage");

    public long UsersInfo => Calls("users.info");

    /// <summary>Every call the fake got so far, by kind ("response_url" or the Web API method).</summary>
    public IReadOnlyDictionary<string, long> CallCounts => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    /// <summary>Prompts (chat.postMessage with a Done button) are collected while this is on: during the set-up only.</summary>
    public bool CollectPrompts { get; set; } = true;

    public BackgroundWork Work => Factory.Services.GetRequiredService<BackgroundWork>();

    public SharedCardUpdates SharedCards => Factory.Services.GetRequiredService<SharedCardUpdates>();

    /// <param name="callsPerMinute">Slack:CallsPerMinutePerWorkspace, the app's gate on one workspace's Web API calls and response_url posts.</param>
    public static async Task<SlackLoadHost> StartAsync(int callsPerMinute)
    {
        // WebApplicationFactory finds the app's content root this way when it isn't run from a test project.
        if (Environment.GetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT") is null)
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT", Path.Combine(NodeScript.RepoRoot, "src", "StretchBot"));
        }

        var fake = await FakeSlack.StartAsync();
        var factory = new StretchBotFactory();
        fake.Apply(factory);
        factory.Settings["Slack:CallsPerMinutePerWorkspace"] = callsPerMinute.ToString(CultureInfo.InvariantCulture);

        // Real time under load: the tests' fake clock would hold every retry delay and chat.update interval for ever,
        // and the signature check compares the requests' timestamps with the app's clock.
        factory.ServiceChanges.Add(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(TimeProvider.System);
        });

        // Console logging at Information would measure the console, not the bot.
        factory.Settings["Logging:LogLevel:Default"] = "Warning";
        factory.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        // Starting the app runs auth.test for the bot token, so the workspace is known before the first request.
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new SlackLoadHost(fake, factory, new Uri(address));
        host._watcher = host.WatchAsync(host._stopping.Token);
        return host;
    }

    public long Calls(string kind) => _calls.GetValueOrDefault(kind);

    public bool TryTakePrompt(out SlackPrompt prompt) => _prompts.TryDequeue(out prompt!);

    /// <summary>The value of the first element with action_id "done" anywhere in the blocks (section accessory or actions element).</summary>
    public static string? FindDoneValue(JsonNode? node) =>
        (string?)LoadHost.FindFirst(node, o => (string?)o["action_id"] == "done" && o["value"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)?["value"];

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        // The fake keeps every call it got; empty it so a long run doesn't hold hundreds of MB of messages.
        while (!cancellationToken.IsCancellationRequested)
        {
            while (Fake.Calls.TryDequeue(out var call))
            {
                var kind = call.IsResponseUrl ? "response_url" : call.Method;
                _calls.AddOrUpdate(kind, 1, (_, n) => n + 1);
                if (CollectPrompts && kind == "chat.postMessage" && call.Json?["blocks"] is JsonArray blocks
                    && FindDoneValue(blocks) is { } value && JsonNode.Parse(value) is JsonObject data && (string?)data["p"] is { } promptId)
                {
                    _prompts.Enqueue(new SlackPrompt(call["channel"]!, promptId, value, blocks, call["text"] ?? string.Empty));
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
