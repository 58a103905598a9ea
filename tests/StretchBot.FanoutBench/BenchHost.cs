using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using StretchBot.Tests;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.FanoutBench;

/// <summary>
/// The app on real Kestrel (loopback, its own SQLite file) on the system clock, Teams enabled without an app id
/// (no inbound JWT check, no outbound token), sending to whatever serviceUrl the installs hold: the fake connector.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(StretchBotFactory factory, Uri address, bool hasFiring)
    {
        Factory = factory;
        Address = address;
        AppHasFiring = hasFiring;
    }

    public StretchBotFactory Factory { get; }

    public Uri Address { get; }

    /// <summary>Whether the app itself registers an <see cref="StretchBot.Scheduling.INudgeFiring"/> (what posts a nudge).</summary>
    public bool AppHasFiring { get; }

    public static BenchHost Start(BenchOptions options, FiringMeter meter)
    {
        // WebApplicationFactory finds the app's content root this way when it isn't run from a test project.
        if (Environment.GetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT") is null)
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT", Path.Combine(NodeScript.RepoRoot, "src", "StretchBot"));
        }

        var factory = new StretchBotFactory();
        factory.Settings["Teams:Enabled"] = "true";
        // Console logging at Information would measure the console, not the fan-out.
        factory.Settings["Logging:LogLevel:Default"] = "Warning";
        factory.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
        foreach (var (key, value) in options.Settings)
        {
            factory.Settings[key] = value;
        }

        var hasFiring = false;
        factory.ServiceChanges.Add(services =>
        {
            // Real time: the fake's windows and the app's rate gates run on the same clock as the due instant.
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(TimeProvider.System);
            hasFiring = meter.Install(services, options.QuartzOnly, options.StandIn ? options.StandInWorkers : 0);
            if (options.Quartz.Count > 0)
            {
                services.Configure<QuartzOptions>(StretchBot.Scheduling.SchedulingServiceCollectionExtensions.SchedulerName, quartz =>
                {
                    foreach (var (key, value) in options.Quartz)
                    {
                        quartz.Properties[key] = value;
                    }
                });
            }
        });
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchHost(factory, new Uri(address), hasFiring);
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}
