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
public sealed class StartupChecks(IServiceProvider services, HostLogGate hostLog, ILogger<StartupChecks> logger) : IHostedService
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
            foreach (var check in services.GetServices<IStartupCheck>())
            {
                await check.CheckAsync(cancellationToken);
            }

            var database = services.GetRequiredService<Database>();
            await database.MigrateAsync(logger, cancellationToken);
            logger.LogInformation("StretchBot ready: {StretchCount} stretches, database {DatabasePath}", catalog.All.Count, database.Path);
        }
        catch (StartupException)
        {
            hostLog.HoldBackStartupFailure();
            throw;
        }
        catch (Exception exception) when (exception is CatalogValidationException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            hostLog.HoldBackStartupFailure();
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

/// <summary>
/// A channel's own check before the first request (Slack: the bot token is one Slack accepts), run by
/// <see cref="StartupChecks"/> before anything else starts. A <see cref="StartupException"/> stops the app with its message.
/// </summary>
public interface IStartupCheck
{
    Task CheckAsync(CancellationToken cancellationToken);
}

/// <summary>A configuration or environment problem found at start-up; its message says what to fix.</summary>
public sealed class StartupException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>A failure whose message says what to fix (several settings at once come as an AggregateException).</summary>
    public static bool IsConfigurationMistake(Exception exception) => exception switch
    {
        StartupException or CatalogValidationException or OptionsValidationException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsConfigurationMistake),
        _ => false,
    };

    /// <summary>The messages of a configuration mistake, one per problem, without stack traces.</summary>
    public static string Describe(Exception exception) => exception is AggregateException aggregate
        ? string.Join(" ", aggregate.InnerExceptions.Select(Describe))
        : exception.Message;
}

/// <summary>
/// Program.cs reports a failed start caused by configuration as one line saying what to fix, and the host logs the
/// same failure as an error with a stack trace. The gate holds back only that: the host's error logs once a start-up
/// check or an options validation has failed (the app is then on its way out). Everything else the host logs goes
/// through, so a background worker that crashes is logged with its exception, whenever it happens.
/// </summary>
public sealed class HostLogGate
{
    public const string Category = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _startupFailed;

    /// <summary>A configuration failure is about to stop the start; Program.cs says it in one line.</summary>
    public void HoldBackStartupFailure() => _startupFailed = true;

    public bool Allows(LogLevel level) => level >= LogLevel.Information && !(_startupFailed && level == LogLevel.Error);

    /// <summary>
    /// Settings validated on start (ValidateOnStart) are checked by the host itself, before any hosted service:
    /// wrap its validator so a failure there closes the gate too. Call after every options registration.
    /// </summary>
    public static void WatchOptionsValidation(IServiceCollection services)
    {
        var validator = services.LastOrDefault(d => d.ServiceType == typeof(IStartupValidator));
        if (validator?.ImplementationType is not { } type)
        {
            return;
        }

        services.Remove(validator);
        services.Add(ServiceDescriptor.Describe(
            typeof(IStartupValidator),
            sp => new WatchedValidator((IStartupValidator)ActivatorUtilities.CreateInstance(sp, type), sp.GetRequiredService<HostLogGate>()),
            validator.Lifetime));
    }

    private sealed class WatchedValidator(IStartupValidator inner, HostLogGate gate) : IStartupValidator
    {
        public void Validate()
        {
            try
            {
                inner.Validate();
            }
            catch (Exception exception) when (StartupException.IsConfigurationMistake(exception))
            {
                gate.HoldBackStartupFailure();
                throw;
            }
        }
    }
}
