namespace StretchBot.Templating;

/// <summary>
/// A template that cannot be parsed, uses something this engine does not support, or fails to expand
/// where the official package would also fail. <see cref="JsonPath"/> points at the offending template value.
/// </summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TemplateException(string message, string? jsonPath, Exception? innerException = null)
        : base(jsonPath is null ? message : $"{message} (at {jsonPath})", innerException)
    {
        JsonPath = jsonPath;
    }

    /// <summary>JSON path of the template value at fault, such as <c>$.body[2].text</c>; null when not tied to one.</summary>
    public string? JsonPath { get; }
}
