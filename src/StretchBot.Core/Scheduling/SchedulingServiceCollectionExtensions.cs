using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;
using StretchBot.Storage;

namespace StretchBot.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>
    /// The Quartz scheduler, its jobs and triggers kept in the app's own database file (the <see cref="Database"/>'s
    /// path, so Storage:SqlitePath moves both), its QRTZ_* tables created on first start and never migrated by us.
    /// </summary>
    /// <remarks>
    /// Quartz 4.7.3 runs a named scheduler on the <see cref="TimeProvider"/> registered under its name: here the app's
    /// clock (which tests replace with a fake one) plus Scheduling:PrepareAhead, so fire times, misfire checks and the
    /// scheduler loop's waits all follow the app's clock, a minute early.
    /// </remarks>
    public static IServiceCollection AddScheduling(this IServiceCollection services)
    {
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulingOptions>, ExplainSchedulingOptions>();

        // A scheduler of its own name, so it can have a clock of its own (a named scheduler's keyed TimeProvider is
        // used by every part of it, its job store included): the app's clock, Scheduling:PrepareAhead ahead. Every
        // trigger then fires that much before its time, with its real time as the scheduled fire time, and the nudge
        // is prepared (picked, recorded) before the minute it is due. The name is Quartz's default instance name, so a
        // database written before this keeps its jobs and triggers.
        services.AddKeyedSingleton<TimeProvider>(SchedulerName, static (provider, _) =>
            new AheadClock(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<SchedulingOptions>>().Value.PrepareAhead));
        services.AddQuartz(SchedulerName, quartz =>
        {
            // 10,000 channels due at 10:00 are 10,000 triggers at once: the pool (and with it the batch Quartz acquires
            // per round on a persistent store) sets how fast they fire. FanoutBench measured Quartz alone on this file at
            // 240 firings/s with 10 threads, 490/s with 64, and no more with 128. The jobs are thin, so threads are cheap.
            quartz.UseDefaultThreadPool(64);
            quartz.UsePersistentStore(store =>
            {
                // Built from the container rather than at registration: the database path comes from settings that a
                // host (or a test's factory) may still change after this runs.
                store.UseSqlite(source => source.DataSourceFactory = provider =>
                    new QuartzSqliteDataSource(ConnectionString(provider.GetRequiredService<Database>().Path)));
                store.ProvisionSchema();
            });
        });

        // The app asks for "the" scheduler factory: this one.
        services.AddSingleton<ISchedulerFactory>(static provider => provider.GetRequiredKeyedService<ISchedulerFactory>(SchedulerName));

        // Quartz's own "misfired" line sits past ours: a late fire (a restart, a busy 10:00) still reaches the nudge
        // service, which records it as sent or as skipped-late by Scheduling:MisfireThreshold. Below Quartz's line a
        // trigger would be handled by Quartz alone, with no record of the nudge it dropped. Quartz's clock runs
        // PrepareAhead ahead, so its line is that much further out.
        services.AddOptions<AdoJobStoreOptions>(SchedulerName).Configure<IOptions<SchedulingOptions>>((store, scheduling) =>
            store.MisfireThreshold = scheduling.Value.MisfireThreshold + scheduling.Value.PrepareAhead + TimeSpan.FromMinutes(1));

        // Shutdown waits for a nudge being handed to delivery instead of cutting it off half-way.
        services.AddQuartzHostedService(SchedulerName, options => options.WaitForJobsToComplete = true);

        // After the database is migrated (StartupChecks is the first hosted service): a running schedule missing its job gets it.
        services.AddHostedService<ScheduleReconciler>();
        return services;
    }

    /// <summary>The nudge scheduler's name (Quartz's default instance name, which its tables already carry).</summary>
    public const string SchedulerName = "QuartzScheduler";

    /// <summary>The app's clock, <paramref name="ahead"/> ahead: Quartz's, so triggers fire that much before their time.</summary>
    internal sealed class AheadClock(TimeProvider inner, TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + ahead;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Says exactly which setting is wrong, for the one-line start-up error.</summary>
    private sealed class ExplainSchedulingOptions : IValidateOptions<SchedulingOptions>
    {
        public ValidateOptionsResult Validate(string? name, SchedulingOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        // The app's own writer and Quartz share the file: a write waits for the other's turn instead of failing busy.
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>
    /// Quartz's connections to the app's SQLite file, with the app's own durability setting: the file is in WAL mode
    /// and the app writes with synchronous=NORMAL (a commit is durable at the next checkpoint, and the file is never
    /// corrupted by a crash). Quartz's connections would otherwise default to FULL, an fsync on every commit, and a
    /// trigger costs several commits: 10,000 channels due at 10:00 then take minutes to fire instead of seconds.
    /// </summary>
    private sealed class QuartzSqliteDataSource(string connectionString) : System.Data.Common.DbDataSource
    {
        public override string ConnectionString => connectionString;

        protected override System.Data.Common.DbConnection CreateDbConnection()
        {
            var connection = new SqliteConnection(connectionString);
            connection.StateChange += static (sender, change) =>
            {
                if (change.CurrentState == System.Data.ConnectionState.Open && sender is SqliteConnection opened)
                {
                    using var command = opened.CreateCommand();
                    command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
                    command.ExecuteNonQuery();
                }
            };
            return connection;
        }
    }
}
