using Microsoft.Extensions.Options;

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
        return services;
    }

    /// <summary>The Direct Line endpoint and the playground page, when the local channel is on.</summary>
    public static IEndpointRouteBuilder MapLocalChannel(this IEndpointRouteBuilder routes)
    {
        if (!routes.ServiceProvider.GetRequiredService<IOptions<LocalChannelOptions>>().Value.Enabled)
        {
            return routes;
        }

        routes.MapDirectLine();
        routes.MapGet("/", (HttpContext context, IWebHostEnvironment environment) =>
            DirectLineEndpoints.IsLoopback(context)
                ? Results.File(environment.WebRootFileProvider.GetFileInfo("playground.html").CreateReadStream(), "text/html; charset=utf-8")
                : Results.NotFound());
        return routes;
    }
}
