using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace StretchBot.FanoutBench;

/// <summary>
/// Fires posts at the fake connector faster than Teams allows and checks it answers as specified: 429 with
/// Retry-After: 1 beyond each window, refusals not counting against the windows, other routes 404.
/// </summary>
public static class SelfCheck
{
    public static async Task<IReadOnlyList<string>> RunAsync(FakeConnector fake, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var problems = new List<string>();
        var lines = new List<string>();

        async Task<(HttpStatusCode Status, string? RetryAfter)> PostAsync(int tenant, string conversation)
        {
            using var response = await http.PostAsync(
                new Uri(fake.ServiceUrl(tenant) + $"v3/conversations/{Uri.EscapeDataString(conversation)}/activities"),
                new StringContent("""{"type":"message","text":"self-check"}""", Encoding.UTF8, "application/json"), cancellationToken);
            return (response.StatusCode, response.Headers.TryGetValues("Retry-After", out var values) ? values.First() : null);
        }

        async Task<(int Accepted, int Throttled, int Other, double Seconds)> BurstAsync(int tenant, int count, Func<int, string> conversation)
        {
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => PostAsync(tenant, conversation(i))));
            var seconds = clock.Elapsed.TotalSeconds;
            var throttled = results.Count(r => r.Status == HttpStatusCode.TooManyRequests);
            if (results.Any(r => r.Status == HttpStatusCode.TooManyRequests && r.RetryAfter != "1"))
            {
                problems.Add("a 429 came without Retry-After: 1");
            }

            return (results.Count(r => r.Status == HttpStatusCode.Created), throttled, results.Count(r => r.Status is not (HttpStatusCode.Created or HttpStatusCode.TooManyRequests)), seconds);
        }

        // Warm the connections so the bursts below land inside one second even on a busy machine.
        await BurstAsync(90, 64, i => $"19:warm-{i}@thread.tacv2");
        await Task.Delay(TimeSpan.FromSeconds(1.1), cancellationToken);

        // 1. One conversation, 200 posts at once: 7 in the first second (8 if the burst spilled past 1 s).
        var one = await BurstAsync(1, 200, _ => "19:one@thread.tacv2");
        var oneExpected = one.Seconds < 1 ? "7" : "7..8";
        if (one.Seconds < 1 ? one.Accepted != 7 : one.Accepted is < 7 or > 8)
        {
            problems.Add($"one conversation: {one.Accepted} accepted, expected {oneExpected}");
        }

        lines.Add($"200 posts to one conversation in {one.Seconds:F2} s: {one.Accepted} accepted (expected {oneExpected}), {one.Throttled} × 429, {one.Other} other");

        // 2. One tenant, 200 posts to 200 conversations at once: 50 per second.
        var tenant = await BurstAsync(2, 200, i => $"19:fan-{i}@thread.tacv2");
        if (tenant.Seconds < 1 ? tenant.Accepted != 50 : tenant.Accepted is < 50 or > 100)
        {
            problems.Add($"one tenant: {tenant.Accepted} accepted, expected 50");
        }

        lines.Add($"200 posts to 200 conversations of one tenant in {tenant.Seconds:F2} s: {tenant.Accepted} accepted (expected 50), {tenant.Throttled} × 429, {tenant.Other} other");

        // 3. A second later the tenant's window is empty again: the 150 refusals did not count.
        await Task.Delay(TimeSpan.FromSeconds(1.1), cancellationToken);
        var after = await BurstAsync(2, 50, i => $"19:after-{i}@thread.tacv2");
        if (after.Accepted != 50)
        {
            problems.Add($"after the window: {after.Accepted} of 50 accepted");
        }

        lines.Add($"1.1 s later, 50 posts to new conversations of that tenant: {after.Accepted} accepted (expected 50: refusals don't count)");

        // 4. 8 per 2 s: 7 now, then a second later only one more.
        await BurstAsync(3, 7, _ => "19:two-second@thread.tacv2");
        await Task.Delay(TimeSpan.FromSeconds(1.05), cancellationToken);
        var eighth = await BurstAsync(3, 4, _ => "19:two-second@thread.tacv2");
        if (eighth.Accepted != 1)
        {
            problems.Add($"8 per 2 s: {eighth.Accepted} of 4 accepted a second after 7, expected 1");
        }

        lines.Add($"7 posts to one conversation, 1.05 s later 4 more: {eighth.Accepted} accepted (expected 1: 8 per 2 s)");

        // 5. The other routes.
        using (var created = await http.PostAsJsonAsync(new Uri(fake.ServiceUrl(4) + "v3/conversations"), new JsonObject
        {
            ["isGroup"] = true,
            ["channelData"] = new JsonObject { ["channel"] = new JsonObject { ["id"] = "19:root@thread.tacv2" } },
            ["activity"] = new JsonObject { ["type"] = "message" },
        }, cancellationToken))
        {
            var body = await created.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            if (created.StatusCode != HttpStatusCode.Created || !((string?)body?["id"] ?? string.Empty).StartsWith("19:root@thread.tacv2;messageid=", StringComparison.Ordinal))
            {
                problems.Add($"create conversation: {(int)created.StatusCode} {body?.ToJsonString()}");
            }
        }

        using (var put = await http.PutAsync(new Uri(fake.ServiceUrl(4) + "v3/conversations/19%3Aput%40thread.tacv2/activities/123"), new StringContent("{}", Encoding.UTF8, "application/json"), cancellationToken))
        using (var get = await http.GetAsync(new Uri(fake.ServiceUrl(4) + "v3/conversations/19%3Aput%40thread.tacv2/pagedmembers"), cancellationToken))
        using (var stranger = await http.PostAsync(new Uri(fake.BaseAddress, "v3/conversations/x/activities"), new StringContent("{}", Encoding.UTF8, "application/json"), cancellationToken))
        {
            if (put.StatusCode != HttpStatusCode.OK || get.StatusCode != HttpStatusCode.NotFound || stranger.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"routes: PUT {(int)put.StatusCode} (200), GET {(int)get.StatusCode} (404), no tenant {(int)stranger.StatusCode} (404)");
            }
        }

        lines.Add("POST v3/conversations 201 with the thread id, PUT 200, GET and a path without a tenant 404");

        // 6. What the fake recorded obeys the windows it enforces.
        if (Audit(fake) is { } audit)
        {
            problems.Add(audit);
        }

        lines.Add(problems.Count == 0 ? "self-check OK" : "self-check FAILED: " + string.Join("; ", problems));
        return lines;
    }

    /// <summary>Null when no tenant's and no conversation's accepted posts break a window; else the first breach.</summary>
    public static string? Audit(FakeConnector fake)
    {
        var posts = fake.Accepted.ToList();
        foreach (var (key, times, limits) in posts.GroupBy(p => p.Tenant).Select(g => ($"tenant {g.Key}", g.Select(p => p.At).Order().ToArray(), (IReadOnlyList<WindowLimit>)FakeConnector.TenantLimits))
            .Concat(posts.GroupBy(p => p.Conversation).Select(g => ($"conversation {g.Key}", g.Select(p => p.At).Order().ToArray(), (IReadOnlyList<WindowLimit>)FakeConnector.ConversationLimits))))
        {
            foreach (var limit in limits)
            {
                var window = (long)(limit.Window.TotalSeconds * Stopwatch.Frequency);
                for (var k = limit.Count; k < times.Length; k++)
                {
                    if (times[k] - times[k - limit.Count] < window)
                    {
                        return $"{key}: {limit.Count + 1} posts within {limit}";
                    }
                }
            }
        }

        return null;
    }
}
