using System.Diagnostics;
using System.Net;

namespace StretchBot.LoadTest;

/// <summary>What one request of a scenario needs: its body and token, and whether its answer was right.</summary>
public interface ILoadScenario
{
    string Name { get; }

    /// <summary>The UTF-8 JSON body of request number <paramref name="sequence"/> (its own activity).</summary>
    byte[] Body(long sequence, out string authorization);

    /// <summary>Checks a 200's body (the first bytes of it); false counts the request as an error.</summary>
    bool Accept(long sequence, ReadOnlySpan<byte> body);

    /// <summary>Where the requests go: the Bot Connector's endpoint unless the scenario is another channel's.</summary>
    string Path => "/api/messages";

    /// <summary>The request's content type and credentials, given what <see cref="Body"/> returned; a Bot Connector activity by default.</summary>
    void Describe(HttpRequestMessage request, string authorization)
    {
        request.Content!.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("User-Agent", "Microsoft-SkypeBotApi");
    }
}

/// <summary>The figures of one run.</summary>
public sealed record RunResult(
    string Scenario,
    int Concurrency,
    TimeSpan Elapsed,
    long Requests,
    long Ok,
    IReadOnlyDictionary<string, long> Errors,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    IReadOnlyList<long> PerSecond,
    IReadOnlyList<(double UpToMs, long Count)> Histogram)
{
    /// <summary>Share of all cores this process used during the run (app, fake connector and generator together).</summary>
    public double ProcessCpu { get; init; }

    /// <summary>Share of all cores busy machine-wide during the run; above <see cref="ProcessCpu"/> means other programs ran too.</summary>
    public double? MachineCpu { get; init; }

    public string CpuText => MachineCpu is { } machine
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ProcessCpu:P0} ({machine:P0} machine)")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ProcessCpu:P0}");

    /// <summary>Upper bounds (ms) of the latency histogram's buckets; the last bucket is everything slower.</summary>
    public static readonly double[] Buckets = [1, 2, 5, 10, 20, 50, 100, 150, 200, 300, 500, 1000, 2000, double.PositiveInfinity];

    public string HistogramText => string.Join(", ", Histogram.Where(h => h.Count > 0).Select(h =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(double.IsPositiveInfinity(h.UpToMs) ? ">2000" : "≤" + h.UpToMs)}ms:{h.Count}")));

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double OkPerSecond => Ok / Elapsed.TotalSeconds;

    public long ErrorCount => Errors.Values.Sum();

    public string ErrorText => Errors.Count == 0 ? "0" : string.Join(", ", Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key}×{e.Value}"));
}

/// <summary>
/// A closed-loop load generator: N workers, each posting its next request as soon as the previous answer has been
/// read in full, for a fixed time. Latency is recorded as Stopwatch ticks into one preallocated array (no
/// allocation per sample); bodies are read into a per-worker buffer.
/// </summary>
public sealed class LoadRunner(Uri baseAddress)
{
    // 4M samples (32 MB, allocated once): 15 s at 250k requests/s; more than that is not recorded.
    private readonly long[] _samples = new long[4 * 1024 * 1024];
    private long _sampleCount;

    /// <summary>
    /// Runs <paramref name="scenario"/> over HTTP, or, with <paramref name="direct"/>, hands each body straight to
    /// that function (no HTTP, no Kestrel, no client) to show what the handler alone costs.
    /// </summary>
    public async Task<RunResult> RunAsync(
        ILoadScenario scenario,
        int concurrency,
        TimeSpan duration,
        Func<long> nextSequence,
        CancellationToken cancellationToken,
        Func<byte[], CancellationToken, Task<(int Status, byte[] Body)>>? direct = null)
    {
        using var http = Client(baseAddress, concurrency);
        Interlocked.Exchange(ref _sampleCount, 0);
        var errors = new Dictionary<string, long>[concurrency];
        var ok = new long[concurrency * 16]; // one cache line apart per worker
        var done = 0L;
        var stop = 0;
        var perSecond = new List<long>();
        var cpu = new CpuMeter();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var sampler = Task.Run(async () =>
        {
            // Completed requests per second, to show whether the rate held steady.
            var last = 0L;
            var next = started;
            while (Volatile.Read(ref stop) == 0)
            {
                next += Stopwatch.Frequency;
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }

                if (Volatile.Read(ref stop) != 0)
                {
                    break;
                }

                var now = Interlocked.Read(ref done);
                perSecond.Add(now - last);
                last = now;
            }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            var myErrors = errors[w] = new Dictionary<string, long>();
            // The deadline is checked here too: a starved thread pool can run the stop timer late.
            while (Volatile.Read(ref stop) == 0 && Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                var sequence = nextSequence();
                var body = scenario.Body(sequence, out var authorization);
                var t0 = Stopwatch.GetTimestamp();
                var error = direct is null
                    ? await SendAsync(http, scenario, sequence, body, authorization, buffer, cancellationToken)
                    : await CallAsync(direct, scenario, sequence, body, cancellationToken);
                var ticks = Stopwatch.GetTimestamp() - t0;
                var slot = Interlocked.Increment(ref _sampleCount) - 1;
                if (slot < _samples.Length)
                {
                    _samples[slot] = ticks;
                }

                Interlocked.Increment(ref done);
                if (error is null)
                {
                    ok[w * 16]++;
                }
                else
                {
                    myErrors[error] = myErrors.GetValueOrDefault(error) + 1;
                }
            }
        }, CancellationToken.None)).ToArray();

        await Task.Delay(duration, cancellationToken);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var (processCpu, machineCpu) = cpu.Stop();
        await sampler;

        var count = (int)Math.Min(Interlocked.Read(ref _sampleCount), _samples.Length);
        Array.Sort(_samples, 0, count);
        var mergedErrors = new Dictionary<string, long>();
        foreach (var map in errors)
        {
            foreach (var (key, value) in map ?? [])
            {
                mergedErrors[key] = mergedErrors.GetValueOrDefault(key) + value;
            }
        }

        var mean = 0.0;
        for (var i = 0; i < count; i++)
        {
            mean += _samples[i];
        }

        return new RunResult(
            scenario.Name, concurrency, elapsed, Interlocked.Read(ref done), ok.Sum(), mergedErrors,
            Percentile(0.50, count), Percentile(0.90, count), Percentile(0.99, count), count == 0 ? double.NaN : Ms(_samples[count - 1]), count == 0 ? double.NaN : Ms((long)(mean / count)),
            perSecond, Histogram(count))
        {
            ProcessCpu = processCpu,
            MachineCpu = machineCpu,
        };
    }

    /// <summary>One POST to the scenario's path, its answer read in full; null when it was a 200 with the expected body.</summary>
    private static async Task<string?> SendAsync(HttpClient http, ILoadScenario scenario, long sequence, byte[] body, string authorization, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, scenario.Path) { Content = new ByteArrayContent(body) };
            scenario.Describe(request, authorization);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var length = 0;
            while (true)
            {
                // Keep the first 60 KB; anything longer is read into the last 4 KB and dropped.
                var offset = Math.Min(length, buffer.Length - 4096);
                var read = await stream.ReadAsync(buffer.AsMemory(offset), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                if (offset == length)
                {
                    length += read;
                }
            }

            return response.StatusCode != HttpStatusCode.OK ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : scenario.Accept(sequence, buffer.AsSpan(0, length)) ? null
                : "200 with an unexpected body";
        }
        catch (HttpRequestException exception)
        {
            return exception.HttpRequestError.ToString();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
    }

    private static async Task<string?> CallAsync(
        Func<byte[], CancellationToken, Task<(int Status, byte[] Body)>> direct, ILoadScenario scenario, long sequence, byte[] body, CancellationToken cancellationToken)
    {
        // The handler's SQLite calls complete synchronously: yield so one worker can't keep a pool thread forever.
        await Task.Yield();
        var (status, answer) = await direct(body, cancellationToken);
        return status != 200 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : scenario.Accept(sequence, answer) ? null
            : "200 with an unexpected body";
    }

    private List<(double, long)> Histogram(int count)
    {
        var histogram = new List<(double, long)>();
        var i = 0;
        foreach (var bound in RunResult.Buckets)
        {
            var n = 0L;
            while (i < count && Ms(_samples[i]) <= bound)
            {
                i++;
                n++;
            }

            histogram.Add((bound, n));
        }

        return histogram;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private double Percentile(double p, int count) =>
        count == 0 ? double.NaN : Ms(_samples[Math.Clamp((int)Math.Ceiling(p * count) - 1, 0, count - 1)]);

    /// <summary>A few requests one after another, untimed: JIT, connection set-up, caches.</summary>
    public async Task<int> WarmUpAsync(ILoadScenario scenario, int requests, int concurrency, Func<long> nextSequence, CancellationToken cancellationToken)
    {
        using var http = Client(baseAddress, concurrency);
        var failures = 0;
        var remaining = requests;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var sequence = nextSequence();
                var body = scenario.Body(sequence, out var authorization);
                using var request = new HttpRequestMessage(HttpMethod.Post, scenario.Path) { Content = new ByteArrayContent(body) };
                scenario.Describe(request, authorization);
                using var response = await http.SendAsync(request, cancellationToken);
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK || !scenario.Accept(sequence, bytes))
                {
                    Interlocked.Increment(ref failures);
                    if (failures == 1)
                    {
                        Console.Error.WriteLine($"warm-up {scenario.Name}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
                    }
                }
            }
        }, cancellationToken)));
        return failures;
    }

    private static HttpClient Client(Uri baseAddress, int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = concurrency,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
