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

        Slack (/slack/events, one workspace, signed with the signing secret as Slack signs):
          --slack              the same as --scenarios slack
          --scenarios slack    signed block_actions Done clicks (after signed /stretch slash commands set up the
                               prompts); slack-floor: the same signed payloads with a type the app acknowledges
                               without work (what HTTP, the signature check and parsing cost)
          --slack-prompts N    prompts set up with /stretch (default 1000); Done pairs = prompts × --users
          --slack-channels N   channels the prompts are spread over (default 250; Slack allows each channel about
                               one message a second, so setting up takes about prompts ÷ channels seconds)
          --slack-calls-per-minute N
                               Slack:CallsPerMinutePerWorkspace, the app's gate on one workspace's outbound calls
                               (default 1000000: the app's capacity; the app's own default, 300, holds one
                               workspace's click answers to 5 a second)
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

    public int SlackPrompts { get; private set; } = 1000;

    public int SlackChannels { get; private set; } = 250;

    public int SlackCallsPerMinute { get; private set; } = 1_000_000;

    /// <summary>Scenarios of the Teams endpoint (/api/messages), run on their own app.</summary>
    public bool AnyTeams => Scenarios.Overlaps(["stretch", "done", "direct", "floor", "repeat"]);

    /// <summary>Scenarios of the Slack endpoint (/slack/events), run on their own app with Slack on.</summary>
    public bool AnySlack => Scenarios.Overlaps(["slack", "slack-floor"]);

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
                    if (scenarios.FirstOrDefault(s => s is not ("stretch" or "done" or "direct" or "floor" or "repeat" or "slack" or "slack-floor")) is { } unknown)
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
                case "--slack":
                    options.Scenarios = new HashSet<string>(["slack"], StringComparer.Ordinal);
                    break;
                case "--slack-prompts":
                    options.SlackPrompts = Number();
                    break;
                case "--slack-channels":
                    options.SlackChannels = Number();
                    break;
                case "--slack-calls-per-minute":
                    options.SlackCallsPerMinute = Number();
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
