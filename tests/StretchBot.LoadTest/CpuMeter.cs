using System.Diagnostics;
using System.Globalization;

namespace StretchBot.LoadTest;

/// <summary>
/// How busy the machine and this process were over an interval: this process (app + fake connector + load
/// generator) from its CPU time, the whole machine from /proc/stat on Linux. The difference is other programs.
/// </summary>
public sealed class CpuMeter
{
    private readonly TimeSpan _processStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly (long Busy, long Total)? _machineStart = Machine();

    /// <summary>Shares of all cores (0..1): this process, and the whole machine (null where /proc/stat is missing).</summary>
    public (double Process, double? Machine) Stop()
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _processStart) / (elapsed * Environment.ProcessorCount);
        double? machine = null;
        if (_machineStart is { } start && Machine() is { } end && end.Total > start.Total)
        {
            machine = (double)(end.Busy - start.Busy) / (end.Total - start.Total);
        }

        return (process, machine);
    }

    private static (long Busy, long Total)? Machine()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal ...
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Sum();
            var idle = fields[3] + fields[4];
            return (total - idle, total);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
