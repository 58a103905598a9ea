using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Channels.Teams;
using StretchBot.Installs;
using StretchBot.Scheduling;

namespace StretchBot.FanoutBench;

/// <summary>
/// <c>--stand-in</c>: until the app's own nudge service is in the build, a firing trigger hands its schedule to a
/// queue that <see cref="Workers"/> workers drain through the app's real outbound path (BotConnectorClient on the
/// named HttpClient with the OutboundPipeline's retries and rate gates). It measures the delivery leg against the
/// fake's limits; it has no delivery records, cards or skips, so it is not the app's nudge.
/// </summary>
public sealed class StandInFiring(IServiceProvider services, int workers) : INudgeFiring
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private int _started;
    private long _failed;

    public int Workers => workers;

    public long Failed => Interlocked.Read(ref _failed);

    public Task FireAsync(string scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            for (var i = 0; i < workers; i++)
            {
                _ = Task.Run(WorkAsync, CancellationToken.None);
            }
        }

        return _queue.Writer.WriteAsync(scheduleId, cancellationToken).AsTask();
    }

    private async Task WorkAsync()
    {
        var schedules = services.GetRequiredService<ScheduleStore>();
        var installs = services.GetRequiredService<InstallStore>();
        var client = services.GetRequiredService<BotConnectorClient>();
        await foreach (var id in _queue.Reader.ReadAllAsync())
        {
            try
            {
                var schedule = await schedules.FindAsync(id, CancellationToken.None) ?? throw new InvalidOperationException("no schedule");
                var install = await installs.FindAsync(schedule.TenantId, schedule.ChannelId, schedule.ConversationId, CancellationToken.None) ?? throw new InvalidOperationException("no install");
                var reference = TeamsReference.Parse(install.Reference) ?? throw new InvalidOperationException("no reference");
                await client.SendAsync(reference.ServiceUrl, schedule.TenantId, reference.ConversationId,
                    new JsonObject { ["type"] = "message", ["text"] = "Time for a 2-minute stretch" }, CancellationToken.None);
            }
            catch (Exception exception) when (exception is BotConnectorException or InvalidOperationException or HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }
}
