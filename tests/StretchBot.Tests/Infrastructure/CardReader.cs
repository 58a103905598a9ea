using System.Text.Json.Nodes;

namespace StretchBot.Tests.Infrastructure;

/// <summary>Reads what a person would see and click on an Adaptive Card.</summary>
public static class CardReader
{
    /// <summary>All visible-or-hidden text of the card, in document order, one string per TextBlock/Fact/TextRun.</summary>
    public static List<string> Texts(JsonNode? node)
    {
        var texts = new List<string>();
        Walk(node, n =>
        {
            if (n is JsonObject o && o["type"] is JsonValue t && (string?)t is "TextBlock" or "TextRun" && (string?)o["text"] is { } text)
            {
                texts.Add(text);
            }

            if (n is JsonObject fact && fact["title"] is JsonValue && fact["value"] is JsonValue && fact["type"] is null)
            {
                texts.Add($"{(string?)fact["title"]} {(string?)fact["value"]}");
            }
        });
        return texts;
    }

    public static string AllText(JsonNode? node) => string.Join("\n", Texts(node));

    /// <summary>Every action on the card, including those in ActionSets, fallbacks and show-cards.</summary>
    public static List<JsonObject> Actions(JsonNode? node)
    {
        var actions = new List<JsonObject>();
        Walk(node, n =>
        {
            if (n is JsonObject o && (string?)o["type"] is { } type && type.StartsWith("Action.", StringComparison.Ordinal))
            {
                actions.Add(o);
            }
        });
        return actions;
    }

    public static JsonObject? ById(JsonNode? node, string id)
    {
        JsonObject? found = null;
        Walk(node, n =>
        {
            if (found is null && n is JsonObject o && (string?)o["id"] == id && o["type"] is not null)
            {
                found = o;
            }
        });
        return found;
    }

    private static void Walk(JsonNode? node, Action<JsonNode> visit)
    {
        switch (node)
        {
            case JsonObject o:
                visit(o);
                foreach (var (_, child) in o)
                {
                    Walk(child, visit);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Walk(child, visit);
                }

                break;
        }
    }
}
