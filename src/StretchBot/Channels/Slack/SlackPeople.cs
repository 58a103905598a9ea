using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StretchBot.Conversation;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Who a Slack user is, for the core: the name Slack shows (users.info: display name, else real name) and their time
/// zone, cached per workspace for Slack:UserCacheTime. When users.info can't answer, the name the request brought
/// (or the id) stands in, and the next request asks again.
/// </summary>
public sealed class SlackPeople(SlackApiClient api, TimeProvider time, IOptions<SlackOptions> options)
{
    private readonly ConcurrentDictionary<(string Tenant, string User), (SlackUser User, long At)> _cache = new();

    public async Task<Who> WhoAsync(SlackWorkspace workspace, string userId, string? nameFromRequest, CancellationToken cancellationToken)
    {
        var key = (workspace.TenantId, userId);
        if (_cache.TryGetValue(key, out var cached) && time.GetElapsedTime(cached.At) < options.Value.UserCacheTime)
        {
            return new Who(userId, cached.User.DisplayName, cached.User.TimeZone);
        }

        try
        {
            var user = await api.UserInfoAsync(workspace.BotToken, workspace.TenantId, userId, cancellationToken);
            if (_cache.Count > 50_000)
            {
                _cache.Clear();
            }

            _cache[key] = (user, time.GetTimestamp());
            return new Who(userId, user.DisplayName, user.TimeZone);
        }
        catch (SlackApiException)
        {
            return new Who(userId, string.IsNullOrWhiteSpace(nameFromRequest) ? userId : nameFromRequest);
        }
    }
}

/// <summary>
/// The event_ids seen in the last hour: Slack retries a delivery it thinks failed (X-Slack-Retry-Num, up to 3 times
/// over about 6 minutes), and an event must never act twice. Ids are globally unique across workspaces.
/// </summary>
public sealed class SlackEventIds(TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _lastSweep;

    /// <summary>True the first time an event id is offered within the hour; false for a repeat.</summary>
    public bool TryClaim(string eventId)
    {
        var now = time.GetTimestamp();
        if (_seen.Count > 10_000 && time.GetElapsedTime(Interlocked.Read(ref _lastSweep)) > TimeSpan.FromMinutes(1))
        {
            Interlocked.Exchange(ref _lastSweep, now);
            foreach (var (id, at) in _seen)
            {
                if (time.GetElapsedTime(at) > Keep)
                {
                    _seen.TryRemove(id, out _);
                }
            }
        }

        if (_seen.TryAdd(eventId, now))
        {
            return true;
        }

        // Seen more than an hour ago (not swept yet): Slack stopped retrying it long ago, so it is a new delivery.
        if (_seen.TryGetValue(eventId, out var first) && time.GetElapsedTime(first) > Keep)
        {
            return _seen.TryUpdate(eventId, now, first);
        }

        return false;
    }

    /// <summary>Gives an id back when its work could not even be queued, so Slack's retry is taken.</summary>
    public void Release(string eventId) => _seen.TryRemove(eventId, out _);
}
