using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StretchBot.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StretchCatalog"/> as a singleton, loaded from the built-in stretches
    /// and the optional custom file in configuration section "Catalog". The catalog is loaded
    /// when the host starts, so a broken custom file stops start-up with a message naming the
    /// file, entry and field instead of failing on the first "stretch" request.
    /// </summary>
    public static IServiceCollection AddStretchCatalog(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CatalogOptions>>().Value;
            var contentRoot = sp.GetService<IHostEnvironment>()?.ContentRootPath;
            var resolved = new CatalogOptions
            {
                // Relative to the app, not to wherever the process happened to be started from.
                CustomPath = string.IsNullOrWhiteSpace(options.CustomPath) || Path.IsPathRooted(options.CustomPath) || contentRoot is null
                    ? options.CustomPath
                    : Path.Combine(contentRoot, options.CustomPath),
            };
            return StretchCatalogLoader.Load(resolved);
        });
        services.AddHostedService<CatalogStartupCheck>();
        return services;
    }

    private sealed class CatalogStartupCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<StretchCatalog>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
