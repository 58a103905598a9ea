using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// Turns a valid activity into the malformed bodies a hostile or broken client sends: the text JSON can't express
/// through JsonObject (duplicate names, lone surrogate escapes, bytes that aren't UTF-8) is spliced in after serializing.
/// Paths are "a.b.c", with "a[0]" for an array element.
/// </summary>
public static class HostileBodies
{
    private const string Marker = "@@HOSTILE@@";

    /// <summary>The activity with the property at the path given a second time (the second value last, as a client would write it).</summary>
    public static byte[] WithDuplicate(JsonObject activity, string path, JsonNode? second)
    {
        var copy = activity.DeepClone().AsObject();
        var (parent, name) = ParentOf(copy, path);
        parent[name] ??= "first";
        parent[Marker] = second;
        return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace($"\"{Marker}\"", $"\"{name}\"", StringComparison.Ordinal));
    }

    /// <summary>The string at the path replaced by <paramref name="prefix"/> and an escaped unpaired surrogate (\ud800).</summary>
    public static byte[] WithLoneSurrogate(JsonObject activity, string path, string prefix = "") =>
        Splice(activity, path, prefix, Encoding.ASCII.GetBytes("\\ud800"));

    /// <summary>A property whose name is an escaped unpaired low surrogate, at the top level.</summary>
    public static byte[] WithLoneSurrogateName(JsonObject activity)
    {
        var copy = activity.DeepClone().AsObject();
        copy[Marker] = 1;
        return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace($"\"{Marker}\"", "\"\\udc00\"", StringComparison.Ordinal));
    }

    /// <summary>The string at the path with raw bytes in it (for bytes that aren't UTF-8).</summary>
    public static byte[] WithBytes(JsonObject activity, string path, string prefix, byte[] raw) => Splice(activity, path, prefix, raw);

    /// <summary>The activity with the node at the path replaced by this JSON (null removes it).</summary>
    public static byte[] WithJson(JsonObject activity, string path, string? json)
    {
        var copy = activity.DeepClone().AsObject();
        var (parent, name) = ParentOf(copy, path);
        if (json is null)
        {
            parent.Remove(name);
        }
        else
        {
            parent[name] = JsonNode.Parse(json);
        }

        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    public static HttpRequestMessage Post(string url, byte[] body, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    private static byte[] Splice(JsonObject activity, string path, string prefix, byte[] raw)
    {
        var copy = activity.DeepClone().AsObject();
        var (parent, name) = ParentOf(copy, path);
        parent[name] = prefix + Marker;
        var bytes = Encoding.UTF8.GetBytes(copy.ToJsonString());
        var marker = Encoding.ASCII.GetBytes(Marker);
        var at = bytes.AsSpan().IndexOf(marker);
        return [.. bytes[..at], .. raw, .. bytes[(at + marker.Length)..]];
    }

    /// <summary>The object holding the last segment of the path, creating objects on the way.</summary>
    private static (JsonObject Parent, string Name) ParentOf(JsonObject root, string path)
    {
        var segments = path.Split('.');
        JsonObject current = root;
        foreach (var segment in segments[..^1])
        {
            current = Step(current, segment);
        }

        return (current, segments[^1]);
    }

    private static JsonObject Step(JsonObject current, string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0)
        {
            if (current[segment] is not JsonObject next)
            {
                next = new JsonObject();
                current[segment] = next;
            }

            return next;
        }

        var array = current[segment[..bracket]]!.AsArray();
        return array[int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!.AsObject();
    }
}
