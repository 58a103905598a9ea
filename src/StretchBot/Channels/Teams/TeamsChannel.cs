using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StretchBot.Delivery;

namespace StretchBot.Channels.Teams;

/// <summary>Microsoft Teams through an Azure Bot: the Bot Connector's messaging endpoint and our client of its REST API.</summary>
public static partial class TeamsChannel
{
    public static IServiceCollection AddTeamsChannel(this IServiceCollection services)
    {
        services.AddOptions<TeamsOptions>().BindConfiguration(TeamsOptions.Section)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                // Azure's templates and the Bot Framework docs name these at the top level; accept both.
                o.MicrosoftAppId ??= configuration["MicrosoftAppId"];
                o.MicrosoftAppPassword ??= configuration["MicrosoftAppPassword"];
                o.MicrosoftAppTenantId ??= configuration["MicrosoftAppTenantId"];
                if (configuration[$"{TeamsOptions.Section}:{nameof(TeamsOptions.MicrosoftAppType)}"] is null && configuration["MicrosoftAppType"] is { Length: > 0 } type)
                {
                    // Azure's templates write "MultiTenant", "SingleTenant" or "UserAssignedMSI".
                    o.MicrosoftAppType = Enum.TryParse<BotAppType>(type, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : BotAppType.Unknown;
                }
            })
            .Validate(o => Uri.TryCreate(o.OpenIdMetadataUrl, UriKind.Absolute, out _), "Teams:OpenIdMetadataUrl must be an absolute URL.")
            .Validate(o => o.MaxActivityBytes is >= 1024 and <= 4 * 1024 * 1024, "Teams:MaxActivityBytes must be between 1 KB and 4 MB.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TeamsOptions>>(new ExplainOptions<TeamsOptions>(o => o.Problem()));
        services.AddHttpClient(nameof(BotConnectorAuthentication));
        services.AddHttpClient(BotTokenProvider.HttpClientName);
        services.AddTransient<BotTokenHandler>();
        services.AddHttpClient(BotConnectorClient.HttpClientName)
            .AddOutboundPipeline(sp => sp.GetRequiredService<IOptions<TeamsOptions>>().Value.OutboundPolicy)
            .AddHttpMessageHandler<BotTokenHandler>();
        services.AddSingleton<BotConnectorAuthentication>();
        services.AddSingleton<BotTokenProvider>();
        services.AddSingleton<BotConnectorClient>();
        services.AddSingleton<TeamsMessages>();
        services.AddSingleton<TeamsSender>();
        services.AddSingleton<IChannelSender>(sp => sp.GetRequiredService<TeamsSender>());
        services.AddSingleton<TeamsBot>();
        return services;
    }

    public static IEndpointRouteBuilder MapTeamsChannel(this IEndpointRouteBuilder routes)
    {
        // Read without validating: validation runs at start-up and reports every bad setting in one line (reading the
        // validated options here would throw from route mapping, with a stack trace).
        var enabled = routes.ServiceProvider.GetRequiredService<IConfiguration>()[$"{TeamsOptions.Section}:{nameof(TeamsOptions.Enabled)}"];
        if (!bool.TryParse(enabled, out var on) || on)
        {
            routes.MapPost("/api/messages", PostActivity);
        }

        return routes;
    }

    /// <summary>
    /// The messaging endpoint. 401 for anything not from the Bot Connector; 400 for a body that isn't an activity
    /// (read strictly here, as everything after the 200 runs in the background where a mistake could only be dropped);
    /// invokes answered in the response; everything else 200 at once with the work continuing in the background.
    /// </summary>
    public static async Task<IResult> PostActivity(
        HttpContext context,
        BotConnectorAuthentication authentication,
        TeamsBot bot,
        BackgroundWork work,
        IOptions<TeamsOptions> options,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TeamsChannel));
        // Refuse requests without a bearer token before reading their bodies.
        if (options.Value.AuthenticationEnabled && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            LogUnauthorized(logger, "missing or non-Bearer Authorization header");
            return Unauthorized();
        }

        var (body, problem) = await ActivityBody.ReadAsync(context.Request, options.Value.MaxActivityBytes, time, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (TeamsActivity.Read(body, out var error) is not { } activity)
        {
            return ActivityBody.Error(HttpStatusCode.BadRequest, "BadArgument", error!);
        }

        var auth = await authentication.AuthenticateAsync(context, activity.CoreChannelId, activity.ServiceUrl, cancellationToken);
        if (!auth.Succeeded)
        {
            LogUnauthorized(logger, auth.Failure!);
            return Unauthorized();
        }

        if (activity.IsInvoke)
        {
            var (status, response) = await bot.OnInvokeAsync(activity, cancellationToken);
            return response is null ? TypedResults.StatusCode(status) : TypedResults.Json(response, statusCode: status);
        }

        if (!work.TryEnqueue(ct => bot.OnActivityAsync(activity, ct)))
        {
            return ActivityBody.Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "StretchBot is busy; try again shortly.");
        }

        return TypedResults.Ok();
    }

    // The reason goes to the log only: a caller probing the endpoint learns nothing about which check failed.
    private static IResult Unauthorized() =>
        ActivityBody.Error(HttpStatusCode.Unauthorized, "Unauthorized", "This endpoint accepts only activities from the Bot Connector with a valid token.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to /api/messages: {Reason}")]
    private static partial void LogUnauthorized(ILogger logger, string reason);
}
