using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Delivery;
using StretchBot.Storage;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Slack: the HTTP endpoint for the Events API, slash commands and interactivity (one URL, like Bolt's), OAuth v2
/// installs, Socket Mode, and our Web API client on the one outbound pipeline.
/// </summary>
public static partial class SlackChannel
{
    public const string EventsPath = "/slack/events";
    public const string InstallPath = "/slack/install";
    public const string CallbackPath = "/slack/oauth/callback";
    public const string StateCookie = "stretchbot-slack-oauth-state";

    /// <summary>How long an OAuth install may take between /slack/install and the callback.</summary>
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);

    public static IServiceCollection AddSlackChannel(this IServiceCollection services)
    {
        services.AddOptions<SlackOptions>().BindConfiguration(SlackOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SlackOptions>>(new ExplainOptions<SlackOptions>(o => o.Problem()));

        // Bot tokens of OAuth installs are encrypted at rest; the keys live beside the database unless configured.
        services.AddDataProtection().SetApplicationName("StretchBot");
        services.AddOptions<KeyManagementOptions>().Configure<Database, IConfiguration, ILoggerFactory>((o, database, configuration, loggers) =>
        {
            var folder = configuration["DataProtection:KeysPath"] is { Length: > 0 } configured
                ? configured
                : Path.Combine(Path.GetDirectoryName(database.Path)!, "keys");
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), loggers);
        });

        // The pipeline times each attempt and bounds the retries; HttpClient's own 100 s on top would cut a call waiting
        // out a Retry-After with an exception nobody expects.
        services.AddHttpClient(SlackApiClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddOutboundPipeline(sp => sp.GetRequiredService<IOptions<SlackOptions>>().Value.OutboundPolicy);
        services.AddSingleton<SlackApiClient>();
        services.AddSingleton<SlackRenderer>();
        services.AddSingleton<SlackWorkspaces>();
        services.AddSingleton<SlackPeople>();
        services.AddSingleton<SlackEventIds>();
        services.AddSingleton<SlackSender>();
        services.AddSingleton<IChannelSender>(sp => sp.GetRequiredService<SlackSender>());
        services.AddSingleton<SlackBot>();
        services.AddSingleton<SlackStartup>();
        services.AddSingleton<IStartupCheck>(sp => sp.GetRequiredService<SlackStartup>());
        services.AddHostedService(sp => sp.GetRequiredService<SlackStartup>());
        services.AddHostedService<SlackSocketMode>();
        return services;
    }

    public static IEndpointRouteBuilder MapSlackChannel(this IEndpointRouteBuilder routes)
    {
        // Read without validating (see MapTeamsChannel): a bad setting is reported at start-up in one line.
        var configuration = routes.ServiceProvider.GetRequiredService<IConfiguration>();
        if (!bool.TryParse(configuration[$"{SlackOptions.Section}:{nameof(SlackOptions.Enabled)}"], out var on) || !on)
        {
            return routes;
        }

        routes.MapPost(EventsPath, PostEvents);
        routes.MapGet(InstallPath, Install);
        routes.MapGet(CallbackPath, Callback);
        return routes;
    }

    /// <summary>
    /// Events, slash commands and clicks. 401 unless signed with our signing secret within 5 minutes (checked over the
    /// raw bytes before anything reads them); 400 for a body that isn't one Slack sends; otherwise acknowledged at
    /// once, the work continuing in the background.
    /// </summary>
    public static async Task<IResult> PostEvents(HttpContext context, SlackBot bot, IOptions<SlackOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SlackChannel));
        var settings = options.Value;
        var headers = context.Request.Headers;
        var timestamp = headers[SlackSignature.TimestampHeader].ToString();
        var signature = headers[SlackSignature.SignatureHeader].ToString();
        if (string.IsNullOrWhiteSpace(settings.SigningSecret))
        {
            // Socket Mode without a signing secret: nothing arrives over HTTP.
            return ActivityBody.Error(HttpStatusCode.NotFound, "NotFound", "Slack runs in Socket Mode here.");
        }

        var (body, problem) = await ActivityBody.ReadBytesAsync(context.Request, settings.MaxRequestBytes, time, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (SlackSignature.Check(settings.SigningSecret, timestamp, signature, body.Value.Span, time.GetUtcNow()) is { } failure)
        {
            // Slack's TLS check of the slash command URL is answered whether or not it is signed (as Bolt does): it
            // does nothing and says nothing.
            if (SlackInbound.Read(context.Request.ContentType, body.Value.Span, out _) is SlackSslCheck)
            {
                return TypedResults.Ok();
            }

            LogUnauthorized(logger, failure);
            return Unauthorized();
        }

        if (SlackInbound.Read(context.Request.ContentType, body.Value.Span, out var error) is not { } request)
        {
            LogBadRequest(logger, error!);
            return ActivityBody.BadArgument(error!);
        }

        var retryNum = int.TryParse(headers["X-Slack-Retry-Num"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var ack = bot.Accept(request, retryNum);
        return ack.Body is null ? TypedResults.StatusCode(ack.Status) : TypedResults.Json(ack.Body, statusCode: ack.Status);
    }

    /// <summary>The start of an OAuth v2 install: a state made here (and kept in a cookie of this browser), then Slack's page.</summary>
    public static async Task<IResult> Install(HttpContext context, SlackWorkspaces workspaces, IOptions<SlackOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.OAuthEnabled)
        {
            return Page(HttpStatusCode.NotFound, "Installs through OAuth are off", "This StretchBot serves one workspace. Set Slack:ClientId and Slack:ClientSecret to install it in more.");
        }

        if (await workspaces.NewStateAsync(StateLifetime, cancellationToken) is not { } state)
        {
            return Page(HttpStatusCode.ServiceUnavailable, "Too many installs under way", "Try again in a few minutes.");
        }

        context.Response.Cookies.Append(StateCookie, state, new CookieOptions
        {
            HttpOnly = true, Secure = context.Request.IsHttps, SameSite = SameSiteMode.Lax, MaxAge = StateLifetime, Path = CallbackPath,
        });
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = settings.ClientId,
            ["scope"] = settings.Scopes,
            ["state"] = state,
        };
        if (settings.RedirectUrl is { Length: > 0 } redirect)
        {
            query["redirect_uri"] = redirect;
        }

        return TypedResults.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(settings.AuthorizeUrl, query));
    }

    /// <summary>Slack sends the installer back here with a code: the state is checked and used once, the code exchanged, the token stored encrypted.</summary>
    public static async Task<IResult> Callback(HttpContext context, SlackWorkspaces workspaces, SlackApiClient api, IOptions<SlackOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SlackChannel));
        var settings = options.Value;
        if (!settings.OAuthEnabled)
        {
            return Page(HttpStatusCode.NotFound, "Installs through OAuth are off", "This StretchBot serves one workspace.");
        }

        var query = context.Request.Query;
        if (query["error"].ToString() is { Length: > 0 })
        {
            return Page(HttpStatusCode.OK, "Install cancelled", "StretchBot was not installed. You can start again any time.", retry: true);
        }

        var state = query["state"].ToString();
        var code = query["code"].ToString();
        context.Request.Cookies.TryGetValue(StateCookie, out var cookie);
        context.Response.Cookies.Delete(StateCookie, new CookieOptions { Path = CallbackPath });
        if (state.Length is 0 or > 100 || code.Length is 0 or > 500 || query["state"].Count != 1 || query["code"].Count != 1)
        {
            return Page(HttpStatusCode.BadRequest, "That install link is incomplete", "Start the install again.", retry: true);
        }

        // The state must be one we made for this very browser, unused and recent: a link made for someone else, an old
        // one, or one used already installs nothing.
        if (cookie != state || !await workspaces.UseStateAsync(state, StateLifetime, cancellationToken))
        {
            LogOAuth(logger, "state unknown, used, expired or not this browser's");
            return Page(HttpStatusCode.BadRequest, "That install link has expired", "Install links work once, for 10 minutes, in the browser that started them. Start the install again.", retry: true);
        }

        JsonObject answer;
        SlackAuth auth;
        try
        {
            answer = await api.OAuthAccessAsync(settings.ClientId!, settings.ClientSecret!, code, settings.RedirectUrl is { Length: > 0 } r ? r : null, cancellationToken);
            var token = Str(answer, "access_token");
            if (token is null || !token.StartsWith("xoxb-", StringComparison.Ordinal))
            {
                LogOAuth(logger, "oauth.v2.access gave no bot token");
                return Page(HttpStatusCode.BadGateway, "Slack gave no bot token", "Check that the app asks for bot scopes, then start the install again.", retry: true);
            }

            // oauth.v2.access doesn't say the bot's id; auth.test with the new token does.
            auth = await api.AuthTestAsync(token, cancellationToken);
        }
        catch (SlackApiException exception)
        {
            LogOAuth(logger, $"{exception.Method}: {exception.Error}");
            return Page(HttpStatusCode.BadRequest, "The install didn't complete", $"Slack said: {exception.Error}. Start the install again.", retry: true);
        }

        var team = answer["team"] as JsonObject;
        var enterprise = answer["enterprise"] as JsonObject;
        var orgWide = answer["is_enterprise_install"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
        var slackTeam = new SlackTeam(Str(team, "id") ?? auth.TeamId, Str(enterprise, "id") ?? auth.EnterpriseId, orgWide);
        var tenant = slackTeam.TenantId;
        if (tenant.Length == 0 || !SlackInbound.IsId(tenant))
        {
            return Page(HttpStatusCode.BadGateway, "Slack didn't say which workspace", "Start the install again.", retry: true);
        }

        var teamName = Str(team, "name") ?? Str(enterprise, "name");
        await workspaces.SaveAsync(new SlackWorkspace(
            tenant, slackTeam.TeamId, slackTeam.EnterpriseId, teamName, orgWide, Str(answer, "access_token")!,
            Str(answer, "bot_user_id") ?? auth.UserId, auth.BotId, Str(answer, "app_id"), Str(answer, "scope"),
            Str(answer["authed_user"] as JsonObject, "id")), cancellationToken);
        LogInstalled(logger, orgWide);
        return Page(HttpStatusCode.OK, "StretchBot is installed",
            $"StretchBot is now in {teamName ?? "your workspace"}. Invite @StretchBot to a channel, then type /stretch there.");
    }

    private static string? Str(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A small HTML page for the person in the browser; every word that isn't ours is HTML-encoded.</summary>
    private static IResult Page(HttpStatusCode status, string title, string text, bool retry = false)
    {
        var link = retry ? $"<p><a href=\"{InstallPath}\">Install StretchBot</a></p>" : string.Empty;
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{WebUtility.HtmlEncode(title)}} · StretchBot</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1d1c1d}a{color:#1264a3}</style></head>
            <body><h1>{{WebUtility.HtmlEncode(title)}}</h1><p>{{WebUtility.HtmlEncode(text)}}</p>{{link}}</body></html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: (int)status);
    }

    // The reason goes to the log only.
    private static IResult Unauthorized() =>
        ActivityBody.Error(HttpStatusCode.Unauthorized, "Unauthorized", "This endpoint accepts only requests signed by Slack.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to /slack/events: {Reason}")]
    private static partial void LogUnauthorized(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a malformed request to /slack/events: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Slack OAuth install failed: {Reason}")]
    private static partial void LogOAuth(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed in a Slack workspace through OAuth (org-wide: {OrgWide})")]
    private static partial void LogInstalled(ILogger logger, bool orgWide);
}

/// <summary>
/// At start-up, with Slack:BotToken: auth.test says which workspace, bot user and bot the token is. A token Slack
/// refuses stops the app with one line saying so; Slack out of reach is retried in the background.
/// </summary>
public sealed partial class SlackStartup(
    SlackApiClient api,
    SlackWorkspaces workspaces,
    IServiceProvider services,
    IOptions<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackStartup> logger) : BackgroundService, IStartupCheck
{
    private volatile bool _retry;

    /// <summary>Run by <see cref="StartupChecks"/> before anything else starts.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        try
        {
            // Resolved here, not in the constructor: the host builds every hosted service before any starts, and the
            // renderer needs the catalog, whose own mistakes StartupChecks reports first.
            services.GetRequiredService<SlackRenderer>().LoadAll();
        }
        catch (InvalidOperationException exception)
        {
            throw new StartupException(exception.Message, exception);
        }

        if (settings.BotToken is not { Length: > 0 })
        {
            return;
        }

        try
        {
            await IdentifyAsync(settings.BotToken, cancellationToken);
        }
        catch (SlackApiException exception) when (exception.IsWorkspaceGone)
        {
            throw new StartupException($"Slack:BotToken was refused by Slack ({exception.Error}): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page again.", exception);
        }
        catch (SlackApiException exception)
        {
            // Slack out of reach: try again in the background rather than refuse to start.
            LogRetrying(logger, exception.Error);
            _retry = true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(5);
        while (_retry && !stoppingToken.IsCancellationRequested && workspaces.Configured is null)
        {
            await Task.Delay(delay, time, stoppingToken);
            try
            {
                await IdentifyAsync(options.Value.BotToken!, stoppingToken);
            }
            catch (SlackApiException exception)
            {
                LogRetrying(logger, exception.Error);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 300));
            }
        }
    }

    private async Task IdentifyAsync(string token, CancellationToken cancellationToken)
    {
        var auth = await api.AuthTestAsync(token, cancellationToken);
        var team = new SlackTeam(auth.TeamId, auth.EnterpriseId, auth.IsEnterpriseInstall);
        workspaces.SetConfigured(new SlackWorkspace(team.TenantId, auth.TeamId, auth.EnterpriseId, auth.Team, auth.IsEnterpriseInstall, token, auth.UserId, auth.BotId));
        LogIdentified(logger, team.TenantId, auth.UserId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack: the bot token is for workspace {TenantId}, bot user {BotUserId}")]
    private static partial void LogIdentified(ILogger logger, string tenantId, string botUserId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack: auth.test failed ({Error}); trying again")]
    private static partial void LogRetrying(ILogger logger, string error);
}
