using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Channels;

namespace StretchBot.Tests.Infrastructure;

/// <summary>One fresh app per test: its own SQLite file, a fake clock the test moves, and a settable client address.</summary>
public sealed class StretchBotFactory : WebApplicationFactory<Program>
{
    // Wednesday 18 November 2026, 10:30 UTC.
    public static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 30, 0, TimeSpan.Zero);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "stretchbot-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "stretchbot.db");

    /// <summary>
    /// The app's clock. Time passes only when the test says so: timers on it (the shared-card interval, Polly's
    /// retry delays and per-attempt timeouts) fire when the test advances it past them, never by themselves.
    /// </summary>
    public FakeTimeProvider Clock { get; } = new(Start);

    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>What the app sees as the client's address; the local channel answers loopback only.</summary>
    public IPAddress RemoteAddress { get; set; } = IPAddress.Loopback;

    public int RandomSeed { get; set; } = 1234;

    /// <summary>More service changes for one test (for example the loopback fakes of Teams' cloud services).</summary>
    public List<Action<IServiceCollection>> ServiceChanges { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(DataDirectory);
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) =>
        {
            config.AddInMemoryCollection(new Dictionary<string, string?>(Settings) { ["Storage:SqlitePath"] = DatabasePath });
        });
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.RemoveAll<Random>();
            services.AddSingleton(new Random(RandomSeed));
            services.AddSingleton<IStartupFilter>(new RemoteAddressStartupFilter(() => RemoteAddress));
            foreach (var change in ServiceChanges)
            {
                change(services);
            }
        });
    }

    /// <summary>
    /// Completes when every activity handed to the background so far is finished (replies sent, or given up).
    /// The timeout only guards against a test that would hang; a finished turn is signalled, not waited out.
    /// </summary>
    public Task WhenBackgroundWorkFinishedAsync() =>
        Services.GetRequiredService<BackgroundWork>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Reads the app's database directly (read-only), for asserting what was stored.</summary>
    public List<object?[]> Rows(string sql) => Rows(DatabasePath, sql);

    /// <summary>Reads a database file directly (read-only): the app's, or a published app process's. NULL reads as null.</summary>
    public static List<object?[]> Rows(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public long Count(string table) => (long)Rows($"SELECT COUNT(*) FROM {table}")[0][0]!;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private sealed class RemoteAddressStartupFilter(Func<IPAddress> address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address();
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
