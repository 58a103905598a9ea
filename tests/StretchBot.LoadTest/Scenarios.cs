using System.Text;
using System.Text.Json.Nodes;

namespace StretchBot.LoadTest;

/// <summary>Signed "stretch" messages, each a new post in one of the channels, from one of its people.</summary>
public sealed class StretchMessages(Traffic traffic, string[] authorizations) : ILoadScenario
{
    private readonly string[] _templates = Enumerable.Range(0, traffic.Channels).Select(traffic.StretchTemplate).ToArray();

    public string Name => "stretch messages";

    public byte[] Body(long sequence, out string authorization)
    {
        authorization = authorizations[sequence % authorizations.Length];
        var channel = (int)(sequence % traffic.Channels);
        var user = (int)(sequence / traffic.Channels % traffic.UsersPerChannel);
        var id = Traffic.Id("lt-", sequence);
        // A new post: the thread's root is the message itself.
        return Traffic.Fill(_templates[channel], Traffic.UserKey(channel, user), id, root: id);
    }

    // A message is answered 200 with an empty body; the reply goes out later through the connector.
    public bool Accept(long sequence, ReadOnlySpan<byte> body) => body.IsEmpty;
}

/// <summary>One stretch card posted in a channel, as the load tool learnt it from the fake connector.</summary>
public sealed record PreparedPrompt(int Channel, string PromptId, JsonObject DoneData, string RootId, string CardActivityId);

/// <summary>
/// Signed Done clicks (adaptiveCard/action invokes). Sequence k is the pair (prompt k mod P, person k div P of that
/// prompt's channel), so consecutive clicks land on different cards and the first P×U clicks are all first-time
/// completions; later sequence numbers wrap around to repeat clicks.
/// </summary>
public sealed class DoneClicks(Traffic traffic, IReadOnlyList<PreparedPrompt> prompts, string[] authorizations) : ILoadScenario
{
    private static readonly byte[] CardMarker = Encoding.UTF8.GetBytes("\"type\":\"application/vnd.microsoft.card.adaptive\"");

    private readonly string[] _templates = prompts.Select(p => traffic.DoneTemplate(p.Channel, p.DoneData, p.CardActivityId, p.RootId)).ToArray();
    private readonly byte[] _succeeded = new byte[(long)prompts.Count * traffic.UsersPerChannel];

    public string Name { get; set; } = "Done invokes";

    public long Pairs => _succeeded.LongLength;

    public byte[] Body(long sequence, out string authorization)
    {
        authorization = authorizations[sequence % authorizations.Length];
        var pair = sequence % Pairs;
        var prompt = (int)(pair % prompts.Count);
        var user = (int)(pair / prompts.Count);
        return Traffic.Fill(_templates[prompt], Traffic.UserKey(prompts[prompt].Channel, user), Traffic.Id("f:done-", sequence));
    }

    public bool Accept(long sequence, ReadOnlySpan<byte> body)
    {
        if (body.IndexOf(CardMarker) < 0 || body.IndexOf("\"statusCode\":200"u8) < 0)
        {
            return false;
        }

        Volatile.Write(ref _succeeded[sequence % Pairs], 1);
        return true;
    }

    /// <summary>Distinct (prompt, person) pairs that got a 200 with a Done card.</summary>
    public long SucceededPairs()
    {
        long count = 0;
        foreach (var b in _succeeded)
        {
            count += b;
        }

        return count;
    }
}

/// <summary>
/// The protocol floor: the same signed invokes as the Done clicks, renamed to an invoke StretchBot acknowledges
/// without work (<c>task/fetch</c>). What is left is Kestrel, reading and parsing the activity, the JWT check and
/// the load generator: the share of a Done click that isn't StretchBot's own work.
/// </summary>
public sealed class ProtocolFloor(DoneClicks done) : ILoadScenario
{
    public string Name => "Signed invokes, no work (protocol floor)";

    public byte[] Body(long sequence, out string authorization)
    {
        var body = done.Body(sequence, out authorization);
        var at = body.AsSpan().IndexOf("\"adaptiveCard/action\""u8);
        return at < 0
            ? throw new InvalidOperationException("The Done invoke has no adaptiveCard/action name.")
            : [.. body.AsSpan(0, at), .. "\"task/fetch\""u8, .. body.AsSpan(at + "\"adaptiveCard/action\"".Length)];
    }

    public bool Accept(long sequence, ReadOnlySpan<byte> body) => body.IsEmpty;
}
