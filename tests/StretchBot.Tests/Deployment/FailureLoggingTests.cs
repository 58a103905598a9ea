using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Deployment;

/// <summary>
/// Start-up failures are reported in one line (see <see cref="PublishedAppTests"/>), but that must not silence the
/// host: a background worker that crashes once the app is running is logged with its exception.
/// </summary>
public sealed class FailureLoggingTests : AppTest
{
    [Fact]
    public async Task ABackgroundWorkerThatCrashesIsLoggedWithItsException()
    {
        var logs = new CapturedLogs();
        Factory.ServiceChanges.Add(services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddHostedService<CrashingWorker>();
        });

        using var client = Factory.CreateClient();

        var crash = await logs.WaitForAsync(e => e.Exception?.Message == CrashingWorker.Failure, TimeSpan.FromSeconds(30));
        Assert.True(crash.Level >= LogLevel.Error, $"Logged at {crash.Level}.");
        Assert.IsType<InvalidOperationException>(crash.Exception);
        Assert.Contains(nameof(CrashingWorker), crash.Exception!.StackTrace);
    }

    /// <summary>A worker that fails after the app has started, as a queue or scheduler would on a bad day.</summary>
    private sealed class CrashingWorker(IHostApplicationLifetime lifetime) : BackgroundService
    {
        public const string Failure = "The crashing worker broke.";

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }

            Crash();
        }

        private static void Crash() => throw new InvalidOperationException(Failure);
    }
}
