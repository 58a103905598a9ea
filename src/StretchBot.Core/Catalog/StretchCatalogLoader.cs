using System.Reflection;

namespace StretchBot.Catalog;

public static class StretchCatalogLoader
{
    internal const string BuiltInResourceName = "StretchBot.Catalog.stretches.json";
    internal const string BuiltInLabel = "Built-in catalog (" + BuiltInResourceName + ")";

    /// <summary>
    /// The built-in catalog, plus the custom file at <see cref="CatalogOptions.CustomPath"/> when set:
    /// its entries replace built-in ones with the same id (in place, keeping the order) and the
    /// rest are appended.
    /// </summary>
    /// <exception cref="CatalogValidationException">A file is missing, unreadable or invalid.</exception>
    public static StretchCatalog Load(CatalogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var builtIn = CatalogFileReader.Read(ReadBuiltIn(), BuiltInLabel, requireSafety: true);
        var stretches = builtIn.Stretches.ToList();

        if (!string.IsNullOrWhiteSpace(options.CustomPath))
        {
            var path = Path.GetFullPath(options.CustomPath);
            var custom = CatalogFileReader.Read(ReadCustom(path), $"Custom catalog {path}", requireSafety: false);
            foreach (var stretch in custom.Stretches)
            {
                var existing = stretches.FindIndex(s => string.Equals(s.Id, stretch.Id, StringComparison.OrdinalIgnoreCase));
                if (existing >= 0)
                {
                    stretches[existing] = stretch;
                }
                else
                {
                    stretches.Add(stretch);
                }
            }
        }

        return new StretchCatalog(stretches, builtIn.Safety!);
    }

    private static string ReadBuiltIn()
    {
        using var stream = typeof(StretchCatalogLoader).Assembly.GetManifestResourceStream(BuiltInResourceName)
            ?? throw new CatalogValidationException($"{BuiltInLabel}: the resource is missing from {typeof(StretchCatalogLoader).Assembly.GetName().Name}; check the EmbeddedResource item in the project file.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string ReadCustom(string path)
    {
        if (!File.Exists(path))
        {
            throw new CatalogValidationException(
                $"Custom catalog {path}: file not found. Set Catalog:CustomPath to an existing JSON file, or remove the setting to use only the built-in stretches.");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CatalogValidationException($"Custom catalog {path}: cannot be read: {ex.Message}", ex);
        }
    }
}
