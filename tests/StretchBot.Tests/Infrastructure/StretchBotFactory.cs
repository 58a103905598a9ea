using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StretchBot.Tests.Infrastructure;

/// <summary>One fresh app per test: its own SQLite file, a hand-moved clock, and a settable client address.</summary>
public sealed class StretchBotFactory : WebApplicationFactory<Program>
{
    // Wednesday 18 November 2026, 10:30 UTC.
    public static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 30, 0, TimeSpan.Zero);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "stretchbot-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "stretchbot.db");

    public ManualClock Clock { get; } = new(Start);

    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>What the app sees as the client's address; the local channel answers loopback only.</summary>
    public IPAddress RemoteAddress { get; set; } = IPAddress.Loopback;

    public int RandomSeed { get; set; } = 1234;

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
        });
    }

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
