using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace StretchBot.TeamsPackage;

/// <summary>
/// <c>--bot-id &lt;GUID&gt; --domain &lt;host&gt; [--app-id &lt;GUID&gt;] [--out &lt;path&gt;]</c>: fills in the Teams
/// manifest template that ships beside this command and writes the app package, a zip with manifest.json and the
/// two icons at its root.
/// </summary>
public static partial class TeamsPackageCommand
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    public const string ManifestFileName = "manifest.json";
    public const string DefaultOut = "artifacts/stretchbot-teams.zip";

    public const string Synopsis = "Usage: --bot-id <GUID> --domain <host> [--app-id <GUID>] [--out <path.zip>]";

    public const string Usage =
        "usage: dotnet run --project src/StretchBot.TeamsPackage -- --bot-id <GUID> --domain <host> [--app-id <GUID>] [--out <path.zip>]\n"
        + "  --bot-id  the Microsoft App ID of the Azure Bot (a GUID)\n"
        + "  --domain  the host name the bot is reached at over HTTPS, without https:// or a path\n"
        + "  --app-id  the Teams app's own id (a GUID); default: the id in manifests/teams/manifest.json\n"
        + "  --out     the zip to write; default: " + DefaultOut + " under the repository root (or the current directory)";

    // Every entry gets the same timestamp, so the same inputs give the same zip, byte for byte.
    private static readonly DateTimeOffset EntryTimestamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The template and icons copied beside the command at build time.</summary>
    public static string DefaultTemplateDirectory => Path.Combine(AppContext.BaseDirectory, "teams");

    /// <summary>
    /// Runs the command. Returns <see cref="Ok"/>, <see cref="BadInput"/> (a one-line message on
    /// <paramref name="error"/>, no zip written) or <see cref="Failed"/> (the template or the file system failed).
    /// <paramref name="currentDirectory"/> and <paramref name="templateDirectory"/> default to the process's.
    /// </summary>
    public static int Run(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        string? currentDirectory = null,
        string? templateDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        if (args.Count == 1 && args[0] is "--help" or "-h" or "-?")
        {
            output.WriteLine(Usage);
            return Ok;
        }

        if (!TryParse(args, out var options, out var problem))
        {
            error.WriteLine($"error: {problem}");
            return BadInput;
        }

        var cwd = currentDirectory ?? Directory.GetCurrentDirectory();
        var outPath = options.Out is null
            ? Path.Combine(FindRepoRoot(cwd) ?? cwd, DefaultOut)
            : Path.GetFullPath(options.Out, cwd);
        if (Directory.Exists(outPath))
        {
            error.WriteLine($"error: --out {options.Out} is a directory; give the path of the zip to write, e.g. {DefaultOut}.");
            return BadInput;
        }

        try
        {
            var templates = templateDirectory ?? DefaultTemplateDirectory;
            var template = ReadTemplateFile(templates, ManifestFileName);
            var manifest = TeamsManifestTemplate.Fill(Encoding.UTF8.GetString(template), options.BotId, options.Domain, options.AppId);
            var icons = TeamsManifestTemplate.IconFiles(manifest);
            var entries = new List<(string Name, byte[] Bytes)> { (ManifestFileName, new UTF8Encoding(false).GetBytes(manifest)) };
            entries.AddRange(icons.Select(icon => (icon, ReadTemplateFile(templates, icon))));

            WriteZip(outPath, entries);
            output.WriteLine($"Wrote {outPath}");
            foreach (var (name, bytes) in entries)
            {
                output.WriteLine($"  {name} ({bytes.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
            }

            output.WriteLine($"Bot id {options.BotId:D}, domain {options.Domain}. Upload it in Teams (Apps > Manage your apps > Upload an app) or in the Developer Portal.");
            return Ok;
        }
        catch (TeamsPackageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Failed;
        }
        catch (IOException e)
        {
            error.WriteLine($"error: could not write {outPath}: {e.Message}");
            return Failed;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"error: could not write {outPath}: {e.Message}");
            return Failed;
        }
    }

    private sealed record Options(Guid BotId, string Domain, Guid? AppId, string? Out);

    private static bool TryParse(IReadOnlyList<string> args, out Options options, out string problem)
    {
        options = null!;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? arg[..equals] : arg;
            if (name is not ("--bot-id" or "--domain" or "--app-id" or "--out"))
            {
                problem = name.StartsWith('-') ? $"unknown option '{OneLine(name)}'. {Synopsis}" : $"unexpected argument '{OneLine(arg)}'. {Synopsis}";
                return false;
            }

            string value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                problem = $"{name} needs a value. {Synopsis}";
                return false;
            }

            if (!values.TryAdd(name, value))
            {
                problem = $"{name} is given twice.";
                return false;
            }
        }

        if (!values.TryGetValue("--bot-id", out var botIdText))
        {
            problem = $"--bot-id is required: the Microsoft App ID (a GUID) of the Azure Bot. {Synopsis}";
            return false;
        }

        if (!values.TryGetValue("--domain", out var domainText))
        {
            problem = $"--domain is required: the host name the bot is reached at, e.g. stretchbot.example.com. {Synopsis}";
            return false;
        }

        if (!TryParseGuid(botIdText, out var botId))
        {
            problem = $"--bot-id '{OneLine(botIdText)}' is not a GUID; give the Azure Bot's Microsoft App ID, like 00000000-0000-0000-0000-000000000000.";
            return false;
        }

        Guid? appId = null;
        if (values.TryGetValue("--app-id", out var appIdText))
        {
            if (!TryParseGuid(appIdText, out var parsed))
            {
                problem = $"--app-id '{OneLine(appIdText)}' is not a GUID, like 00000000-0000-0000-0000-000000000000.";
                return false;
            }

            appId = parsed;
        }

        if (!TryParseDomain(domainText, out var domain, out problem))
        {
            return false;
        }

        values.TryGetValue("--out", out var outPath);
        if (outPath is not null && string.IsNullOrWhiteSpace(outPath))
        {
            problem = "--out needs a file path, e.g. artifacts/stretchbot-teams.zip.";
            return false;
        }

        options = new Options(botId, domain, appId, outPath);
        problem = "";
        return true;
    }

    // The manifest schema's GUID pattern: 8-4-4-4-12 hex digits, no braces.
    private static bool TryParseGuid(string text, out Guid guid) =>
        Guid.TryParseExact(text.Trim(), "D", out guid);

    private static bool TryParseDomain(string text, out string domain, out string problem)
    {
        domain = text.Trim().ToLowerInvariant();
        var shown = OneLine(text);
        if (domain.Contains("://", StringComparison.Ordinal))
        {
            problem = $"--domain '{shown}' should be a host name only, without the scheme: e.g. --domain {HostOf(domain)}.";
            return false;
        }

        if (domain.Contains('/', StringComparison.Ordinal) || domain.Contains('?', StringComparison.Ordinal) || domain.Contains('#', StringComparison.Ordinal))
        {
            problem = $"--domain '{shown}' should be a host name only, without a path: e.g. --domain {HostOf(domain)}.";
            return false;
        }

        if (domain.Contains(':', StringComparison.Ordinal))
        {
            problem = $"--domain '{shown}' should be a host name only, without a port; Teams reaches the bot over HTTPS on port 443.";
            return false;
        }

        if (domain.Length > 253 || !HostName().IsMatch(domain))
        {
            problem = $"--domain '{shown}' is not a full host name; give one such as stretchbot.example.com (letters, digits, hyphens and dots).";
            return false;
        }

        problem = "";
        return true;
    }

    // "https://bot.example.com/api/messages" -> "bot.example.com", for the hint in the error message.
    private static string HostOf(string text)
    {
        var rest = text.Contains("://", StringComparison.Ordinal) ? text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..] : text;
        var end = rest.IndexOfAny(['/', '?', '#', ':']);
        var host = end >= 0 ? rest[..end] : rest;
        return HostName().IsMatch(host) ? host : "stretchbot.example.com";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static byte[] ReadTemplateFile(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw new TeamsPackageException($"{path} is missing; build the command again (it copies manifests/teams beside itself).");
        }

        return File.ReadAllBytes(path);
    }

    // Written to a temporary file first and moved into place, so a failure never leaves half a package behind.
    private static void WriteZip(string outPath, IReadOnlyList<(string Name, byte[] Bytes)> entries)
    {
        var directory = Path.GetDirectoryName(outPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(outPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                foreach (var (name, bytes) in entries)
                {
                    var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                    entry.LastWriteTime = EntryTimestamp;
                    using var entryStream = entry.Open();
                    entryStream.Write(bytes);
                }
            }

            File.Move(temporary, outPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StretchBot.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    // One or more dot-separated labels of letters, digits and inner hyphens (1-63 characters), at least two labels,
    // the last one not all digits (so neither a bare word like "localhost" nor an IPv4 address passes).
    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(?![0-9]+$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostName();
}
