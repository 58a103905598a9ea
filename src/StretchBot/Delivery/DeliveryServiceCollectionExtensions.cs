using StretchBot.Channels;

namespace StretchBot.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>
    /// The outbound seam every channel and job sends through (<see cref="Outbox"/>), shared-card tallies, and the
    /// background queue for work a channel doesn't wait for. Channels add their <see cref="IChannelSender"/>.
    /// </summary>
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddSingleton<Outbox>();
        services.AddSingleton<SharedCardUpdates>();
        services.AddSingleton<BackgroundWork>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundWork>());
        return services;
    }
}
