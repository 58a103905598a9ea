using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Storage;

namespace StretchBot;

/// <summary>
/// Everything that must hold before the first request: the catalog (with any custom file) is valid, the card
/// templates parse, and the database schema is current. A failure stops the app with a message saying what to fix.
/// </summary>
public sealed class StartupChecks(IServiceProvider services, ILogger<StartupChecks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var catalog = services.GetRequiredService<StretchCatalog>();
            services.GetRequiredService<CardRenderer>().LoadAll();
            var database = services.GetRequiredService<Database>();
            await database.MigrateAsync(logger, cancellationToken);
            logger.LogInformation("StretchBot ready: {StretchCount} stretches, database {DatabasePath}", catalog.All.Count, database.Path);
        }
        catch (Exception exception) when (exception is CatalogValidationException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException(exception.Message, exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A configuration or environment problem found at start-up; its message says what to fix.</summary>
public sealed class StartupException(string message, Exception inner) : Exception(message, inner);
