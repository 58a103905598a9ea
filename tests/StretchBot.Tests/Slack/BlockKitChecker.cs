using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StretchBot.Tests.Slack;

/// <summary>
/// A strict Block Kit checker for what StretchBot sends: the block types it uses (section, header, context, actions,
/// divider, image), their members and nothing else, text objects, buttons, every limit Slack documents, unique
/// block_ids, and a fallback text. Strict beyond Slack where StretchBot has a rule: every mrkdwn object is verbatim, and
/// no text holds Slack markup of a person's making: a '&lt;' only opens a mention of an allowed user, a '&amp;' only
/// starts &amp;amp; &amp;lt; or &amp;gt;. Buttons carry one of the core's actions and a value of {"p","s","n","f"}.
/// </summary>
internal static partial class BlockKitChecker
{
    public static readonly string[] Actions = ["done", "start", "next", "back", "later", "stretch", "stretches", "stats", "leaderboard", "safety", "help"];

    public static void AssertMessage(string name, string? text, JsonArray? blocks, params string[] mentions)
    {
        var errors = CheckMessage(text, blocks, 50, mentions);
        Assert.True(errors.Count == 0, $"{name} is not valid Block Kit:\n  {string.Join("\n  ", errors)}\n{blocks?.ToJsonString()}");
    }

    public static void AssertHome(string name, JsonObject? view)
    {
        var errors = new List<string>();
        if (view is null || (string?)view["type"] != "home")
        {
            errors.Add("a Home tab view has type \"home\"");
        }
        else
        {
            Unknown(view, "view", errors, "type", "blocks", "private_metadata", "callback_id", "external_id");
            errors.AddRange(CheckBlocks(view["blocks"] as JsonArray, 100, []));
        }

        Assert.True(errors.Count == 0, $"{name} is not a valid Home tab:\n  {string.Join("\n  ", errors)}\n{view?.ToJsonString()}");
    }

    public static List<string> CheckMessage(string? text, JsonArray? blocks, int maxBlocks, IReadOnlyCollection<string> mentions)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("text: the fallback text is missing (notifications and screen readers need it)");
        }
        else
        {
            if (text.Length > 4000)
            {
                errors.Add($"text: {text.Length} characters; keep the fallback well under Slack's 40,000");
            }

            Markup("text", text, mentions, errors);
        }

        errors.AddRange(CheckBlocks(blocks, maxBlocks, mentions));
        return errors;
    }

    /// <summary>Every mrkdwn and plain_text string in the blocks, with where it is.</summary>
    public static IEnumerable<(string Path, string Type, string Text)> Texts(JsonNode? node, string path = "$")
    {
        switch (node)
        {
            case JsonObject o when (string?)o["type"] is "mrkdwn" or "plain_text" && o["text"] is JsonValue v && v.TryGetValue<string>(out var s):
                yield return (path, (string)o["type"]!, s);
                break;
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    foreach (var t in Texts(child, $"{path}.{key}"))
                    {
                        yield return t;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var t in Texts(a[i], $"{path}[{i}]"))
                    {
                        yield return t;
                    }
                }

                break;
        }
    }

    /// <summary>Every button with its block.</summary>
    public static IEnumerable<(string BlockId, JsonObject Button)> Buttons(JsonArray blocks) =>
        blocks.OfType<JsonObject>().SelectMany(b =>
            ((b["elements"] as JsonArray)?.OfType<JsonObject>() ?? []).Append(b["accessory"] as JsonObject)
                .Where(e => (string?)e?["type"] == "button").Select(e => ((string)b["block_id"]!, e!)));

    private static List<string> CheckBlocks(JsonArray? blocks, int maxBlocks, IReadOnlyCollection<string> mentions)
    {
        var errors = new List<string>();
        if (blocks is null || blocks.Count == 0)
        {
            errors.Add("blocks: missing or empty");
            return errors;
        }

        if (blocks.Count > maxBlocks)
        {
            errors.Add($"blocks: {blocks.Count} blocks, the limit is {maxBlocks}");
        }

        var blockIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < blocks.Count; i++)
        {
            var at = $"blocks[{i}]";
            if (blocks[i] is not JsonObject block)
            {
                errors.Add($"{at}: not an object");
                continue;
            }

            if (block["block_id"] is { } idNode)
            {
                var id = (string?)idNode;
                if (string.IsNullOrEmpty(id) || id.Length > 255)
                {
                    errors.Add($"{at}.block_id: must be 1 to 255 characters");
                }
                else if (!blockIds.Add(id))
                {
                    errors.Add($"{at}.block_id: '{id}' is used twice in the message");
                }
            }
            else
            {
                // Slack makes one up; StretchBot always names its blocks so an update gets new ones.
                errors.Add($"{at}.block_id: missing");
            }

            switch ((string?)block["type"])
            {
                case "section":
                    Unknown(block, at, errors, "type", "block_id", "text", "fields", "accessory");
                    if (block["text"] is null && block["fields"] is null)
                    {
                        errors.Add($"{at}: a section needs text or fields");
                    }

                    if (block["text"] is { } text)
                    {
                        TextObject(text, $"{at}.text", 3000, errors, mentions);
                    }

                    if (block["fields"] is { } fieldsNode)
                    {
                        if (fieldsNode is not JsonArray fields || fields.Count is 0 or > 10)
                        {
                            errors.Add($"{at}.fields: 1 to 10 text objects");
                        }
                        else
                        {
                            for (var f = 0; f < fields.Count; f++)
                            {
                                TextObject(fields[f], $"{at}.fields[{f}]", 2000, errors, mentions);
                            }
                        }
                    }

                    if (block["accessory"] is { } accessory)
                    {
                        Element(accessory, $"{at}.accessory", errors, []);
                    }

                    break;
                case "header":
                    Unknown(block, at, errors, "type", "block_id", "text");
                    TextObject(block["text"], $"{at}.text", 150, errors, mentions, plainOnly: true);
                    break;
                case "context":
                    Unknown(block, at, errors, "type", "block_id", "elements");
                    if (block["elements"] is not JsonArray elements || elements.Count is 0 or > 10)
                    {
                        errors.Add($"{at}.elements: 1 to 10 elements");
                    }
                    else
                    {
                        for (var e = 0; e < elements.Count; e++)
                        {
                            if ((string?)elements[e]?["type"] == "image")
                            {
                                Image(elements[e]!.AsObject(), $"{at}.elements[{e}]", errors, block: false);
                            }
                            else
                            {
                                TextObject(elements[e], $"{at}.elements[{e}]", 3000, errors, mentions);
                            }
                        }
                    }

                    break;
                case "actions":
                    Unknown(block, at, errors, "type", "block_id", "elements");
                    if (block["elements"] is not JsonArray actions || actions.Count is 0 or > 25)
                    {
                        errors.Add($"{at}.elements: 1 to 25 elements");
                    }
                    else
                    {
                        var actionIds = new HashSet<string>(StringComparer.Ordinal);
                        for (var e = 0; e < actions.Count; e++)
                        {
                            Element(actions[e], $"{at}.elements[{e}]", errors, actionIds);
                        }
                    }

                    break;
                case "divider":
                    Unknown(block, at, errors, "type", "block_id");
                    break;
                case "image":
                    Image(block, at, errors, block: true);
                    break;
                default:
                    errors.Add($"{at}.type: '{block["type"]}' is not a block StretchBot uses");
                    break;
            }
        }

        return errors;
    }

    private static void TextObject(JsonNode? node, string at, int max, List<string> errors, IReadOnlyCollection<string> mentions, bool plainOnly = false)
    {
        if (node is not JsonObject text)
        {
            errors.Add($"{at}: a text object is required");
            return;
        }

        var type = (string?)text["type"];
        if (type is not ("plain_text" or "mrkdwn") || (plainOnly && type != "plain_text"))
        {
            errors.Add($"{at}.type: '{type}' is not {(plainOnly ? "plain_text" : "plain_text or mrkdwn")}");
            return;
        }

        if (type == "plain_text")
        {
            Unknown(text, at, errors, "type", "text", "emoji");
        }
        else
        {
            Unknown(text, at, errors, "type", "text", "verbatim");
            if (text["verbatim"] is not JsonValue verbatim || !verbatim.TryGetValue<bool>(out var on) || !on)
            {
                errors.Add($"{at}.verbatim: every mrkdwn object is verbatim, so Slack never links up a person's @channel or #channel");
            }
        }

        if (text["text"] is not JsonValue value || !value.TryGetValue<string>(out var s))
        {
            errors.Add($"{at}.text: a string is required");
            return;
        }

        if (string.IsNullOrWhiteSpace(s) || s.Length > max)
        {
            errors.Add($"{at}.text: {s.Length} characters, must be 1 to {max} and not blank");
        }

        if (type == "plain_text")
        {
            if (s.Contains('\n') || s.Contains('\r'))
            {
                errors.Add($"{at}.text: plain_text here is one line");
            }
        }
        else
        {
            Markup(at + ".text", s, mentions, errors);
        }
    }

    /// <summary>A '&lt;' only opens an allowed mention; a '&amp;' only starts an entity. Anything else is markup a person made.</summary>
    private static void Markup(string at, string s, IReadOnlyCollection<string> mentions, List<string> errors)
    {
        for (var i = s.IndexOf('<'); i >= 0; i = s.IndexOf('<', i + 1))
        {
            var match = Mention().Match(s, i);
            if (!match.Success || match.Index != i || !mentions.Contains(match.Groups[1].Value))
            {
                errors.Add($"{at}: '<' at {i} opens Slack markup: …{s[i..Math.Min(s.Length, i + 30)]}");
            }
        }

        foreach (var c in ">")
        {
            if (s.Replace("&gt;", string.Empty, StringComparison.Ordinal).Count(x => x == c) > mentions.Sum(m => CountOf(s, $"<@{m}>")))
            {
                errors.Add($"{at}: a bare '>' (Slack wants &gt;)");
            }
        }

        // Slack reads "&gt;" at the start of a line as a quote; StretchBot never quotes, so one there came from a person.
        if (s.Split('\n').Any(line => line.StartsWith("&gt;", StringComparison.Ordinal)))
        {
            errors.Add($"{at}: a line starts with &gt; (a quote)");
        }

        for (var i = s.IndexOf('&'); i >= 0; i = s.IndexOf('&', i + 1))
        {
            if (!(s.AsSpan(i).StartsWith("&amp;") || s.AsSpan(i).StartsWith("&lt;") || s.AsSpan(i).StartsWith("&gt;")))
            {
                errors.Add($"{at}: a bare '&' at {i} (Slack wants &amp;)");
            }
        }
    }

    private static int CountOf(string s, string part) => (s.Length - s.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    private static void Element(JsonNode? node, string at, List<string> errors, HashSet<string> actionIds)
    {
        if (node is not JsonObject button || (string?)button["type"] != "button")
        {
            errors.Add($"{at}: StretchBot's interactive elements are buttons");
            return;
        }

        Unknown(button, at, errors, "type", "action_id", "text", "value", "style", "url", "confirm", "accessibility_label");
        TextObject(button["text"], $"{at}.text", 75, errors, [], plainOnly: true);
        var actionId = (string?)button["action_id"];
        if (string.IsNullOrEmpty(actionId) || actionId.Length > 255)
        {
            errors.Add($"{at}.action_id: must be 1 to 255 characters");
        }
        else
        {
            if (!actionIds.Add(actionId))
            {
                errors.Add($"{at}.action_id: '{actionId}' is used twice in its block");
            }

            if (!Actions.Contains(actionId))
            {
                errors.Add($"{at}.action_id: '{actionId}' is not one of the core's actions");
            }
        }

        if (button["style"] is { } style && (string?)style is not ("primary" or "danger"))
        {
            errors.Add($"{at}.style: primary or danger");
        }

        if ((string?)button["value"] is not { } value)
        {
            errors.Add($"{at}.value: missing");
            return;
        }

        if (value.Length > 2000)
        {
            errors.Add($"{at}.value: {value.Length} characters, the limit is 2000");
        }

        try
        {
            if (JsonNode.Parse(value) is not JsonObject parsed)
            {
                errors.Add($"{at}.value: not a JSON object");
                return;
            }

            foreach (var (key, member) in parsed)
            {
                var ok = key switch
                {
                    "p" or "s" or "f" => member is JsonValue v && v.TryGetValue<string>(out _),
                    "n" => member is JsonValue v && v.TryGetValue<int>(out _),
                    _ => false,
                };
                if (!ok)
                {
                    errors.Add($"{at}.value: member '{key}' is not one of p, s, f (strings) or n (an integer)");
                }
            }
        }
        catch (JsonException)
        {
            errors.Add($"{at}.value: not JSON");
        }
    }

    private static void Image(JsonObject image, string at, List<string> errors, bool block)
    {
        Unknown(image, at, errors, block ? ["type", "block_id", "image_url", "alt_text", "title"] : ["type", "image_url", "alt_text"]);
        if ((string?)image["image_url"] is not { Length: > 0 and <= 3000 })
        {
            errors.Add($"{at}.image_url: 1 to 3000 characters");
        }

        if ((string?)image["alt_text"] is not { Length: > 0 and <= 2000 })
        {
            errors.Add($"{at}.alt_text: 1 to 2000 characters");
        }
    }

    private static void Unknown(JsonObject o, string at, List<string> errors, params string[] allowed)
    {
        foreach (var (key, _) in o)
        {
            if (!allowed.Contains(key))
            {
                errors.Add($"{at}.{key}: not a member Block Kit allows here");
            }
        }
    }

    [GeneratedRegex(@"\G<@([UW][A-Z0-9]{2,})>")]
    private static partial Regex Mention();
}
