using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StretchBot.Channels;

/// <summary>The error body the Bot Connector and Direct Line use: {"error":{"code","message"}}.</summary>
public sealed record ErrorResponse(ErrorBody Error);

public sealed record ErrorBody(string Code, string Message);

/// <summary>Reads an activity posted to one of our channel endpoints: size-capped, JSON, an object.</summary>
public static class ActivityBody
{
    public static async Task<(JsonObject? Activity, JsonHttpResult<ErrorResponse>? Problem)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
            return node is JsonObject activity
                ? (activity, null)
                : (null, Error(HttpStatusCode.BadRequest, "BadArgument", "The body must be a JSON object (an activity)."));
        }
        catch (JsonException exception)
        {
            return (null, Error(HttpStatusCode.BadRequest, "BadArgument", $"The body is not valid JSON: {exception.Message}"));
        }
    }

    public static JsonHttpResult<ErrorResponse> TooLarge(int maxBytes) =>
        Error(HttpStatusCode.RequestEntityTooLarge, "MessageSizeTooBig", $"The activity is larger than {maxBytes / 1024} KB.");


    public static JsonHttpResult<ErrorResponse> Error(HttpStatusCode status, string code, string message) =>
        TypedResults.Json(new ErrorResponse(new ErrorBody(code, message)), statusCode: (int)status);
}
