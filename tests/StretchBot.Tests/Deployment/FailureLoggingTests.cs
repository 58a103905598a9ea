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
    // Whether the host then stops (the default) or carries on, the crash itself is logged as an error with the
    // worker's exception; the host's "stopping" message is not the only trace of it.
    [Theory]
    [InlineData(BackgroundServiceExceptionBehavior.StopHost)]
    [InlineData(BackgroundServiceExceptionBehavior.Ignore)]
    public async Task ABackgroundWorkerThatCrashesIsLoggedAsAnErrorWithItsException(BackgroundServiceExceptionBehavior behavior)
    {
        var logs = new CapturedLogs();
        Factory.ServiceChanges.Add(services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = behavior);
            services.AddSingleton<CrashSignal>();
            services.AddHostedService<CrashingWorker>();
        });
        using var client = Factory.CreateClient();

        // The app is up and serving; now the worker fails.
        Factory.Services.GetRequiredService<CrashSignal>().Crash();

        var crash = await logs.WaitForAsync(
            e => e.Level == LogLevel.Error && e.Exception?.Message == CrashingWorker.Failure,
            TimeSpan.FromSeconds(30));
        Assert.IsType<InvalidOperationException>(crash.Exception);
        Assert.Contains(nameof(CrashingWorker), crash.Exception!.StackTrace);
    }

    private sealed class CrashSignal
    {
        private readonly TaskCompletionSource _crash = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WhenCrashed => _crash.Task;

        public void Crash() => _crash.TrySetResult();
    }

    /// <summary>A worker that fails while the app is running, as a queue or scheduler would on a bad day.</summary>
    private sealed class CrashingWorker(CrashSignal signal) : BackgroundService
    {
        public const string Failure = "The crashing worker broke.";

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await signal.WhenCrashed.WaitAsync(stoppingToken);
            Crash();
        }

        private static void Crash() => throw new InvalidOperationException(Failure);
    }
}
