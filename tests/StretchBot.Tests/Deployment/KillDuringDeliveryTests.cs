using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using StretchBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StretchBot.Tests.Deployment;

/// <summary>
/// The published app killed (SIGKILL) in the middle of delivering 200 nudges, against the fake Bot Connector on real
/// loopback: after a restart every nudge is delivered, and only sends that were on the wire at the kill went twice.
/// </summary>
public sealed partial class KillDuringDeliveryTests(PublishedApp app, ITestOutputHelper output) : IClassFixture<PublishedApp>
{
    private const int Nudges = 200;
    private const int Concurrency = 8;
    private const string BotId = "28:stretchbot";

    [Fact]
    public async Task KilledWith200NudgesPendingEveryOneIsDeliveredAfterARestartAndOnlyThoseInFlightAtTheKillTwice()
    {
        await using var fake = await FakeBotFramework.StartAsync();
        var serviceUrl = new Uri(fake.BaseAddress, "amer/").ToString();
        var folder = Path.Combine(app.Root, "kill-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "bot.db");
        string[] settings = [$"--Storage:SqlitePath={database}", $"--Scheduling:MaxConcurrentDeliveries={Concurrency}"];

        // The connector answers each stretch card with an id of its own, slowly while the test means to kill mid-way.
        var answered = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var slow = 1;
        var ids = 0;
        fake.Responder = request =>
        {
            if (request.Method != "POST" || !request.HasSummary("Stretch:") || PromptOf(request) is not { } prompt)
            {
                return null;
            }

            var id = "m-" + Interlocked.Increment(ref ids).ToString(CultureInfo.InvariantCulture);
            answered.GetOrAdd(prompt, _ => []).Add(id);
            return new FakeReply(201, new JsonObject { ["id"] = id }.ToJsonString(), Hang: Volatile.Read(ref slow) == 1 ? TimeSpan.FromMilliseconds(100) : null);
        };

        // 200 people install the bot in their 1:1 chats, in five tenants, through /api/messages (each gets a welcome).
        await using (var first = await PublishedAppProcess.StartAsync(app, app.NewWorkingDirectory(), settings))
        {
            using var http = first.CreateClient();
            for (var i = 0; i < Nudges; i++)
            {
                using var response = await http.PostAsync("/api/messages", new StringContent(Install(i, serviceUrl).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
                Assert.True(response.IsSuccessStatusCode, $"install {i}: {(int)response.StatusCode}\n{first.Output}");
            }

            await fake.WaitForAsync(r => r.Method == "POST" && !r.HasSummary("Stretch:"), Nudges);
        }

        // 200 nudges due now, recorded pending with their prompts as the nudge service records a schedule's fire.
        var prompts = Seed(database, Nudges);

        // Killed once 60 cards are out: the rest pending, up to the concurrency of them on the wire.
        await using (var second = await PublishedAppProcess.StartAsync(app, app.NewWorkingDirectory(), settings))
        {
            await fake.WaitForAsync(r => r.HasSummary("Stretch:"), 60);
        }

        var atKill = Rows(database, "SELECT prompt_id, status, attempts FROM deliveries");
        var inFlight = atKill.Where(r => (string)r[1]! == "pending" && (long)r[2]! > 0).Select(r => (string)r[0]!).ToHashSet();
        var pendingAtKill = atKill.Count(r => (string)r[1]! == "pending");
        Assert.InRange(pendingAtKill, 1, Nudges - 1);
        Assert.InRange(inFlight.Count, 0, Concurrency);

        Volatile.Write(ref slow, 0);
        await using (var third = await PublishedAppProcess.StartAsync(app, app.NewWorkingDirectory(), settings))
        {
            // Another process's durable state is the only signal there is: read it until nothing is pending.
            var deadline = Task.Delay(TimeSpan.FromSeconds(60));
            while (Rows(database, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")[0][0] is long and > 0)
            {
                Assert.False(deadline.IsCompleted, $"nudges still pending after the restart\n{third.Output}");
                await Task.Delay(100);
            }
        }

        var posts = fake.Requests.Where(r => r.HasSummary("Stretch:")).GroupBy(r => PromptOf(r)!).ToDictionary(g => g.Key, g => g.Count());
        var twice = posts.Where(p => p.Value > 1).Select(p => p.Key).ToList();
        output.WriteLine($"{Nudges} nudges; {Nudges - pendingAtKill} sent before the kill, {pendingAtKill} pending at the kill, {inFlight.Count} of them on the wire; " +
            $"{posts.Values.Sum()} cards posted in all, {twice.Count} nudge(s) posted twice.");

        // Every nudge delivered, and recorded sent with an id the connector gave for that very nudge.
        var rows = Rows(database, "SELECT prompt_id, status, message_id FROM deliveries");
        Assert.Equal(Nudges, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal("sent", row[1]);
            Assert.Contains((string)row[2]!, answered[(string)row[0]!]);
        });
        Assert.Equal(prompts.Order(), posts.Keys.Order());
        // Twice only what was on the wire when the process died: at most the pipeline's concurrency.
        Assert.All(twice, prompt => Assert.Contains(prompt, inFlight));
        Assert.All(twice, prompt => Assert.Equal(2, posts[prompt]));
        Assert.InRange(twice.Count, 0, Concurrency);
    }

    private static JsonObject Install(int i, string serviceUrl) => new()
    {
        ["type"] = "conversationUpdate",
        ["id"] = $"f:install-{i}",
        ["timestamp"] = "2026-11-18T10:00:00.000Z",
        ["channelId"] = "msteams",
        ["serviceUrl"] = serviceUrl,
        ["from"] = new JsonObject { ["id"] = $"29:person-{i:000}", ["aadObjectId"] = $"aad-{i:000}" },
        ["recipient"] = new JsonObject { ["id"] = BotId, ["name"] = "StretchBot" },
        ["conversation"] = new JsonObject { ["conversationType"] = "personal", ["id"] = $"a:chat-{i:000}", ["tenantId"] = Tenant(i) },
        ["membersAdded"] = new JsonArray(new JsonObject { ["id"] = BotId }),
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = Tenant(i) } },
    };

    private static string Tenant(int i) => $"00000000-0000-0000-0000-00000000000{i % 5}";

    /// <summary>The rows the nudge service writes for a fire time: a scheduled prompt and a pending delivery, due now.</summary>
    private static List<string> Seed(string database, int count)
    {
        var clock = TimeProvider.System.GetUtcNow();
        var now = clock.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        // Each nudge is its own schedule's time this minute: delivery checks, at the instant of posting, that the
        // schedule still has that time (and isn't paused, stopped or on holiday).
        var minute = new DateTimeOffset(clock.Year, clock.Month, clock.Day, clock.Hour, clock.Minute, 0, TimeSpan.Zero);
        var fireTime = minute.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var spec = "mon tue wed thu fri sat sun " + minute.ToString("HH:mm", CultureInfo.InvariantCulture);
        var prompts = new List<string>();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        for (var i = 0; i < count; i++)
        {
            var prompt = "p_" + Guid.NewGuid().ToString("N");
            prompts.Add(prompt);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO prompts (id, tenant_id, channel_id, conversation_id, stretch_id, kind, requested_by, created_at)
                VALUES ($prompt, $tenant, 'msteams', $conversation, 'back-twist', 'scheduled', NULL, $now);
                INSERT INTO schedules (id, tenant_id, channel_id, conversation_id, spec, time_zone, created_at, updated_at)
                VALUES ($source, $tenant, 'msteams', $conversation, $spec, 'UTC', $now, $now);
                INSERT INTO deliveries (source, fire_time, kind, tenant_id, channel_id, conversation_id, prompt_id, due_at, status, attempts, created_at, updated_at)
                VALUES ($source, $fireTime, 'scheduled', $tenant, 'msteams', $conversation, $prompt, $now, 'pending', 0, $now, $now);
                """;
            command.Parameters.AddWithValue("$prompt", prompt);
            command.Parameters.AddWithValue("$tenant", Tenant(i));
            command.Parameters.AddWithValue("$conversation", $"a:chat-{i:000}");
            command.Parameters.AddWithValue("$source", $"s_kill{i:000}");
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$fireTime", fireTime);
            command.Parameters.AddWithValue("$spec", spec);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return prompts;
    }

    private static List<object?[]> Rows(string database, string sql) => StretchBotFactory.Rows(database, sql);

    private static string? PromptOf(ConnectorRequest request) =>
        request.Body is { } body && PromptId().Match(body.ToJsonString()) is { Success: true } match ? match.Value : null;

    [GeneratedRegex("p_[0-9a-f]{32}")]
    private static partial Regex PromptId();
}
