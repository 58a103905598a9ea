using System.Text.Json;
using System.Text.Json.Serialization;

namespace StretchBot.Channels.Slack;

/// <summary>
/// How the Slack adapter reaches a conversation or a message, kept opaque by the core (installs, posted cards):
/// the channel (C…, G…, D…), the message's ts once posted, the thread to post in, and for an answer to a person's
/// command or click the person and the response_url it came with (<see cref="FromEphemeral"/>: the click was on an
/// ephemeral message, which only its response_url can replace).
/// </summary>
public sealed record SlackReference(
    [property: JsonPropertyName("c")] string Channel,
    [property: JsonPropertyName("ts")] string? Ts = null,
    [property: JsonPropertyName("th")] string? ThreadTs = null,
    [property: JsonPropertyName("u")] string? User = null,
    [property: JsonPropertyName("r")] string? ResponseUrl = null,
    [property: JsonPropertyName("e")] bool FromEphemeral = false)
{
    // A response_url lets anyone holding it post as the app for 30 minutes: never printed.
    public override string ToString() => $"SlackReference {{ Channel = {Channel}, Ts = {Ts}, ThreadTs = {ThreadTs}, User = {User} }}";

    public string Serialize() => JsonSerializer.Serialize(this, SlackReferenceJson.Default.SlackReference);

    public static SlackReference? Parse(string reference)
    {
        try
        {
            return JsonSerializer.Deserialize(reference, SlackReferenceJson.Default.SlackReference) is { Channel.Length: > 0 } parsed ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(SlackReference))]
internal sealed partial class SlackReferenceJson : JsonSerializerContext;
