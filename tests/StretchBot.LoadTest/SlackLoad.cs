using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using StretchBot.Channels;
using StretchBot.Channels.Slack;
using StretchBot.Tests.Infrastructure;
using static StretchBot.LoadTest.LoadTool;

namespace StretchBot.LoadTest;

/// <summary>
/// The Slack scenarios (issue 10's benchmark item): signed block_actions Done clicks at /slack/events, the time from
/// send to Slack's 200 acknowledgement, and whether the work after the ack (a response_url post per click, a
/// chat.update per prompt per interval, a stored completion) keeps up.
/// </summary>
public static class SlackLoad
{
    private const double TargetP99Ms = 50;

    private sealed record SlackRun(RunResult Result, long ResponseUrlPosts, long Updates, long Stored, TimeSpan? Drain, TimeSpan? CardsDrain);

    public static async Task<int> RunAsync(LoadOptions options, CancellationToken ct)
    {
        var duration = TimeSpan.FromSeconds(options.Seconds);
        var drainLimit = TimeSpan.FromSeconds(options.DrainSeconds);
        var runs = new List<SlackRun>();
        var notes = new List<string>();
        var exitCode = 0;
        Log($"starting the app on Kestrel (loopback) with SQLite and Slack on (HTTP mode, one workspace, Slack:CallsPerMinutePerWorkspace {options.SlackCallsPerMinute})");
        await using var host = await SlackLoadHost.StartAsync(options.SlackCallsPerMinute);
        Log($"app at {host.Address}, database {host.Factory.DatabasePath}, fake Slack at {host.Fake.BaseAddress}");
        var traffic = new SlackTraffic(options.SlackChannels, options.Users);
        traffic.Register(host.Fake);
        var runner = new LoadRunner(host.Address);

        var prompts = await PrepareAsync(host, runner, traffic, options, ct);
        var clicks = new SlackDoneClicks(traffic, prompts);
        notes.Add(Profile(clicks, prompts.Count));
        Log(notes[^1]);
        var pairSequence = 0L;
        long NextPair() => Interlocked.Increment(ref pairSequence) - 1;

        Log($"warm-up: {options.WarmUp} Done clicks ({prompts.Count} prompts × {options.Users} people = {clicks.Pairs} distinct clicks available)");
        var failed = await runner.WarmUpAsync(clicks, options.WarmUp, 8, NextPair, ct);
        if (failed > 0)
        {
            Log($"warm-up: {failed} Done clicks failed");
        }

        if (options.WarmUpSeconds > 0)
        {
            // As for Teams: the first seconds run unoptimised code while the JIT recompiles on the same two cores.
            var concurrency = options.Concurrency[0];
            Log($"warm-up: Done clicks, {concurrency} workers for {options.WarmUpSeconds} s (not in the table)");
            Print(await runner.RunAsync(clicks, concurrency, TimeSpan.FromSeconds(options.WarmUpSeconds), NextPair, ct));
        }

        var (warmDrain, _) = await DrainAsync(host, drainLimit, ct);
        Log($"warm-up backlog drained in {Seconds(warmDrain)}");

        if (options.Scenarios.Contains("slack"))
        {
            foreach (var concurrency in options.Concurrency)
            {
                var firstBefore = Math.Min(Interlocked.Read(ref pairSequence), clicks.Pairs);
                var (postsBefore, updatesBefore, storedBefore) = (host.ResponseUrlPosts, host.Updates, host.Factory.Count("completions"));
                Log($"Slack Done clicks: {concurrency} workers for {options.Seconds} s");
                var result = await runner.RunAsync(clicks, concurrency, duration, NextPair, ct);
                var postsInRun = host.ResponseUrlPosts - postsBefore;
                Print(result);
                var drainCpu = new CpuMeter();
                var (drain, cardsDrain) = await DrainAsync(host, drainLimit, ct);
                var (drainProcess, drainMachine) = drainCpu.Stop();
                var run = new SlackRun(result, host.ResponseUrlPosts - postsBefore, host.Updates - updatesBefore, host.Factory.Count("completions") - storedBefore, drain, cardsDrain);
                runs.Add(run);
                var firstTime = Math.Min(Interlocked.Read(ref pairSequence), clicks.Pairs) - firstBefore;
                var note = $"Done @{concurrency}: {result.Ok} clicks acknowledged ({firstTime} first-time, the rest repeat clicks); after the ack, "
                    + $"{postsInRun} response_url posts reached the fake during the run and {run.ResponseUrlPosts} after the backlog drained "
                    + $"(BackgroundWork idle {Seconds(drain)} after the load stopped; the last chat.update {Seconds(cardsDrain)} after); "
                    + $"{run.Stored} completions stored ({firstTime - run.Stored} first-time clicks acknowledged but not stored), {run.Updates} chat.update calls; "
                    + string.Create(CultureInfo.InvariantCulture, $"CPU while draining {drainProcess:P0} ({(drainMachine is { } m ? m.ToString("P0", CultureInfo.InvariantCulture) : "?")} machine)");
                Log(note);
                notes.Add(note);
            }
        }

        if (options.Scenarios.Contains("slack-floor"))
        {
            // Same bodies, same signature check and parsing; a type the app acknowledges without queueing anything.
            var floor = new SlackDoneClicks(traffic, prompts, type: "view_closed");
            var floorSequence = 0L;
            foreach (var concurrency in options.Concurrency)
            {
                Log($"protocol floor: {concurrency} workers for {options.Seconds} s");
                var result = await runner.RunAsync(floor, concurrency, duration, () => Interlocked.Increment(ref floorSequence) - 1, ct);
                Print(result);
                runs.Add(new SlackRun(result, 0, 0, 0, null, null));
            }
        }

        // Every distinct click acknowledged 200 should be stored once; a click the queue had no room for is acknowledged but lost.
        var acknowledged = clicks.AcknowledgedPairs();
        var rows = host.Factory.Count("completions");
        var distinct = (long)host.Factory.Rows("SELECT COUNT(*) FROM (SELECT DISTINCT prompt_id, user_id FROM completions)")[0][0]!;
        var check = rows == acknowledged && distinct == rows ? "OK" : "MISMATCH";
        var calls = host.CallCounts;
        var checkNote = $"completions check: {rows} rows ({distinct} distinct prompt/person pairs) for {acknowledged} distinct pairs acknowledged 200: {check}; "
            + "calls the fake Slack received in all: " + string.Join(", ", calls.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"));
        Log(checkNote);
        notes.Add(checkNote);
        if (check != "OK")
        {
            exitCode = 1;
        }

        Console.WriteLine();
        Console.WriteLine(Summary(options, prompts.Count, runs, notes));
        return exitCode;
    }

    /// <summary>
    /// Posts one signed /stretch per prompt and takes each prompt's Done button from the chat.postMessage the bot sent.
    /// Returns (channel index, prompt) pairs in the order they came back.
    /// </summary>
    private static async Task<List<(int Channel, SlackPrompt Prompt)>> PrepareAsync(SlackLoadHost host, LoadRunner runner, SlackTraffic traffic, LoadOptions options, CancellationToken ct)
    {
        Log($"setting up {options.SlackPrompts} prompts with signed /stretch slash commands in {traffic.Channels} channels ({traffic.Channels * traffic.UsersPerChannel} people)");
        var channels = Enumerable.Range(0, traffic.Channels).ToDictionary(SlackTraffic.ChannelId, c => c, StringComparer.Ordinal);
        var sequence = 0L;
        var clock = Stopwatch.StartNew();
        var failed = await runner.WarmUpAsync(new SlackSlashCommands(traffic), options.SlackPrompts, 16, () => Interlocked.Increment(ref sequence) - 1, ct);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of the {options.SlackPrompts} /stretch commands were refused.");
        }

        var prompts = new List<(int, SlackPrompt)>(options.SlackPrompts);
        while (prompts.Count < options.SlackPrompts)
        {
            if (host.TryTakePrompt(out var prompt))
            {
                prompts.Add((channels[prompt.Channel], prompt));
                continue;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(options.DrainSeconds))
            {
                throw new TimeoutException($"Only {prompts.Count} of {options.SlackPrompts} prompts with a Done button (action_id \"done\") reached the fake Slack; "
                    + "calls so far: " + string.Join(", ", host.CallCounts.Select(c => $"{c.Key} {c.Value}")));
            }

            await Task.Delay(20, ct);
        }

        host.CollectPrompts = false;
        await DrainAsync(host, TimeSpan.FromSeconds(options.DrainSeconds), ct);
        Log($"set up {prompts.Count} prompts in {clock.Elapsed.TotalSeconds:F1} s; e.g. Done value {prompts[0].Item2.DoneValue}");
        return prompts;
    }

    /// <summary>
    /// Time until the app's BackgroundWork is idle (every click handled and answered through its response_url), then
    /// until the delayed chat.updates of the prompts' tallies are sent too; null where the limit passed first.
    /// </summary>
    private static async Task<(TimeSpan? Work, TimeSpan? Cards)> DrainAsync(SlackLoadHost host, TimeSpan limit, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        TimeSpan? work = null;
        TimeSpan? cards = null;
        try
        {
            await host.Work.WhenIdleAsync(ct).WaitAsync(limit, ct);
            work = Stopwatch.GetElapsedTime(started);
            await host.SharedCards.WhenIdleAsync(ct).WaitAsync(limit, ct);
            cards = Stopwatch.GetElapsedTime(started);
        }
        catch (TimeoutException)
        {
            // Reported as "not within the limit".
        }

        // The fake's watcher counts calls every 20 ms: let it catch up with the last ones.
        await Task.Delay(100, ct);
        return (work, cards);
    }

    /// <summary>
    /// What the acknowledgement's own steps cost on one thread, for a typical click body: the v0 signature check over
    /// the raw bytes, and reading the form and its payload JSON into a SlackBlockActions (and that read's parts: the
    /// form, parsing the payload JSON, the walk for ill-formed strings). The rest of a request's time is Kestrel, the
    /// endpoint, the queue and waiting for a core.
    /// </summary>
    private static string Profile(SlackDoneClicks clicks, int prompts)
    {
        var body = clicks.Body(0, out var authorization);
        var timestamp = authorization[..authorization.IndexOf(' ', StringComparison.Ordinal)];
        var signature = authorization[(timestamp.Length + 1)..];
        var now = TimeProvider.System.GetUtcNow();
        var payload = Encoding.UTF8.GetBytes(Uri.UnescapeDataString(Encoding.UTF8.GetString(body)["payload=".Length..]));
        var strict = new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false };
        var steps = new (string Name, Action Step)[]
        {
            ("signature check", () =>
            {
                if (SlackSignature.Check(FakeSlack.SigningSecret, timestamp, signature, body, now) is { } failure)
                {
                    throw new InvalidOperationException(failure);
                }
            }),
            ("SlackInbound.Read (all of the parts below)", () =>
            {
                if (SlackInbound.Read("application/x-www-form-urlencoded", body, out var error) is not SlackBlockActions)
                {
                    throw new InvalidOperationException(error ?? "not a block_actions");
                }
            }),
            ("form (FormReader)", () => new FormReader(Encoding.UTF8.GetString(body)) { ValueCountLimit = 64, KeyLengthLimit = 64, ValueLengthLimit = 1024 * 1024 }.ReadForm()),
            ("payload JSON (JsonNode.Parse, duplicates refused)", () => JsonNode.Parse(payload, documentOptions: strict)),
            ("payload JSON (JsonNode.Parse, duplicates allowed)", () => JsonNode.Parse(payload)),
            ("walk for ill-formed strings", () => ActivityBody.FirstIllFormedString(JsonNode.Parse(payload))),
        };
        var costs = new List<string>();
        foreach (var (name, step) in steps)
        {
            for (var i = 0; i < 500; i++)
            {
                step();
            }

            const int n = 3_000;
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                step();
            }

            costs.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {(Stopwatch.GetElapsedTime(t0) / n).TotalMicroseconds:F1} µs"));
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"ack steps on one thread, for a {body.Length}-byte click (avg {clicks.AverageBodyBytes} over {prompts} prompts): ") + string.Join("; ", costs)
            + " (the walk's figure includes a parse)";
    }

    private static string Seconds(TimeSpan? t) => t is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.TotalSeconds:F1} s") : "not within --drain-seconds";

    private static string Summary(LoadOptions options, int prompts, List<SlackRun> runs, List<string> notes)
    {
        var s = new StringBuilder();
        s.AppendLine("## StretchBot /slack/events load test: signed block_actions Done clicks");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        s.AppendLine(CultureInfo.InvariantCulture, $"- App: real Kestrel on loopback, HTTP/1.1, SQLite (WAL) temp file, Slack in HTTP mode (v0 signature checked on every request), one workspace, Slack:CallsPerMinutePerWorkspace {options.SlackCallsPerMinute}, logging at Warning");
        s.AppendLine("- Load generator: closed loop in the same process, sharing the same cores with the app and the fake Slack (which receives and parses every "
            + "response_url post and chat.update the bot sends); each request signed when it is built; HttpClient/SocketsHttpHandler, one connection per worker");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Traffic: {prompts} prompts (/stretch) in {options.SlackChannels} channels, {options.Users} people per channel; {options.Seconds} s per run after {options.WarmUp} warm-up clicks{(options.WarmUpSeconds > 0 ? $" and {options.WarmUpSeconds} s of warm-up clicks" : "")}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Ack time: from sending the request to having read Slack's 200 in full. Target: p99 < {TargetP99Ms:F0} ms");
        s.AppendLine();
        s.AppendLine("| Scenario | Concurrency | Duration (s) | Requests | Requests/s | p50 (ms) | p90 (ms) | p99 (ms) | Max (ms) | Errors | CPU: process (machine) | response_url posts | chat.update | Stored | Backlog drained after (s) | Target |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|");
        foreach (var run in runs)
        {
            var r = run.Result;
            var isDone = r.Scenario == "Slack Done clicks";
            var target = isDone ? (r.P99Ms < TargetP99Ms && r.ErrorCount == 0 ? "met" : "missed") : string.Empty;
            var drain = !isDone ? string.Empty : run.Drain is { } d ? d.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "> limit";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Concurrency} | {r.Elapsed.TotalSeconds:F1} | {r.Requests} | {r.RequestsPerSecond:F0} | {r.P50Ms:F2} | {r.P90Ms:F2} | {r.P99Ms:F2} | {r.MaxMs:F1} | {r.ErrorText} | {r.CpuText} | "
                + $"{(isDone ? run.ResponseUrlPosts : "")} | {(isDone ? run.Updates : "")} | {(isDone ? run.Stored : "")} | {drain} | {target} |");
        }

        s.AppendLine();
        foreach (var note in notes)
        {
            s.AppendLine("- " + note);
        }

        return s.ToString();
    }
}
