using System.Text.Json;
using System.Text.Json.Nodes;

namespace StretchBot.Templating.Tests.Conformance;

/// <summary>JSON equality: objects ignore key order, numbers compare by their double value (as JavaScript holds them).</summary>
public static class JsonEquality
{
    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        switch (a)
        {
            case JsonObject oa when b is JsonObject ob:
                return oa.Count == ob.Count
                    && oa.All(kv => ob.TryGetPropertyValue(kv.Key, out var other) && DeepEquals(kv.Value, other));
            case JsonArray aa when b is JsonArray ab:
                return aa.Count == ab.Count && aa.Zip(ab).All(pair => DeepEquals(pair.First, pair.Second));
            case JsonValue va when b is JsonValue vb:
                var (ka, kb) = (va.GetValueKind(), vb.GetValueKind());
                if (ka != kb)
                {
                    return false;
                }

                return ka switch
                {
                    JsonValueKind.Number => va.GetValue<double>() == vb.GetValue<double>(),
                    JsonValueKind.String => va.GetValue<string>() == vb.GetValue<string>(),
                    _ => true,
                };
            default:
                return false;
        }
    }
}
