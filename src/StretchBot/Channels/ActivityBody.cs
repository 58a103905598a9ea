using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;

namespace StretchBot.Channels;

/// <summary>The error body the Bot Connector and Direct Line use: {"error":{"code","message"}}.</summary>
public sealed record ErrorResponse(ErrorBody Error);

public sealed record ErrorBody(string Code, string Message);

/// <summary>
/// The one strict reader of activities posted to our channel endpoints: the body is read once, size-capped and
/// time-boxed, must be UTF-8 JSON with no duplicate names and no half surrogate pairs in any string, and the fields
/// of the Bot Framework activity schema we read must have the kinds the schema gives them (<see cref="ActivitySchema"/>).
/// Whatever passes can be read, stored and written back as JSON without an exception; whatever doesn't gets a 4xx
/// before anything is stored or acknowledged.
/// </summary>
public static class ActivityBody
{
    /// <summary>How long a client may take to send a body of at most a few hundred KB.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public static async Task<(JsonObject? Activity, JsonHttpResult<ErrorResponse>? Problem)> ReadAsync(
        HttpRequest request, int maxBytes, TimeProvider time, CancellationToken cancellationToken)
    {
        var (bytes, problem) = await ReadBytesAsync(request, maxBytes, time, cancellationToken);
        if (bytes is null)
        {
            return (null, problem);
        }

        if (!Utf8.IsValid(bytes.Value.Span))
        {
            return (null, BadArgument("The body is not valid UTF-8. Activities are JSON in UTF-8."));
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes.Value.Span, documentOptions: Strict);
        }
        catch (JsonException exception) when (exception.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            // The name itself is not echoed: it may be anything up to the size limit.
            return (null, BadArgument("The body has a duplicate property: each name may appear only once in an object."));
        }
        catch (JsonException exception)
        {
            return (null, BadArgument($"The body is not valid JSON: {exception.Message}"));
        }
        catch (InvalidOperationException)
        {
            // Checking for duplicate names reads every name, and an escaped lone surrogate in one throws this.
            return (null, BadArgument(LoneSurrogate("in a property name")));
        }

        if (node is not JsonObject activity)
        {
            return (null, BadArgument("The body must be a JSON object (an activity)."));
        }

        if (FirstIllFormedString(activity) is { } where)
        {
            return (null, BadArgument(LoneSurrogate(where)));
        }

        return ActivitySchema.Check(activity) is { } mistake ? (null, BadArgument(mistake)) : (activity, null);
    }

    /// <summary>
    /// The body, or the answer for a body that is too large or stops arriving. Kestrel's own limits (MinRequestBodyDataRate)
    /// surface as <see cref="BadHttpRequestException"/>; our timeout on the injected clock covers any server and the tests.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte>? Bytes, JsonHttpResult<ErrorResponse>? Problem)> ReadBytesAsync(
        HttpRequest request, int maxBytes, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        using var timeout = new CancellationTokenSource(ReadTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, linked.Token)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The rest of the body may never come: close the connection after answering rather than wait to drain it.
            request.HttpContext.Response.Headers.Connection = "close";
            return (null, TimedOut());
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel: "Request body too slow" (408), "Unexpected end of request content" (400) and the like.
            return (null, exception.StatusCode == StatusCodes.Status408RequestTimeout
                ? TimedOut()
                : Error((HttpStatusCode)exception.StatusCode, "BadArgument", "The request body was incomplete."));
        }
        catch (Exception exception) when (exception is IOException || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // After BadHttpRequestException, which is an IOException too. The client went away mid-body: nobody reads
            // this answer, but it isn't logged as a server failure either.
            return (null, Error(HttpStatusCode.BadRequest, "BadArgument", "The request body was incomplete."));
        }

        return (new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), null);
    }

    /// <summary>
    /// Where the first property name or string value that isn't well-formed UTF-16 is, or null when all are.
    /// System.Text.Json keeps an escaped lone surrogate until the string is read, then throws; reading each once here
    /// means no later reader, writer or stored echo ever meets one.
    /// </summary>
    public static string? FirstIllFormedString(JsonNode? node, string path = "")
    {
        try
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, child) in o)
                    {
                        if (!IsWellFormed(name))
                        {
                            return $"in a property name{Inside(path)}";
                        }

                        if (FirstIllFormedString(child, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                        {
                            return found;
                        }
                    }

                    return null;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (FirstIllFormedString(a[i], $"{path}[{i}]") is { } found)
                        {
                            return found;
                        }
                    }

                    return null;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    return IsWellFormed(v.GetValue<string>()) ? null : $"in '{Shorten(path)}'";
                default:
                    return null;
            }
        }
        catch (InvalidOperationException)
        {
            return path.Length == 0 ? "in a property name" : $"in or under '{Shorten(path)}'";
        }
    }

    private static string LoneSurrogate(string where) =>
        $"The body has a string with a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape) {where}.";

    private static string Inside(string path) => path.Length == 0 ? string.Empty : $" in '{Shorten(path)}'";

    private static string Shorten(string path) => path.Length <= 60 ? path : ActivityFields.Limit(path, 60) + "…";

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static JsonHttpResult<ErrorResponse> BadArgument(string message) => Error(HttpStatusCode.BadRequest, "BadArgument", message);

    public static JsonHttpResult<ErrorResponse> TooLarge(int maxBytes) =>
        Error(HttpStatusCode.RequestEntityTooLarge, "MessageSizeTooBig", $"The activity is larger than {maxBytes / 1024} KB.");

    public static JsonHttpResult<ErrorResponse> TimedOut() =>
        Error(HttpStatusCode.RequestTimeout, "RequestTimeout", $"The request body did not arrive within {ReadTimeout.TotalSeconds:0} s.");

    public static JsonHttpResult<ErrorResponse> Error(HttpStatusCode status, string code, string message) =>
        TypedResults.Json(new ErrorResponse(new ErrorBody(code, message)), statusCode: (int)status);
}
