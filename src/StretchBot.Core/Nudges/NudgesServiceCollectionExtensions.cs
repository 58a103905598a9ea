using Microsoft.Extensions.DependencyInjection;
using StretchBot.Scheduling;

namespace StretchBot.Nudges;

public static class NudgesServiceCollectionExtensions
{
    /// <summary>
    /// Scheduled nudges and Later: what a schedule's Quartz job calls (<see cref="INudgeFiring"/>), the durable delivery
    /// records and the dispatcher that sends them through the Outbox (registered by the host, with its channels).
    /// </summary>
    public static IServiceCollection AddNudges(this IServiceCollection services)
    {
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<NudgeDelivery>();
        services.AddSingleton<NudgeDispatcher>();
        // After the start-up checks (migrations): it reads the deliveries table as it starts.
        services.AddHostedService(sp => sp.GetRequiredService<NudgeDispatcher>());
        services.AddSingleton<NudgeService>();
        services.AddSingleton<INudgeFiring>(sp => sp.GetRequiredService<NudgeService>());
        return services;
    }
}
