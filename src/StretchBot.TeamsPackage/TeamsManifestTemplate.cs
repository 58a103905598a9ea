using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StretchBot.TeamsPackage;

/// <summary>A problem with the template or its icons (not with the user's input).</summary>
public sealed class TeamsPackageException(string message) : Exception(message);

/// <summary>
/// The Teams app manifest template (<c>manifests/teams/manifest.json</c>): placeholders <c>{{BOT_ID}}</c> and
/// <c>{{BOT_DOMAIN}}</c>, filled in by <see cref="Fill"/>, and a fixed app <c>id</c> that can be replaced.
/// </summary>
public static partial class TeamsManifestTemplate
{
    public const string BotIdPlaceholder = "{{BOT_ID}}";
    public const string DomainPlaceholder = "{{BOT_DOMAIN}}";

    /// <summary>
    /// Fills the placeholders and, when <paramref name="appId"/> is given, replaces the app's <c>id</c>. Throws
    /// <see cref="TeamsPackageException"/> when the result is not JSON, still holds a <c>{{</c> placeholder, or
    /// lacks what Teams needs to find the icons.
    /// </summary>
    public static string Fill(string template, Guid botId, string domain, Guid? appId = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(domain);

        var text = template
            .Replace(BotIdPlaceholder, botId.ToString("D", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace(DomainPlaceholder, domain, StringComparison.Ordinal);

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new TeamsPackageException($"The manifest template is not valid JSON after filling it in: {e.Message}");
        }

        if (root is not JsonObject manifest)
        {
            throw new TeamsPackageException("The manifest template is not a JSON object.");
        }

        if (appId is { } id)
        {
            manifest["id"] = id.ToString("D", CultureInfo.InvariantCulture);
            // Relaxed escaping keeps the descriptions' quotes and apostrophes readable; this is a file, not HTML.
            text = manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        }

        var leftover = Placeholder().Match(text);
        if (leftover.Success)
        {
            throw new TeamsPackageException($"The manifest template still holds the placeholder {leftover.Value} after filling in {BotIdPlaceholder} and {DomainPlaceholder}.");
        }

        // Throws when the icons are missing; the caller needs their names anyway.
        _ = IconFiles(text);
        return text;
    }

    /// <summary>The colour and outline icon file names a (filled) manifest names, in that order.</summary>
    public static IReadOnlyList<string> IconFiles(string manifestJson)
    {
        var icons = JsonNode.Parse(manifestJson)?["icons"];
        var color = icons?["color"]?.GetValue<string>();
        var outline = icons?["outline"]?.GetValue<string>();
        if (string.IsNullOrEmpty(color) || string.IsNullOrEmpty(outline))
        {
            throw new TeamsPackageException("The manifest template must name icons.color and icons.outline.");
        }

        foreach (var name in new[] { color, outline })
        {
            if (name != Path.GetFileName(name) || name.Equals(TeamsPackageCommand.ManifestFileName, StringComparison.OrdinalIgnoreCase))
            {
                throw new TeamsPackageException($"The icon '{name}' must be a plain file name beside manifest.json (the package has no folders).");
            }
        }

        return [color, outline];
    }

    [GeneratedRegex(@"\{\{[^}]*\}?\}?")]
    private static partial Regex Placeholder();
}
