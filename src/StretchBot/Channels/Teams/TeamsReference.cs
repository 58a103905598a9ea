using System.Text.Json;
using System.Text.Json.Serialization;

namespace StretchBot.Channels.Teams;

/// <summary>
/// How the Bot Connector reaches a conversation or a posted message: the adapter's own data, stored by the core as an
/// opaque string (installs.reference, card_posts.reference) and read back only here.
/// </summary>
/// <param name="ConversationId">The connector's conversation id, a channel thread's ";messageid=…" included.</param>
/// <param name="ReplyToId">Replies thread under this activity (a channel message); null for a plain send.</param>
/// <param name="ActivityId">A posted message, for updates in place.</param>
public sealed record TeamsReference(
    string ServiceUrl,
    string ConversationId,
    string? BotId = null,
    string? BotName = null,
    string? ReplyToId = null,
    string? RecipientId = null,
    string? ActivityId = null)
{
    public string Serialize() => JsonSerializer.Serialize(this, TeamsReferenceJson.Default.TeamsReference);

    /// <summary>Reads a stored reference; a damaged one is a delivery failure, never a crash in the background.</summary>
    public static TeamsReference? Parse(string reference)
    {
        try
        {
            return JsonSerializer.Deserialize(reference, TeamsReferenceJson.Default.TeamsReference) is { ServiceUrl.Length: > 0, ConversationId.Length: > 0 } parsed ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The same reference with the tenant's new serviceUrl (unchanged text when it already has it or can't be read).</summary>
    public static string WithServiceUrl(string reference, string serviceUrl) =>
        Parse(reference) is { } parsed && parsed.ServiceUrl != serviceUrl ? (parsed with { ServiceUrl = serviceUrl }).Serialize() : reference;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TeamsReference))]
internal sealed partial class TeamsReferenceJson : JsonSerializerContext;
