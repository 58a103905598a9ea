using System.Diagnostics;
using System.Globalization;

namespace StretchBot.FanoutBench;

/// <summary>
/// Memory and CPU over the fan-out: the process's peak resident set (VmHWM, reset at the start through
/// /proc/self/clear_refs so the setup doesn't count), the largest GC heap seen (sampled), bytes allocated, and CPU.
/// </summary>
public sealed class Resources : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly StretchBot.LoadTest.CpuMeter _cpu = new();
    private long _peakHeap;
    private long _peakCommitted;

    private Resources(bool peakReset)
    {
        PeakReset = peakReset;
        _sampler = SampleAsync(_stop.Token);
    }

    /// <summary>Whether VmHWM was reset at the start (Linux); if not, it is the peak since the process started.</summary>
    public bool PeakReset { get; }

    public static Resources Start()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        bool reset;
        try
        {
            // "5" resets the peak resident set size (Linux 4.0+), so VmHWM afterwards is the fan-out's own peak.
            File.WriteAllText("/proc/self/clear_refs", "5");
            reset = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            reset = false;
        }

        return new Resources(reset);
    }

    public sealed record Figures(long PeakRssBytes, long RssBytes, long PeakHeapBytes, long PeakCommittedBytes, long AllocatedBytes, double ProcessCpu, double? MachineCpu, double CpuSeconds, int Gen0, int Gen1, int Gen2);

    public async Task<Figures> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        Sample();
        var (process, machine) = _cpu.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;

        return new Figures(
            Status("VmHWM") ?? -1, Status("VmRSS") ?? -1, Interlocked.Read(ref _peakHeap), Interlocked.Read(ref _peakCommitted),
            GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart, process, machine, cpu.TotalSeconds,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>The machine's load averages (1, 5, 15 minutes), as uptime prints them.</summary>
    public static string Load()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load {fields[0]}, {fields[1]}, {fields[2]}";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "load n/a";
        }
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Sample();
            try
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Sample()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        Max(ref _peakHeap, GC.GetTotalMemory(forceFullCollection: false));
        Max(ref _peakCommitted, info.TotalCommittedBytes);
    }

    private static void Max(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>A "kB" line of /proc/self/status, in bytes.</summary>
    private static long? Status(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    var value = line[(key.Length + 1)..].Trim().Split(' ')[0];
                    return long.Parse(value, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _sampler;
        _stop.Dispose();
    }
}
