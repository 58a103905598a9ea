using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Conversation;
using StretchBot.Delivery;

namespace StretchBot.Channels.Local;

/// <summary>
/// A Direct Line 3.0-compatible endpoint (REST polling), so the official Web Chat talks to StretchBot as it would to Azure.
/// Loopback only: it has no channel authentication, so it must never be reachable from another machine.
/// </summary>
public static class DirectLineEndpoints
{
    public static RouteGroupBuilder MapDirectLine(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v3/directline").AddEndpointFilter<LoopbackOnlyFilter>();
        group.MapPost("/conversations", StartConversation);
        group.MapPost("/tokens/refresh", RefreshToken);
        group.MapGet("/conversations/{conversationId}", Reconnect);
        group.MapPost("/conversations/{conversationId}/activities", PostActivity);
        group.MapGet("/conversations/{conversationId}/activities", GetActivities);
        return group;
    }

    public static Created<ConversationResponse> StartConversation(DirectLineConversations conversations)
    {
        var conversation = conversations.Create();
        return TypedResults.Created((string?)null, new ConversationResponse(conversation.Id, conversation.Token, 3600));
    }

    public static Results<Ok<ConversationResponse>, JsonHttpResult<ErrorResponse>> RefreshToken(HttpRequest request, DirectLineConversations conversations)
    {
        var conversation = conversations.FindByToken(BearerToken(request));
        return conversation is null
            ? Error(HttpStatusCode.Forbidden, "TokenInvalid", "The token is not valid for any conversation.")
            : TypedResults.Ok(new ConversationResponse(conversation.Id, conversation.Token, 3600));
    }

    public static Results<Ok<ConversationResponse>, JsonHttpResult<ErrorResponse>> Reconnect(string conversationId, HttpRequest request, DirectLineConversations conversations)
    {
        var conversation = conversations.Find(conversationId, BearerToken(request));
        return conversation is null
            ? NotFound()
            : TypedResults.Ok(new ConversationResponse(conversation.Id, conversation.Token, 3600));
    }

    public static Results<Ok<ActivitySet>, JsonHttpResult<ErrorResponse>> GetActivities(string conversationId, string? watermark, HttpRequest request, DirectLineConversations conversations)
    {
        var conversation = conversations.Find(conversationId, BearerToken(request));
        if (conversation is null)
        {
            return NotFound();
        }

        long since = -1;
        if (!string.IsNullOrEmpty(watermark) && !long.TryParse(watermark, out since))
        {
            return Error(HttpStatusCode.BadRequest, "BadArgument", "The watermark must be a number returned by an earlier call.");
        }

        var (activities, mark) = conversation.Since(since);
        return TypedResults.Ok(new ActivitySet(activities, mark.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    public static async Task<Results<Ok<ResourceResponse>, JsonHttpResult<ErrorResponse>>> PostActivity(
        string conversationId,
        HttpRequest request,
        DirectLineConversations conversations,
        TurnHandler turns,
        Outbox outbox,
        IOptions<LocalChannelOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var conversation = conversations.Find(conversationId, BearerToken(request));
        if (conversation is null)
        {
            return NotFound();
        }

        var (activity, problem) = await ActivityBody.ReadAsync(request, options.Value.MaxActivityBytes, time, cancellationToken);
        if (activity is null)
        {
            return problem!;
        }

        if (LocalActivities.Validate(activity) is { } invalid)
        {
            return Error(HttpStatusCode.BadRequest, "BadArgument", invalid);
        }

        var turn = LocalActivities.ToTurn(activity, conversation.Id);
        // Typing indicators are not kept; everything else is echoed, as Web Chat needs its own activity back
        // (with channelData.clientActivityID) to mark it as sent.
        var id = (string?)activity["type"] == "typing" ? $"{conversation.Id}|typing" : conversation.Append(activity);
        if (turn is not null)
        {
            var result = await turns.HandleAsync(turn, cancellationToken);
            await outbox.PostAllAsync(LocalSender.Address(conversation.Id, turn.Who.UserId, turn.Who.DisplayName, id), result.Messages, cancellationToken);
        }

        return TypedResults.Ok(new ResourceResponse(id));
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
    }

    private static JsonHttpResult<ErrorResponse> NotFound() =>
        Error(HttpStatusCode.NotFound, "BadArgument", "Conversation not found, or the token does not belong to it. Start a new conversation.");

    private static JsonHttpResult<ErrorResponse> Error(HttpStatusCode status, string code, string message) => ActivityBody.Error(status, code, message);

    /// <summary>Refuses anyone but this machine; the answer is a plain 404 so the endpoint's existence isn't advertised.</summary>
    private sealed class LoopbackOnlyFilter : IEndpointFilter
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
            IsLoopback(context.HttpContext) ? next(context) : ValueTask.FromResult<object?>(TypedResults.NotFound());
    }

    public static bool IsLoopback(HttpContext context) => ActivityFields.IsLoopback(context);
}

public sealed record ConversationResponse(string ConversationId, string Token, [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

public sealed record ActivitySet(JsonArray Activities, string Watermark);

public sealed record ResourceResponse(string Id);

