using System.Text.Json;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace StretchBot.Channels.Teams;

/// <summary>
/// The Bot Connector's signing keys and, for each, the channels it is endorsed for. The endorsements are a
/// Bot Framework extension of the JWK set, so the stock OpenID configuration reader drops them.
/// </summary>
public sealed class BotSigningKeys(IReadOnlyDictionary<string, SecurityKey> keys, IReadOnlyDictionary<string, HashSet<string>> endorsements)
{
    public IReadOnlyDictionary<string, SecurityKey> Keys { get; } = keys;

    public bool IsEndorsedFor(string keyId, string channelId) =>
        endorsements.TryGetValue(keyId, out var channels) && channels.Contains(channelId);
}

/// <summary>Reads the OpenID metadata, then its jwks_uri, for <see cref="ConfigurationManager{T}"/> to cache and refresh.</summary>
public sealed class BotSigningKeysRetriever : IConfigurationRetriever<BotSigningKeys>
{
    public async Task<BotSigningKeys> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var metadata = await retriever.GetDocumentAsync(address, cancel);
        string jwksUri;
        using (var document = JsonDocument.Parse(metadata))
        {
            jwksUri = document.RootElement.TryGetProperty("jwks_uri", out var uri) && uri.ValueKind == JsonValueKind.String
                ? uri.GetString()!
                : throw new InvalidOperationException("The OpenID metadata has no jwks_uri.");
        }

        var keysJson = await retriever.GetDocumentAsync(jwksUri, cancel);
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        var endorsements = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using var keySet = JsonDocument.Parse(keysJson);
        foreach (var element in keySet.RootElement.GetProperty("keys").EnumerateArray())
        {
            var jwk = new JsonWebKey(element.GetRawText());
            // RSA signing keys only: anything else could never verify an RS256/384/512 token.
            if (jwk.Kty != JsonWebAlgorithmsKeyTypes.RSA || string.IsNullOrEmpty(jwk.Kid))
            {
                continue;
            }

            keys[jwk.Kid] = jwk;
            if (element.TryGetProperty("endorsements", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                endorsements[jwk.Kid] = list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
            }
        }

        return new BotSigningKeys(keys, endorsements);
    }
}
