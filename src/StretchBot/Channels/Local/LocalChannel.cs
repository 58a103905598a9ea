namespace StretchBot.Channels.Local;

public static class LocalChannel
{
    public static IServiceCollection AddLocalChannel(this IServiceCollection services)
    {
        services.AddOptions<LocalChannelOptions>().BindConfiguration(LocalChannelOptions.Section)
            .Validate(o => o.MaxActivityBytes is >= 1024 and <= 4 * 1024 * 1024, "LocalChannel:MaxActivityBytes must be between 1 KB and 4 MB.")
            .Validate(o => o.MaxStoredBytes >= 4L * o.MaxActivityBytes, "LocalChannel:MaxStoredBytes must be at least four times LocalChannel:MaxActivityBytes.")
            .ValidateOnStart();
        services.AddSingleton<DirectLineConversations>();
        services.AddSingleton<LocalReplies>();
        services.AddSingleton<LocalSender>();
        services.AddSingleton<StretchBot.Delivery.IChannelSender>(sp => sp.GetRequiredService<LocalSender>());
        return services;
    }

    /// <summary>The Direct Line endpoint and the playground page, when the local channel is on.</summary>
    public static IEndpointRouteBuilder MapLocalChannel(this IEndpointRouteBuilder routes)
    {
        // Read without validating: validation runs at start-up and reports every bad setting in one line.
        var enabled = routes.ServiceProvider.GetRequiredService<IConfiguration>()[$"{LocalChannelOptions.Section}:{nameof(LocalChannelOptions.Enabled)}"];
        if (bool.TryParse(enabled, out var on) && !on)
        {
            return routes;
        }

        routes.MapDirectLine();
        routes.MapGet("/", Playground);
        return routes;
    }

    // The page comes from the web root (wwwroot beside the app, see Program.cs), never from the working folder;
    // start-up checks that it is there.
    private static IResult Playground(HttpContext context, IWebHostEnvironment environment)
    {
        var page = environment.WebRootFileProvider.GetFileInfo("playground.html");
        return DirectLineEndpoints.IsLoopback(context) && page.Exists
            ? TypedResults.File(page.CreateReadStream(), "text/html; charset=utf-8")
            : TypedResults.NotFound();
    }
}
