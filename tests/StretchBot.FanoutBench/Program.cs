using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StretchBot.Channels.Teams;
using StretchBot.Installs;
using StretchBot.Scheduling;

namespace StretchBot.FanoutBench;

/// <summary>
/// Fan-out benchmark (issue 9): N Teams channels in T tenants, each with its own schedule, all due at the same
/// whole minute; the app on real Kestrel and SQLite posts every card to a fake Bot Connector that enforces Teams'
/// limits. Run by hand: <c>dotnet run -c Release --project tests/StretchBot.FanoutBench -- [--quartz-only]</c>.
/// </summary>
public static class FanoutBench
{
    private static readonly DayOfWeek[] EveryDay = Enum.GetValues<DayOfWeek>();

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var ct = cancel.Token;

        await using var fake = await FakeConnector.StartAsync();
        Log($"fake Bot Connector at {fake.BaseAddress} (tenant t01 at {fake.ServiceUrl(1)}); limits per conversation {string.Join(", ", FakeConnector.ConversationLimits)}, per tenant {string.Join(", ", FakeConnector.TenantLimits)}");
        if (options.SelfCheck || options.SelfCheckOnly)
        {
            var lines = await SelfCheck.RunAsync(fake, ct);
            foreach (var line in lines)
            {
                Log("self-check: " + line);
            }

            if (!lines[^1].EndsWith("OK", StringComparison.Ordinal))
            {
                return 1;
            }

            fake.Reset();
            if (options.SelfCheckOnly)
            {
                return 0;
            }
        }

        var meter = new FiringMeter();
        Log($"starting the app on Kestrel (loopback) with SQLite; {(options.QuartzOnly ? "QUARTZ ONLY: INudgeFiring replaced by a counting no-op" : options.StandIn ? $"STAND-IN: INudgeFiring replaced by a queue and {options.StandInWorkers} workers posting through the app's outbound path" : "the app's INudgeFiring, timed")}; Quartz properties: {(options.Quartz.Count == 0 ? "the app's" : string.Join(", ", options.Quartz.Select(p => $"{p.Key}={p.Value}")))}; {Resources.Load()}");
        await using var host = BenchHost.Start(options, meter);
        if (!options.QuartzOnly && !host.AppHasFiring)
        {
            Log("the app registers no INudgeFiring: a firing trigger posts nothing yet (the nudge service isn't in this build). Run with --quartz-only.");
            return 2;
        }

        var services = host.Factory.Services;
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(ct);
        var now = TimeProvider.System.GetUtcNow();
        var nowTimestamp = Stopwatch.GetTimestamp();
        var due = RoundUpToMinute(now + TimeSpan.FromSeconds(options.LeadSeconds));
        var dueTimestamp = nowTimestamp + (long)((due - now).TotalSeconds * Stopwatch.Frequency);
        var metadata = await scheduler.GetMetadata(ct);
        Log($"app at {host.Address}, database {host.Factory.DatabasePath}; Quartz {metadata.Version}, {metadata.JobStoreTypeName}, thread pool {metadata.ThreadPoolSize}; due at {due:HH:mm:ss} UTC ({(due - now).TotalSeconds:F0} s from now)");

        // Setup: the channels' installs and schedules, through the app's own stores and its Quartz scheduler.
        var channels = Enumerable.Range(0, options.Channels)
            .Select(i => (Tenant: i % options.Tenants + 1, Conversation: $"19:fanout-{i % options.Tenants + 1:00}-{i:00000}@thread.tacv2"))
            .ToArray();
        var setupLoad = Resources.Load();
        var installTime = TimeSpan.Zero;
        if (!options.QuartzOnly)
        {
            var installs = services.GetRequiredService<InstallStore>();
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(channels, new ParallelOptions { MaxDegreeOfParallelism = options.SetupWorkers, CancellationToken = ct }, async (channel, token) =>
            {
                var reference = new TeamsReference(fake.ServiceUrl(channel.Tenant), channel.Conversation, "28:stretchbot-bench", "StretchBot").Serialize();
                await installs.UpsertAsync(new Install(TenantId(channel.Tenant), "msteams", channel.Conversation, "channel",
                    $"19:team-{channel.Tenant:00}@thread.tacv2", "Fan-out team", channel.Conversation, reference, "29:bench-installer"), token);
            });
            installTime = clock.Elapsed;
            Log($"setup: {channels.Length} installs in {installTime.TotalSeconds:F1} s ({channels.Length / installTime.TotalSeconds:F0}/s); {Resources.Load()}");
        }

        var store = services.GetRequiredService<ScheduleStore>();
        var scheduleService = services.GetRequiredService<ScheduleService>();
        var time = TimeOnly.FromTimeSpan(due.UtcDateTime.TimeOfDay);
        var specText = $"mon tue wed thu fri sat sun {time:HH\\:mm}";
        if (ScheduleText.ParseStored(specText) is null)
        {
            Log($"the app can't read the schedule text \"{specText}\"");
            return 2;
        }

        var spec = ScheduleSpec.At(EveryDay, [time], "UTC");
        var scheduleClock = Stopwatch.StartNew();
        var made = 0;
        var ids = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // ScheduleService (the path of a `schedule` command: stored, then the job replaced) takes one change at a time;
        // --direct-setup stores and schedules with parallel writers, for a faster setup.
        await Parallel.ForEachAsync(channels, new ParallelOptions { MaxDegreeOfParallelism = options.DirectSetup || options.Burst ? options.SetupWorkers : 1, CancellationToken = ct }, async (channel, token) =>
        {
            if (options.Burst)
            {
                // No Quartz job: at the due instant the bench hands every schedule to INudgeFiring itself.
                var saved = await store.SaveAsync(new Schedule(ScheduleStore.NewId(), TenantId(channel.Tenant), "msteams", channel.Conversation, string.Empty,
                    specText, "UTC", null, "desk", 0, null, null, null, null, "29:bench-installer", []), token)
                    ?? throw new InvalidOperationException("A fresh schedule row met a concurrent change.");
                ids.Enqueue(saved.Id);
            }
            else if (options.DirectSetup)
            {
                var saved = await store.SaveAsync(new Schedule(ScheduleStore.NewId(), TenantId(channel.Tenant), "msteams", channel.Conversation, string.Empty,
                    specText, "UTC", null, "desk", 0, null, null, null, null, "29:bench-installer", []), token)
                    ?? throw new InvalidOperationException("A fresh schedule row met a concurrent change.");
                var triggers = ScheduleTriggers.Build(spec, saved.Id, NudgeJob.KeyFor(saved.Id), TimeProvider.System);
                await scheduler.ScheduleJob(NudgeJob.For(saved.Id), triggers, ScheduleJobOptions.Replacing, token);
            }
            else
            {
                await scheduleService.ChangeAsync(TenantId(channel.Tenant), "msteams", channel.Conversation, string.Empty,
                    s => s with { Spec = specText, TimeZone = "UTC", SetBy = "29:bench-installer" }, token);
            }

            if (Interlocked.Increment(ref made) % 2000 == 0)
            {
                Log($"setup: {made} schedules ({scheduleClock.Elapsed.TotalSeconds:F1} s)");
            }
        });
        var scheduleTime = scheduleClock.Elapsed;
        Log($"setup: {channels.Length} schedules \"{specText}\" UTC in {scheduleTime.TotalSeconds:F1} s ({channels.Length / scheduleTime.TotalSeconds:F0}/s); {Resources.Load()}");
        var margin = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueTimestamp);
        var prepareAhead = options.Burst ? TimeSpan.Zero : services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StretchBot.Scheduling.SchedulingOptions>>().Value.PrepareAhead;
        if (margin < prepareAhead + TimeSpan.FromSeconds(3))
        {
            Log($"setup ended {(prepareAhead - margin).TotalSeconds:F1} s after the triggers began to fire ({prepareAhead.TotalSeconds:F0} s before the due instant), or too close to it: run again with a larger --lead-seconds.");
            return 2;
        }

        var warmUp = options.WarmUp && !options.QuartzOnly && !options.StandIn
            ? await WarmUpAsync(services, fake, due - TimeSpan.FromMinutes(1), ct)
            : "none (--no-warm-up, --quartz-only or --stand-in)";
        Log($"warm-up: {warmUp}; waiting {Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueTimestamp).TotalSeconds:F0} s for {due:HH:mm:ss} UTC");
        // The app's Quartz runs Scheduling:PrepareAhead early (its own clock is that much ahead): the figures start when
        // the first trigger fires or just before the due instant, whichever comes first. The posts go at the instant.
        while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueTimestamp) > TimeSpan.FromSeconds(2) && meter.Fired == 0)
        {
            await Task.Delay(50, ct);
        }

        var resources = Resources.Start();
        if (options.Burst)
        {
            // Quartz taken out: every schedule's nudge handed over at the due instant, as if all triggers fired at once.
            var firing = services.GetRequiredService<INudgeFiring>();
            while (Stopwatch.GetTimestamp() < dueTimestamp)
            {
                await Task.Yield();
            }

            // As many at once as a large Quartz thread pool would run.
            _ = Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, (id, token) => new ValueTask(firing.FireAsync(id, due, token)));
        }

        string? dueLoad = null;
        var target = options.Channels;
        int Progress() => options.QuartzOnly ? meter.Fired : fake.ChannelsReached;
        var lastProgress = -1;
        var lastChange = Stopwatch.GetTimestamp();
        var lastLog = Stopwatch.GetTimestamp();
        while (Progress() < target)
        {
            await Task.Delay(20, ct);
            var progress = Progress();
            var nowTs = Stopwatch.GetTimestamp();
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastChange = nowTs;
            }

            var sinceDue = Seconds(nowTs - dueTimestamp);
            if (dueLoad is null && sinceDue >= 0)
            {
                dueLoad = Resources.Load();
            }
            if (Stopwatch.GetElapsedTime(lastLog) > TimeSpan.FromSeconds(5) && (sinceDue > 0 || progress > 0))
            {
                lastLog = nowTs;
                Log($"+{sinceDue:F1} s: fired {meter.Fired}, finished {meter.Finished}, channels reached {fake.ChannelsReached}, sends {fake.Sends}, 429 {fake.Throttled}; {Resources.Load()}");
            }

            if (sinceDue > options.TimeoutSeconds || (sinceDue > 30 && Stopwatch.GetElapsedTime(lastChange) > TimeSpan.FromSeconds(30)))
            {
                Log($"stopped waiting at +{sinceDue:F1} s: {progress} of {target} ({(sinceDue > options.TimeoutSeconds ? "timeout" : "no progress for 30 s")})");
                break;
            }
        }

        var doneTimestamp = Stopwatch.GetTimestamp();
        var endLoad = Resources.Load();
        var figures = await resources.StopAsync();
        if (!options.QuartzOnly)
        {
            // Stragglers and duplicates: anything posted a little after the last channel was reached still counts.
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
        }

        var standInFailed = options.StandIn ? services.GetRequiredService<StandInFiring>().Failed : 0;
        if (!options.QuartzOnly && !options.StandIn)
        {
            // The app's own record of the nudges: one row per schedule and fire time, by status and reason.
            foreach (var row in host.Factory.Rows($"SELECT status, COALESCE(reason, ''), COUNT(*), MIN(created_at), MAX(created_at), MAX(updated_at), SUM(attempts) FROM deliveries WHERE tenant_id NOT LIKE '{WarmUpTenantPrefix}%' GROUP BY status, reason ORDER BY status;"))
            {
                Log($"deliveries: {row[0]} {row[1]}: {row[2]} (created {row[3]} … {row[4]}, last updated {row[5]}, attempts {row[6]})");
            }
        }

        var report = Report(options, standInFailed, fake, meter, channels, dueTimestamp, doneTimestamp, due, installTime, scheduleTime, setupLoad, dueLoad ?? endLoad, endLoad, figures, resources.PeakReset, warmUp);
        Console.WriteLine();
        Console.WriteLine(report.Text);
        return report.Ok ? 0 : 1;
    }

    private static (string Text, bool Ok) Report(
        BenchOptions options, long standInFailed, FakeConnector fake, FiringMeter meter, (int Tenant, string Conversation)[] channels, long dueTimestamp, long doneTimestamp,
        DateTimeOffset due, TimeSpan installTime, TimeSpan scheduleTime, string setupLoad, string dueLoad, string endLoad, Resources.Figures figures, bool peakReset, string warmUp)
    {
        var text = new StringBuilder();
        var ok = true;
        void Row(string name, string value) => text.AppendLine(CultureInfo.InvariantCulture, $"| {name,-44} | {value}");
        string Rel(long timestamp) => Signed(Seconds(timestamp - dueTimestamp));

        text.AppendLine(CultureInfo.InvariantCulture, $"Fan-out: {options.Channels} Teams channels in {options.Tenants} tenants, all due at {due:HH:mm} UTC ({(options.QuartzOnly ? "QUARTZ ONLY" : options.StandIn ? $"STAND-IN delivery, {options.StandInWorkers} workers through the app's outbound path" : "the app's nudges")}); {Environment.ProcessorCount} cores");
        Row("setup: installs (InstallStore)", options.QuartzOnly ? "skipped (--quartz-only)" : $"{installTime.TotalSeconds:F1} s ({options.Channels / installTime.TotalSeconds:F0}/s) [{setupLoad}]");
        Row(options.Burst ? "setup: schedules (ScheduleStore, no Quartz jobs)" : options.DirectSetup ? "setup: schedules (ScheduleStore + Quartz)" : "setup: schedules (ScheduleService.ChangeAsync)", $"{scheduleTime.TotalSeconds:F1} s ({options.Channels / scheduleTime.TotalSeconds:F0}/s){(options.DirectSetup || options.Burst ? $", {options.SetupWorkers} workers" : ", one at a time (its gate)")}");
        Row("machine load at the due instant / at the end", $"{dueLoad} / {endLoad}");
        Row("warm-up (a minute before, other tenants)", warmUp);
        if (options.Burst)
        {
            Row("BURST", "no Quartz: the bench called INudgeFiring for every schedule at the due instant");
        }

        Row("Quartz properties for this run", options.Quartz.Count == 0 ? "the app's" : string.Join(", ", options.Quartz.Select(p => $"{p.Key}={p.Value}")));

        var started = meter.Started.Order().ToArray();
        var finished = meter.FinishedAt.Order().ToArray();
        if (started.Length > 0)
        {
            var span = Seconds(started[^1] - started[0]);
            Row("Quartz: jobs run (INudgeFiring called)", $"{started.Length} of {options.Channels}{(started.Length < options.Channels ? $" ({options.Channels - started.Length} never fired: misfired or late)" : string.Empty)}; {meter.Repeated} schedules fired twice; {meter.Failed} threw");
            Row("Quartz: first / median / last firing", $"{Rel(started[0])} / {Rel(started[started.Length / 2])} / {Rel(started[^1])}");
            Row("Quartz: firing rate first→last", span > 0 ? $"{(started.Length - 1) / span:F0} triggers/s" : "n/a");
            Row("Quartz: per second after due", PerSecond(started, dueTimestamp));
            if (finished.Length > 0 && !options.QuartzOnly)
            {
                Row("INudgeFiring returned: first / last", $"{Rel(finished[0])} / {Rel(finished[^1])}");
            }
        }
        else
        {
            Row("Quartz: jobs run", "NONE");
            ok = false;
        }

        if (options.QuartzOnly)
        {
            ok &= started.Length == options.Channels && meter.Repeated == 0;
        }
        else
        {
            var posts = fake.Accepted.ToList();
            var firstPerChannel = posts.GroupBy(p => p.Conversation).ToDictionary(g => g.Key, g => g.Min(p => p.At), StringComparer.Ordinal);
            var expected = channels.Select(c => c.Conversation).ToHashSet(StringComparer.Ordinal);
            var reached = expected.Count(firstPerChannel.ContainsKey);
            var strays = firstPerChannel.Keys.Count(k => !expected.Contains(k));
            var sends = fake.Sends;
            var throttled = fake.Throttled;
            var allDelivered = reached == expected.Count;
            var last = firstPerChannel.Count > 0 ? firstPerChannel.Values.Max() : doneTimestamp;
            var total = Seconds(last - dueTimestamp);
            var floor = Floor(channels);
            Row("delivered (channels with the card)", $"{reached} of {expected.Count}{(allDelivered ? " - all" : " - NOT ALL")}{(strays > 0 ? $"; {strays} posts to unknown conversations" : string.Empty)}");
            if (options.StandIn)
            {
                Row("stand-in posts given up (after the pipeline)", standInFailed.ToString(CultureInfo.InvariantCulture));
            }

            Row("duplicates (posts beyond one per channel)", fake.Duplicates.ToString(CultureInfo.InvariantCulture));
            Row("sends (POSTs reaching the limits)", sends.ToString(CultureInfo.InvariantCulture));
            Row("429s (target < 1% of sends)", $"{throttled} = {(sends == 0 ? 0 : 100.0 * throttled / sends):F2}%{(sends > 0 && throttled * 100 >= sends ? " - OVER TARGET" : string.Empty)}");
            Row("card updates (PUT) / their 429s", $"{fake.Updates} / {fake.UpdatesThrottled}");
            Row("first card accepted", posts.Count > 0 ? Rel(posts.Min(p => p.At)) : "none");
            Row("all delivered at (due → last channel's card)", allDelivered ? $"+{total:F2} s" : $"not all (last at +{total:F2} s)");
            Row("floor the limits allow", $"{floor:F2} s (each tenant's cards at 50 per sliding second; see README)");
            Row("ratio to the floor (target ≤ 1.10)", allDelivered ? $"{total / floor:F2}{(total / floor > 1.10 ? " - OVER TARGET" : string.Empty)}" : "n/a");
            Row("accepted per second after due", PerSecond(posts.Select(p => p.At).Order().ToArray(), dueTimestamp));
            var perTenant = posts.GroupBy(p => p.Tenant).Select(g => (Tenant: g.Key, First: Seconds(g.Min(p => p.At) - dueTimestamp), Done: Seconds(g.Max(p => p.At) - dueTimestamp)))
                .OrderBy(t => t.Done).ToList();
            if (perTenant.Count > 0)
            {
                Row("per tenant: done min / median / max", $"+{perTenant[0].Done:F2} / +{perTenant[perTenant.Count / 2].Done:F2} / +{perTenant[^1].Done:F2} s (spread {perTenant[^1].Done - perTenant[0].Done:F2} s)");
                Row("per tenant: first card min / max", $"+{perTenant.Min(t => t.First):F2} / +{perTenant.Max(t => t.First):F2} s");
            }

            var audit = SelfCheck.Audit(fake);
            Row("audit of accepted posts against the windows", audit ?? "no window exceeded");
            ok &= allDelivered && fake.Duplicates == 0 && audit is null;
        }

        Row("peak resident set during the fan-out (VmHWM)", $"{Mb(figures.PeakRssBytes)}{(peakReset ? string.Empty : " (since process start: clear_refs unavailable)")}; now {Mb(figures.RssBytes)}");
        Row("GC heap peak (sampled) / committed peak", $"{Mb(figures.PeakHeapBytes)} / {Mb(figures.PeakCommittedBytes)}");
        Row("allocated during the fan-out", Mb(figures.AllocatedBytes));
        Row("GC collections gen0/1/2 (process total)", $"{figures.Gen0}/{figures.Gen1}/{figures.Gen2}");
        Row("CPU: this process / whole machine", $"{figures.ProcessCpu:P0} / {(figures.MachineCpu is { } m ? m.ToString("P0", CultureInfo.InvariantCulture) : "n/a")} of {Environment.ProcessorCount} cores ({figures.CpuSeconds:F1} CPU-s)");
        text.AppendLine(ok ? "RESULT: OK" : "RESULT: FAILED (see above)");
        return (text.ToString(), ok);
    }

    /// <summary>
    /// The shortest time to the last card the limits allow, if the first card of every tenant went at the due instant:
    /// each tenant's sends at the earliest instants its sliding windows permit (one card per conversation, so only the
    /// tenant's 50/s binds), the slowest tenant decides.
    /// </summary>
    public static double Floor(IEnumerable<(int Tenant, string Conversation)> channels) =>
        channels.GroupBy(c => c.Tenant).Max(g => SlidingWindows.Earliest(g.Count(), FakeConnector.TenantLimits)[^1]);

    private static string PerSecond(long[] sorted, long dueTimestamp)
    {
        if (sorted.Length == 0)
        {
            return "none";
        }

        var buckets = new SortedDictionary<int, int>();
        foreach (var t in sorted)
        {
            var second = (int)Math.Floor(Seconds(t - dueTimestamp));
            buckets[second] = buckets.GetValueOrDefault(second) + 1;
        }

        var parts = buckets.Take(40).Select(b => $"{b.Key}:{b.Value}");
        return string.Join(" ", parts) + (buckets.Count > 40 ? " …" : string.Empty);
    }

    private static string Signed(double seconds) => seconds.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) + " s";

    private const string WarmUpTenantPrefix = "warm-up-";

    /// <summary>
    /// 500 channels in 5 tenants of their own (t91–t95 on the fake), each with a schedule at <paramref name="at"/>, a minute
    /// before the due instant: their nudges are prepared now (through the app's nudge service, as Quartz would) and posted
    /// at that minute through the same dispatcher, outbound pipeline and Kestrel as the fan-out. Then the fake forgets them.
    /// </summary>
    private static async Task<string> WarmUpAsync(IServiceProvider services, FakeConnector fake, DateTimeOffset at, CancellationToken ct)
    {
        if (at - TimeProvider.System.GetUtcNow() < TimeSpan.FromSeconds(5))
        {
            return "skipped: setup ended less than 5 s before the minute before the due instant";
        }

        var installs = services.GetRequiredService<InstallStore>();
        var store = services.GetRequiredService<ScheduleStore>();
        var nudges = services.GetRequiredService<StretchBot.Nudges.NudgeService>();
        var specText = $"mon tue wed thu fri sat sun {TimeOnly.FromTimeSpan(at.UtcDateTime.TimeOfDay):HH\\:mm}";
        var ids = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            var tenant = 91 + (i % 5);
            var conversation = $"19:warm-up-{tenant}-{i:000}@thread.tacv2";
            var tenantId = WarmUpTenantPrefix + tenant.ToString(CultureInfo.InvariantCulture);
            var reference = new TeamsReference(fake.ServiceUrl(tenant), conversation, "28:stretchbot-bench", "StretchBot").Serialize();
            await installs.UpsertAsync(new Install(tenantId, "msteams", conversation, "channel", $"19:team-{tenant}@thread.tacv2", "Warm-up team", conversation, reference, "29:bench-installer"), ct);
            var saved = await store.SaveAsync(new Schedule(ScheduleStore.NewId(), tenantId, "msteams", conversation, string.Empty,
                specText, "UTC", null, "desk", 0, null, null, null, null, "29:bench-installer", []), ct)
                ?? throw new InvalidOperationException("A fresh schedule row met a concurrent change.");
            ids.Add(saved.Id);
        }

        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, (id, token) => new ValueTask(nudges.FireAsync(id, at, token)));
        var clock = Stopwatch.StartNew();
        while (fake.ChannelsReached < 500)
        {
            if (TimeProvider.System.GetUtcNow() > at + TimeSpan.FromSeconds(30))
            {
                return $"incomplete: {fake.ChannelsReached} of 500 by {at:HH:mm:ss} + 30 s";
            }

            await Task.Delay(20, ct);
        }

        var done = TimeProvider.System.GetUtcNow() - at;
        var result = $"500 channels in 5 tenants at {at:HH:mm:ss} UTC, all posted by +{done.TotalSeconds:F2} s, {fake.Throttled} × 429";
        fake.Reset();
        return result;
    }

    private static string TenantId(int tenant) => $"00000000-0000-4000-8000-0000000000{tenant:00}";

    private static DateTimeOffset RoundUpToMinute(DateTimeOffset instant)
    {
        var ticks = (instant.UtcTicks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static double Seconds(long stopwatchTicks) => (double)stopwatchTicks / Stopwatch.Frequency;

    private static string Mb(long bytes) => bytes < 0 ? "n/a" : $"{bytes / 1048576.0:F0} MB";

    private static void Log(string message) =>
        Console.WriteLine($"[{TimeProvider.System.GetUtcNow():HH:mm:ss.fff}] {message}");
}
