using System.Globalization;

namespace StretchBot.LoadTest;

/// <summary>Command-line options of the load tool.</summary>
public sealed class LoadOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/StretchBot.LoadTest -- [options]
          --seconds N          length of each timed run (default 15)
          --concurrency A,B,.. closed-loop workers (= connections); one run per value (default 32)
          --scenarios LIST     stretch,done,repeat (default) and/or direct: the Done clicks handed straight to
                               the bot's invoke handler, no HTTP and no JWT check (to see what they cost);
                               floor: the same signed invokes renamed task/fetch, which the bot acknowledges
                               without work (what HTTP, parsing and the JWT check cost)
          --warmup N           untimed requests before each scenario (default 300)
          --warmup-seconds N   then untimed Done clicks for N seconds (default 20; 0 for none), so that the
                               runtime's tiered JIT has finished and the runs measure the sustained rate
          --prompts N          stretch cards prepared for the Done scenario (default 3000)
          --users N            people per channel (default 60); Done pairs = prompts × users
          --channels N         team channels the prompts and messages are spread over (default 25)
          --tenants N          tenants the channels are spread over (default 10)
          --tokens N           signed bearer tokens minted up front and reused (default 16)
          --drain-seconds N    longest wait for background replies after a run (default 120)
          --no-auth            run the app without an app id (no JWT validation), to measure what auth costs
        """;

    public bool Help { get; private set; }

    public int Seconds { get; private set; } = 15;

    public IReadOnlyList<int> Concurrency { get; private set; } = [32];

    public IReadOnlySet<string> Scenarios { get; private set; } = new HashSet<string>(["stretch", "done", "repeat"], StringComparer.Ordinal);

    public int WarmUp { get; private set; } = 300;

    public int WarmUpSeconds { get; private set; } = 20;

    public int Prompts { get; private set; } = 3000;

    public int Users { get; private set; } = 60;

    public int Channels { get; private set; } = 25;

    public int Tenants { get; private set; } = 10;

    public int Tokens { get; private set; } = 16;

    public int DrainSeconds { get; private set; } = 120;

    public bool Authentication { get; private set; } = true;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number.");
            switch (args[i])
            {
                case "-h" or "--help":
                    options.Help = true;
                    break;
                case "--seconds":
                    options.Seconds = Number();
                    break;
                case "--concurrency":
                    options.Concurrency = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--concurrency: '{v}' is not a positive whole number."))
                        .ToArray();
                    break;
                case "--scenarios":
                    var scenarios = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                    if (scenarios.FirstOrDefault(s => s is not ("stretch" or "done" or "direct" or "floor" or "repeat")) is { } unknown)
                    {
                        throw new ArgumentException($"--scenarios: unknown scenario '{unknown}'.");
                    }

                    options.Scenarios = scenarios;
                    break;
                case "--warmup":
                    options.WarmUp = Number();
                    break;
                case "--warmup-seconds":
                    options.WarmUpSeconds = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                        ? seconds
                        : throw new ArgumentException("--warmup-seconds needs a whole number of seconds (0 for none).");
                    break;
                case "--prompts":
                    options.Prompts = Number();
                    break;
                case "--users":
                    options.Users = Number();
                    break;
                case "--channels":
                    options.Channels = Number();
                    break;
                case "--tenants":
                    options.Tenants = Number();
                    break;
                case "--tokens":
                    options.Tokens = Number();
                    break;
                case "--drain-seconds":
                    options.DrainSeconds = Number();
                    break;
                case "--no-auth":
                    options.Authentication = false;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        if (options.Concurrency.Count == 0)
        {
            throw new ArgumentException("--concurrency needs at least one value.");
        }

        return options;
    }
}
