using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using StretchBot.Channels.Slack;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.LoadTest;

/// <summary>
/// The simulated Slack workspace (FakeSlack's T111, the app's one Slack:BotToken workspace): <see cref="Channels"/>
/// channels, each with <see cref="UsersPerChannel"/> people of its own.
/// </summary>
public sealed class SlackTraffic(int channels, int usersPerChannel)
{
    public int Channels { get; } = channels;

    public int UsersPerChannel { get; } = usersPerChannel;

    public static string ChannelId(int channel) => string.Create(CultureInfo.InvariantCulture, $"CLT{channel:D6}");

    public static string UserId(int channel, int user) => string.Create(CultureInfo.InvariantCulture, $"ULT{channel:D6}X{user:D4}");

    /// <summary>Every person, so users.info knows them (the app then caches them for Slack:UserCacheTime, as it would Slack's answer).</summary>
    public void Register(FakeSlack fake)
    {
        for (var c = 0; c < Channels; c++)
        {
            for (var u = 0; u < UsersPerChannel; u++)
            {
                fake.Users[UserId(c, u)] = ($"Person {c}-{u}", "Europe/London");
            }
        }
    }
}

/// <summary>
/// What every request to /slack/events has in common: a form body, signed as Slack signs (v0, HMAC-SHA256 of
/// "v0:{timestamp}:{body}" with the signing secret), the timestamp taken when the request is built.
/// </summary>
public abstract class SlackScenario : ILoadScenario
{
    public abstract string Name { get; }

    public string Path => SlackChannel.EventsPath;

    public abstract byte[] Body(long sequence, out string authorization);

    // Slack's acknowledgement of a click or a slash command: 200 with an empty body, the work done afterwards.
    public virtual bool Accept(long sequence, ReadOnlySpan<byte> body) => body.IsEmpty;

    public void Describe(HttpRequestMessage request, string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        request.Content!.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation(SlackSignature.TimestampHeader, authorization[..space]);
        request.Headers.TryAddWithoutValidation(SlackSignature.SignatureHeader, authorization[(space + 1)..]);
        request.Headers.TryAddWithoutValidation("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
    }

    /// <summary>The form's bytes, and "{timestamp} {signature}" for <see cref="Describe"/>: signed now, like Slack does per request.</summary>
    protected static byte[] Signed(string form, out string authorization)
    {
        var bytes = Encoding.UTF8.GetBytes(form);
        var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        authorization = timestamp + " " + SlackSignature.Compute(FakeSlack.SigningSecret, timestamp, bytes);
        return bytes;
    }
}

/// <summary>Signed <c>/stretch</c> slash commands: number i in channel i mod C, by its first person. Each posts a prompt with a Done button.</summary>
public sealed class SlackSlashCommands(SlackTraffic traffic) : SlackScenario
{
    public override string Name => "/stretch slash commands";

    public override byte[] Body(long sequence, out string authorization)
    {
        var channel = (int)(sequence % traffic.Channels);
        var user = SlackTraffic.UserId(channel, 0);
        var form = new Dictionary<string, string>
        {
            ["token"] = "legacy-fixed-value", ["team_id"] = FakeSlack.TeamId, ["team_domain"] = "loadtest", ["channel_id"] = SlackTraffic.ChannelId(channel),
            ["channel_name"] = string.Create(CultureInfo.InvariantCulture, $"stretching-{channel}"), ["user_id"] = user, ["user_name"] = user.ToLowerInvariant(),
            ["command"] = "/stretch", ["text"] = string.Empty, ["api_app_id"] = "A111",
            ["response_url"] = string.Create(CultureInfo.InvariantCulture, $"https://hooks.slack.com/commands/{FakeSlack.TeamId}/{sequence}/slash"),
            ["trigger_id"] = string.Create(CultureInfo.InvariantCulture, $"{sequence}.111.abc"),
        };
        return Signed(string.Join('&', form.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value))), out authorization);
    }
}

/// <summary>
/// Signed block_actions clicks on the prompts' Done buttons, <c>payload=&lt;url-encoded JSON&gt;</c> as Slack posts
/// them, with the message (its blocks) included as Slack includes it. Sequence k is the pair (prompt (k div U) mod P,
/// person k mod U of that prompt's channel): a prompt's people click it one after another, as a channel answers a
/// prompt just posted, so its tally's chat.updates are coalesced the way they would be. The first P×U clicks are all
/// first-time completions; later sequence numbers wrap around to repeat clicks. Each click has its own response_url.
/// </summary>
public sealed class SlackDoneClicks : SlackScenario
{
    // Letters and digits only, so Uri.EscapeDataString leaves them as they are in the encoded template.
    private const string UserMark = "ZZUSERZZ";
    private const string SequenceMark = "ZZSEQZZ";

    private readonly IReadOnlyList<(int Channel, SlackPrompt Prompt)> _prompts;
    private readonly string[] _templates;
    private readonly byte[] _succeeded;
    private readonly int _users;

    /// <param name="type">The payload's type: block_actions, or one the app acknowledges without work (the protocol floor).</param>
    public SlackDoneClicks(SlackTraffic traffic, IReadOnlyList<(int Channel, SlackPrompt Prompt)> prompts, string type = "block_actions")
    {
        _prompts = prompts;
        _users = traffic.UsersPerChannel;
        _templates = prompts.Select((p, i) => "payload=" + Uri.EscapeDataString(Payload(p.Prompt, type, i).ToJsonString())).ToArray();
        _succeeded = new byte[(long)prompts.Count * traffic.UsersPerChannel];
        Name = type == "block_actions" ? "Slack Done clicks" : $"Slack {type} (protocol floor)";
    }

    public override string Name { get; }

    public long Pairs => _succeeded.LongLength;

    /// <summary>A sample body, for the profile of the acknowledgement's parts.</summary>
    public int AverageBodyBytes => (int)_templates.Average(t => t.Length);

    public override byte[] Body(long sequence, out string authorization)
    {
        var pair = sequence % Pairs;
        var prompt = (int)(pair / _users);
        var user = (int)(pair % _users);
        var form = _templates[prompt]
            .Replace(UserMark, SlackTraffic.UserId(_prompts[prompt].Channel, user), StringComparison.Ordinal)
            .Replace(SequenceMark, sequence.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return Signed(form, out authorization);
    }

    public override bool Accept(long sequence, ReadOnlySpan<byte> body)
    {
        if (!body.IsEmpty)
        {
            return false;
        }

        Volatile.Write(ref _succeeded[sequence % Pairs], 1);
        return true;
    }

    /// <summary>Distinct (prompt, person) pairs whose click was acknowledged 200.</summary>
    public long AcknowledgedPairs()
    {
        long count = 0;
        foreach (var b in _succeeded)
        {
            count += b;
        }

        return count;
    }

    /// <summary>The block_actions payload of a click on the prompt's Done button, shaped like Slack's (see fixtures/slack/block_actions.json).</summary>
    private static JsonObject Payload(SlackPrompt prompt, string type, int index)
    {
        var messageTs = string.Create(CultureInfo.InvariantCulture, $"1763461800.{index:D6}");
        return new JsonObject
        {
            ["type"] = type,
            ["user"] = new JsonObject { ["id"] = UserMark, ["username"] = UserMark, ["name"] = UserMark, ["team_id"] = FakeSlack.TeamId },
            ["api_app_id"] = "A111",
            ["token"] = "legacy-fixed-value",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = prompt.Channel, ["is_ephemeral"] = false },
            ["trigger_id"] = SequenceMark + ".111.abc",
            ["team"] = new JsonObject { ["id"] = FakeSlack.TeamId, ["domain"] = "loadtest" },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["channel"] = new JsonObject { ["id"] = prompt.Channel, ["name"] = "stretching" },
            ["message"] = new JsonObject
            {
                ["bot_id"] = FakeSlack.BotId, ["type"] = "message", ["text"] = prompt.Text, ["user"] = FakeSlack.BotUserId, ["ts"] = messageTs,
                ["team"] = FakeSlack.TeamId, ["blocks"] = prompt.Blocks.DeepClone(),
            },
            ["state"] = new JsonObject { ["values"] = new JsonObject() },
            ["response_url"] = $"https://hooks.slack.com/actions/{FakeSlack.TeamId}/{SequenceMark}/done",
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = "done", ["block_id"] = "actions", ["type"] = "button", ["value"] = prompt.DoneValue,
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Done", ["emoji"] = true }, ["style"] = "primary",
                ["action_ts"] = "1763461845.582706",
            }),
        };
    }
}
