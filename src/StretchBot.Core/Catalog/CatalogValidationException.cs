namespace StretchBot.Catalog;

/// <summary>
/// A catalog file that cannot be used. Every message is written for the admin who edits the
/// file: it names the file, the entry (1-based index and id) and the field, so it can be fixed
/// without reading code. All problems found are reported at once, one per line.
/// </summary>
public sealed class CatalogValidationException : Exception
{
    public CatalogValidationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public CatalogValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public CatalogValidationException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}
