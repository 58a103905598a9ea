using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace StretchBot.Channels.Local;

/// <summary>
/// In-memory conversations of the local Direct Line channel: the activity log a client polls with a watermark.
/// Local by design: it is the playground's transport, and nothing in it is needed after a restart (completions live in the database).
/// Bounded three ways, so no local client can grow the process without limit: conversations (least recently used
/// dropped), activities per conversation (oldest dropped), and the bytes of all stored activities together
/// (least recently used conversations dropped first, then the oldest activities of the one in use).
/// </summary>
public sealed class DirectLineConversations(IOptions<LocalChannelOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DirectLineConversation> _conversations = new(StringComparer.Ordinal);
    private readonly LocalChannelOptions _options = options.Value;
    private readonly Lock _evictionGate = new();
    private long _storedBytes;

    /// <summary>Approximate memory held by stored activities, in bytes.</summary>
    public long StoredBytes => Interlocked.Read(ref _storedBytes);

    public int Count => _conversations.Count;

    public DirectLineConversation Create()
    {
        var conversation = new DirectLineConversation(
            "dl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            _options.MaxActivitiesPerConversation,
            time,
            this);
        _conversations[conversation.Id] = conversation;
        EvictConversations();
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

    /// <summary>Counts a change in a conversation's stored bytes (called under that conversation's lock, so eviction never misses it).</summary>
    internal void AddStoredBytes(long delta) => Interlocked.Add(ref _storedBytes, delta);

    /// <summary>Past the budget, other conversations make room for this one, least recently used first.</summary>
    internal void MakeRoom(DirectLineConversation conversation)
    {
        if (StoredBytes <= _options.MaxStoredBytes)
        {
            return;
        }

        lock (_evictionGate)
        {
            foreach (var stale in _conversations.Values.Where(c => c != conversation).OrderBy(c => c.LastUsedTicks))
            {
                if (StoredBytes <= _options.MaxStoredBytes)
                {
                    return;
                }

                Remove(stale);
            }

            // Alone over the budget: this conversation gives up its oldest activities (it keeps its newest).
            var excess = StoredBytes - _options.MaxStoredBytes;
            if (excess > 0)
            {
                Interlocked.Add(ref _storedBytes, -conversation.DropOldest(excess));
            }
        }
    }

    private void EvictConversations()
    {
        lock (_evictionGate)
        {
            var excess = _conversations.Count - _options.MaxConversations;
            foreach (var stale in _conversations.Values.OrderBy(c => c.LastUsedTicks).Take(Math.Max(excess, 0)))
            {
                Remove(stale);
            }
        }
    }

    private void Remove(DirectLineConversation conversation)
    {
        if (_conversations.TryRemove(new KeyValuePair<string, DirectLineConversation>(conversation.Id, conversation)))
        {
            Interlocked.Add(ref _storedBytes, -conversation.Close());
        }
    }
}

public sealed class DirectLineConversation
{
    // What a stored activity costs beyond its JSON: the array, the list node and the tuple.
    private const int OverheadBytes = 96;

    private readonly Lock _gate = new();
    private readonly LinkedList<(long Watermark, byte[] Json)> _activities = new();
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly DirectLineConversations _owner;
    private long _sequence;
    private long _bytes;
    private long _lastUsedTicks;
    private bool _closed;

    internal DirectLineConversation(string id, string token, int capacity, TimeProvider time, DirectLineConversations owner)
    {
        Id = id;
        Token = token;
        _capacity = capacity;
        _time = time;
        _owner = owner;
        _lastUsedTicks = time.GetUtcNow().UtcTicks;
    }

    public string Id { get; }

    public string Token { get; }

    public DateTimeOffset LastUsed => new(LastUsedTicks, TimeSpan.Zero);

    internal long LastUsedTicks => Interlocked.Read(ref _lastUsedTicks);

    /// <summary>Constant-time, so response timing doesn't reveal how much of a guessed token was right.</summary>
    public bool HasToken(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(token));

    public DirectLineConversation Touch()
    {
        Interlocked.Exchange(ref _lastUsedTicks, _time.GetUtcNow().UtcTicks);
        return this;
    }

    /// <summary>
    /// Appends an activity, giving it its id, timestamp and conversation the way the Direct Line service does.
    /// It is stored as the JSON it will be served as, so an activity that cannot be written is refused here
    /// (an exception for this one request) and can never make a later poll fail.
    /// </summary>
    public string Append(JsonObject activity)
    {
        string id;
        lock (_gate)
        {
            var sequence = _sequence + 1;
            id = $"{Id}|{sequence:D7}";
            activity["id"] = id;
            activity["timestamp"] = _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
            activity["channelId"] = "directline";
            activity["conversation"] = new JsonObject { ["id"] = Id };
            var json = Serialize(activity);
            _sequence = sequence;
            if (_closed)
            {
                return id;
            }

            _activities.AddLast((sequence, json));
            long delta = json.Length + OverheadBytes;
            while (_activities.Count > _capacity)
            {
                delta -= RemoveFirst();
            }

            _bytes += delta;
            _owner.AddStoredBytes(delta);
        }

        _owner.MakeRoom(this);
        return id;
    }

    /// <summary>Activities after the watermark, and the new watermark.</summary>
    public (JsonArray Activities, long Watermark) Since(long watermark)
    {
        lock (_gate)
        {
            var result = new JsonArray();
            foreach (var (mark, json) in _activities)
            {
                if (mark > watermark)
                {
                    result.Add(JsonNode.Parse(json));
                }
            }

            return (result, _sequence);
        }
    }

    /// <summary>Drops the oldest activities until <paramref name="excess"/> bytes are freed or one is left; returns the bytes freed.</summary>
    internal long DropOldest(long excess)
    {
        lock (_gate)
        {
            long freed = 0;
            while (freed < excess && _activities.Count > 1)
            {
                freed += RemoveFirst();
            }

            _bytes -= freed;
            return freed;
        }
    }

    /// <summary>Forgets everything (the conversation was evicted); returns the bytes freed.</summary>
    internal long Close()
    {
        lock (_gate)
        {
            _closed = true;
            _activities.Clear();
            var freed = _bytes;
            _bytes = 0;
            return freed;
        }
    }

    private long RemoveFirst()
    {
        var size = _activities.First!.Value.Json.Length + OverheadBytes;
        _activities.RemoveFirst();
        return size;
    }

    private static byte[] Serialize(JsonObject activity)
    {
        // The writer would escape a lone surrogate happily, and the poll that reads it back would then fail.
        if (ActivityBody.FirstIllFormedString(activity) is { } where)
        {
            throw new ArgumentException($"The activity has a lone UTF-16 surrogate {where}; it was not stored.", nameof(activity));
        }

        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(activity);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException("The activity has a string that cannot be written as JSON; it was not stored.", nameof(activity), exception);
        }
    }
}
