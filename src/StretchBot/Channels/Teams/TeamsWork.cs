using System.Threading.Channels;

namespace StretchBot.Channels.Teams;

/// <summary>
/// Work the connector doesn't wait for: it gets its 200 at once and the replies follow through the REST API.
/// A bounded queue drained by a few workers; a full queue makes the endpoint answer 503 so the connector retries.
/// </summary>
public sealed partial class TeamsWork(ILogger<TeamsWork> logger) : BackgroundService
{
    private const int Workers = 8;
    private readonly Channel<Func<CancellationToken, Task>> _queue = Channel.CreateBounded<Func<CancellationToken, Task>>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false });

    public bool TryEnqueue(Func<CancellationToken, Task> work) => _queue.Writer.TryWrite(work);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => DrainAsync(stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await work(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // The host doesn't log background failures here (see Program.cs): this is the only record.
                    LogFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a Teams activity failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
