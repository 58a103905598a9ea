using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StretchBot.Scheduling;

namespace StretchBot.FanoutBench;

/// <summary>When Quartz ran each schedule's job (Stopwatch timestamps), whatever the job then does.</summary>
public sealed class FiringMeter
{
    private readonly ConcurrentQueue<long> _started = new();
    private readonly ConcurrentQueue<long> _finished = new();
    private readonly ConcurrentDictionary<string, int> _perSchedule = new(StringComparer.Ordinal);
    private long _failed;

    public int Fired => _started.Count;

    public int Finished => _finished.Count;

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Schedules whose job ran more than once for the one due instant.</summary>
    public int Repeated => _perSchedule.Values.Count(n => n > 1);

    public IReadOnlyCollection<long> Started => _started;

    public IReadOnlyCollection<long> FinishedAt => _finished;

    public long Start(string scheduleId)
    {
        _perSchedule.AddOrUpdate(scheduleId, 1, static (_, n) => n + 1);
        var now = Stopwatch.GetTimestamp();
        _started.Enqueue(now);
        return now;
    }

    public void Finish(bool failed)
    {
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }

        _finished.Enqueue(Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Wraps the app's <see cref="INudgeFiring"/> (whatever its registration) so each firing is timed; or, for
    /// <c>--quartz-only</c>, replaces it with a no-op, so what is measured is Quartz's own firing on its store.
    /// Returns false when the app registers none (nothing would post when a trigger fires).
    /// </summary>
    public bool Install(IServiceCollection services, bool noOp, int standInWorkers = 0)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(INudgeFiring) && !d.IsKeyedService);
        if (standInWorkers > 0)
        {
            services.RemoveAll(typeof(INudgeFiring));
            services.AddSingleton(provider => new StandInFiring(provider, standInWorkers));
            services.AddSingleton<INudgeFiring>(provider => new Timed(provider.GetRequiredService<StandInFiring>(), this));
            return true;
        }

        if (noOp || registered is null)
        {
            services.RemoveAll(typeof(INudgeFiring));
            services.AddSingleton<INudgeFiring>(new Timed(null, this));
            return registered is not null;
        }

        services.Remove(registered);
        Func<IServiceProvider, INudgeFiring> inner = registered switch
        {
            { ImplementationInstance: INudgeFiring instance } => _ => instance,
            { ImplementationFactory: { } factory } => provider => (INudgeFiring)factory(provider),
            _ => provider => (INudgeFiring)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
        };
        services.Add(new ServiceDescriptor(typeof(INudgeFiring), provider => new Timed(inner(provider), this), registered.Lifetime));
        return true;
    }

    private sealed class Timed(INudgeFiring? inner, FiringMeter meter) : INudgeFiring
    {
        public async Task FireAsync(string scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken)
        {
            meter.Start(scheduleId);
            var failed = true;
            try
            {
                if (inner is not null)
                {
                    await inner.FireAsync(scheduleId, fireTime, cancellationToken);
                }

                failed = false;
            }
            finally
            {
                meter.Finish(failed);
            }
        }
    }
}
