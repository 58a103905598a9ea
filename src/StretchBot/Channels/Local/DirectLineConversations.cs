using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace StretchBot.Channels.Local;

/// <summary>
/// In-memory conversations of the local Direct Line channel: the activity log a client polls with a watermark.
/// Local by design: it is the playground's transport, and nothing in it is needed after a restart (completions live in the database).
/// </summary>
public sealed class DirectLineConversations(IOptions<LocalChannelOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DirectLineConversation> _conversations = new(StringComparer.Ordinal);
    private readonly LocalChannelOptions _options = options.Value;

    public DirectLineConversation Create()
    {
        var conversation = new DirectLineConversation(
            "dl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            _options.MaxActivitiesPerConversation,
            time);
        _conversations[conversation.Id] = conversation;
        Evict();
        return conversation;
    }

    /// <summary>Finds a conversation whose token matches; a wrong token is indistinguishable from a missing conversation.</summary>
    public DirectLineConversation? Find(string id, string? token)
    {
        return _conversations.TryGetValue(id, out var conversation) && conversation.HasToken(token) ? conversation.Touch() : null;
    }

    /// <summary>A conversation by id alone, for the bot's own messages into it (never for a client's request).</summary>
    public DirectLineConversation? Get(string id) => _conversations.TryGetValue(id, out var conversation) ? conversation : null;

    public DirectLineConversation? FindByToken(string? token) => _conversations.Values.FirstOrDefault(c => c.HasToken(token));

    private void Evict()
    {
        var excess = _conversations.Count - _options.MaxConversations;
        if (excess <= 0)
        {
            return;
        }

        foreach (var stale in _conversations.Values.OrderBy(c => c.LastUsed).Take(excess))
        {
            _conversations.TryRemove(stale.Id, out _);
        }
    }
}

public sealed class DirectLineConversation(string id, string token, int capacity, TimeProvider time)
{
    private readonly object _gate = new();
    private readonly LinkedList<(long Watermark, JsonObject Activity)> _activities = new();
    private long _sequence;

    public string Id { get; } = id;

    public string Token { get; } = token;

    public DateTimeOffset LastUsed { get; private set; } = time.GetUtcNow();

    /// <summary>Constant-time, so response timing doesn't reveal how much of a guessed token was right.</summary>
    public bool HasToken(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(token));

    public DirectLineConversation Touch()
    {
        LastUsed = time.GetUtcNow();
        return this;
    }

    /// <summary>Appends an activity, giving it its id, timestamp and conversation the way the Direct Line service does.</summary>
    public string Append(JsonObject activity)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            var id = $"{Id}|{sequence:D7}";
            activity["id"] = id;
            activity["timestamp"] = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
            activity["channelId"] = "directline";
            activity["conversation"] = new JsonObject { ["id"] = Id };
            _activities.AddLast((sequence, activity));
            while (_activities.Count > capacity)
            {
                _activities.RemoveFirst();
            }

            return id;
        }
    }

    /// <summary>Activities after the watermark, and the new watermark.</summary>
    public (JsonArray Activities, long Watermark) Since(long watermark)
    {
        lock (_gate)
        {
            var result = new JsonArray();
            foreach (var (mark, activity) in _activities)
            {
                if (mark > watermark)
                {
                    result.Add(activity.DeepClone());
                }
            }

            return (result, _sequence);
        }
    }
}
