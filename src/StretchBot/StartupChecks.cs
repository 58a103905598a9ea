using Microsoft.Extensions.Options;
using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Channels.Local;
using StretchBot.Storage;

namespace StretchBot;

/// <summary>
/// Everything that must hold before the first request: the catalog (with any custom file) is valid, the card
/// templates parse, the playground's files are there when the local channel is on, and the database schema is
/// current. A failure stops the app with a message saying what to fix.
/// </summary>
public sealed class StartupChecks(IServiceProvider services, ILogger<StartupChecks> logger) : IHostedService
{
    /// <summary>What the playground page needs from the web root: the page and the Web Chat bundle it loads.</summary>
    public static readonly string[] PlaygroundFiles = ["playground.html", "lib/webchat.js"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var catalog = services.GetRequiredService<StretchCatalog>();
            services.GetRequiredService<CardRenderer>().LoadAll();
            CheckPlaygroundFiles();
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

    // Without this a deployment missing wwwroot starts fine and answers "/" with an error page.
    private void CheckPlaygroundFiles()
    {
        if (!services.GetRequiredService<IOptions<LocalChannelOptions>>().Value.Enabled)
        {
            return;
        }

        var environment = services.GetRequiredService<IWebHostEnvironment>();
        var missing = PlaygroundFiles.Where(file => !environment.WebRootFileProvider.GetFileInfo(file).Exists).ToList();
        if (missing.Count > 0)
        {
            var webRoot = environment.WebRootPath ?? Path.Combine(environment.ContentRootPath, "wwwroot");
            throw new InvalidOperationException(
                $"The playground's {string.Join(" and ", missing)} are missing from {webRoot}. Run StretchBot.dll from the folder " +
                "`dotnet publish` wrote (its wwwroot travels with it), or set LocalChannel:Enabled=false.");
        }
    }
}

/// <summary>A configuration or environment problem found at start-up; its message says what to fix.</summary>
public sealed class StartupException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Program.cs reports a failed start as one line saying what to fix; the host logs the same failure as an error with
/// a stack trace. This holds back only the host's errors while it starts. Once it has started everything it logs goes
/// through, so a background worker that crashes is logged with its exception; a worker that fails while the host is
/// still starting is logged too, at Critical, when it stops the host.
/// </summary>
public sealed class HostLogGate
{
    public const string Category = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _started;

    public void Started() => _started = true;

    public bool Allows(LogLevel level) => level >= LogLevel.Information && (_started || level != LogLevel.Error);
}
