using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Installs;
using StretchBot.Nudges;
using StretchBot.Scheduling;
using StretchBot.Stats;
using StretchBot.Storage;
using StretchBot.Stretching;

namespace StretchBot;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The conversation core and its storage, shared by every channel. <paramref name="contentRoot"/> is the app's
    /// content root: a relative Storage:SqlitePath is resolved against it.
    /// </summary>
    public static IServiceCollection AddStretchBotCore(this IServiceCollection services, string contentRoot)
    {
        services.AddOptions<StretchBotOptions>().BindConfiguration(StretchBotOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.DefaultTimeZone, out _), "StretchBot:DefaultTimeZone is not a known time zone id.")
            .ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SqlitePath), "Storage:SqlitePath is required.")
            .ValidateOnStart();

        services.AddStretchCatalog();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Random.Shared);
        services.AddSingleton(sp => new Database(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ResolvePath(contentRoot)));
        services.AddSingleton<PeopleStore>();
        services.AddSingleton<PromptStore>();
        services.AddSingleton<CompletionStore>();
        services.AddSingleton<CardPostStore>();
        services.AddSingleton<WalkthroughStore>();
        services.AddSingleton<InstallStore>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduleService>();
        services.AddSingleton<ScheduleConversation>();
        services.AddSingleton<TurnHandler>();
        services.AddScheduling();
        services.AddNudges();
        return services;
    }
}
