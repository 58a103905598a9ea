using System.Globalization;

namespace StretchBot.FanoutBench;

/// <summary>Command-line options of the fan-out benchmark.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/StretchBot.FanoutBench -- [options]
          --channels N          Teams channels, each with its own schedule (default 10000)
          --tenants N           tenants the channels are spread over evenly (default 20)
          --lead-seconds N      the due instant is the first whole minute at least N s after start (default 150);
                                setup must finish Scheduling:PrepareAhead (a minute) before it
          --timeout-seconds N   longest wait for every channel's card after the due instant (default 300)
          --setup-workers N     parallel writers creating installs (and schedules with --direct-setup) (default 4)
          --direct-setup        schedules through ScheduleStore + the Quartz scheduler with parallel writers,
                                instead of the app's ScheduleService (one change at a time)
          --quartz-only         replace the app's INudgeFiring with a counting no-op: Quartz's own firing rate
                                on the SQLite store, nothing posted
          --stand-in [N]        until the app's nudge service is in the build: a firing trigger queues its
                                schedule and N workers (default 32) post a plain message through the app's real
                                outbound path (BotConnectorClient + OutboundPipeline); measures delivery only
          --burst               no Quartz jobs: at the due instant the bench hands every schedule to INudgeFiring
                                itself (as if Quartz fired all at once), to measure delivery alone
          --quartz KEY=VALUE    a Quartz property for this run, repeatable, e.g.
                                --quartz quartz.threadPool.maxConcurrency=32
                                --quartz quartz.scheduler.batchTriggerAcquisitionMaxCount=100
          --set KEY=VALUE       an app setting for this run, repeatable, e.g. --set Scheduling:MaxConcurrentDeliveries=64
          --self-check-only     check the fake connector's limits and stop
          --no-self-check       skip that check before the run
          --no-warm-up          skip the warm-up: by default 500 channels in 5 other tenants get their nudge a
                                minute before the due instant through the same path, as on any working day
                                (the 9:00 nudges before the 10:00 ones), so the fan-out runs on a warm app
        """;

    public bool Help { get; private set; }

    public int Channels { get; private set; } = 10_000;

    public int Tenants { get; private set; } = 20;

    public int LeadSeconds { get; private set; } = 150;

    public int TimeoutSeconds { get; private set; } = 300;

    public int SetupWorkers { get; private set; } = 4;

    public bool QuartzOnly { get; private set; }

    public bool DirectSetup { get; private set; }

    public bool StandIn { get; private set; }

    public bool Burst { get; private set; }

    public int StandInWorkers { get; private set; } = 32;

    public bool SelfCheckOnly { get; private set; }

    public bool SelfCheck { get; private set; } = true;

    public bool WarmUp { get; private set; } = true;

    public Dictionary<string, string> Quartz { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number.");
            (string, string) Pair()
            {
                var text = Value();
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                return eq > 0 ? (text[..eq], text[(eq + 1)..]) : throw new ArgumentException($"{args[i - 1]} needs KEY=VALUE, got '{text}'.");
            }

            switch (args[i])
            {
                case "--help" or "-h":
                    options.Help = true;
                    break;
                case "--channels":
                    options.Channels = Number();
                    break;
                case "--tenants":
                    options.Tenants = Number();
                    break;
                case "--lead-seconds":
                    options.LeadSeconds = Number();
                    break;
                case "--timeout-seconds":
                    options.TimeoutSeconds = Number();
                    break;
                case "--setup-workers":
                    options.SetupWorkers = Number();
                    break;
                case "--stand-in":
                    options.StandIn = true;
                    if (i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var workers) && workers > 0)
                    {
                        options.StandInWorkers = workers;
                        i++;
                    }

                    break;
                case "--burst":
                    options.Burst = true;
                    break;
                case "--direct-setup":
                    options.DirectSetup = true;
                    break;
                case "--quartz-only":
                    options.QuartzOnly = true;
                    break;
                case "--quartz":
                    var (qk, qv) = Pair();
                    options.Quartz[qk] = qv;
                    break;
                case "--set":
                    var (sk, sv) = Pair();
                    options.Settings[sk] = sv;
                    break;
                case "--self-check-only":
                    options.SelfCheckOnly = true;
                    break;
                case "--no-warm-up":
                    options.WarmUp = false;
                    break;
                case "--no-self-check":
                    options.SelfCheck = false;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        if (options.Tenants > 99 || options.Tenants > options.Channels)
        {
            throw new ArgumentException("--tenants must be at most 99 and at most --channels.");
        }

        return options;
    }
}
