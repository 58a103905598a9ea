using System.Globalization;
using System.Text;
using Dapper;
using StretchBot.Storage;

namespace StretchBot.Conversation;

/// <param name="DisplayName">The name shown on leaderboards and stats: the channel's, or the one the person chose.</param>
public sealed record Person(string TenantId, string UserId, string DisplayName, string? TimeZone, bool IsNew);

/// <summary>People we have talked to: their display name and time zone, and whether this is first contact.</summary>
/// <remarks>
/// A channel that knows people's names (Teams) sets display_name on every turn. Where it doesn't (the playground),
/// display_name starts as a friendly default and is whatever the person last chose with <c>name</c>: one column, so the
/// leaderboard, stats and Done card read the same name whatever the channel.
/// </remarks>
public sealed class PeopleStore(Database database, TimeProvider time)
{
    /// <summary>The longest name a person can choose, in characters as people count them.</summary>
    public const int MaxChosenName = 40;

    /// <summary>Records that the person spoke now; IsNew is true exactly once per person.</summary>
    /// <summary>A person as stored, without recording anything; null for someone never seen.</summary>
    public async Task<Person?> FindAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var known = await connection.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
            "SELECT display_name AS DisplayName, time_zone AS TimeZone, last_seen AS LastSeen FROM people WHERE tenant_id = @tenantId AND user_id = @userId;",
            new { tenantId, userId }, cancellationToken: cancellationToken));
        return known is null ? null : new Person(tenantId, userId, known.DisplayName, known.TimeZone, IsNew: false);
    }

    public async Task<Person> TouchAsync(string tenantId, Who who, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var parameters = new { tenantId, userId = who.UserId, name = who.DisplayName, fallback = DefaultName(who.UserId), now = now.ToString("O"), tz = who.TimeZone };
        // Most turns come from people we know whose name and zone haven't changed: a read, no write.
        await using (var reader = await database.OpenAsync(cancellationToken))
        {
            var known = await reader.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
                "SELECT display_name AS DisplayName, time_zone AS TimeZone, last_seen AS LastSeen FROM people WHERE tenant_id = @tenantId AND user_id = @userId;",
                parameters, cancellationToken: cancellationToken));
            if (known is not null
                && (who.DisplayName is null || known.DisplayName == who.DisplayName)
                && (who.TimeZone is null || who.TimeZone == known.TimeZone)
                && known.LastSeen is { } lastSeen
                && now - DateTimeOffset.Parse(lastSeen, CultureInfo.InvariantCulture) < LastSeenResolution)
            {
                return new Person(tenantId, who.UserId, known.DisplayName, known.TimeZone, IsNew: false);
            }
        }

        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO people (tenant_id, user_id, display_name, first_seen, last_seen, time_zone)
            VALUES (@tenantId, @userId, COALESCE(@name, @fallback), @now, @now, @tz)
            ON CONFLICT (tenant_id, user_id) DO NOTHING;
            """, parameters, cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            return new Person(tenantId, who.UserId, who.DisplayName ?? DefaultName(who.UserId), who.TimeZone, IsNew: true);
        }

        // A name or time zone we are told now beats the one we stored; a missing one keeps what we had (a chosen name).
        var stored = await connection.QuerySingleAsync<(string Name, string? Tz)>(new CommandDefinition("""
            UPDATE people SET display_name = COALESCE(@name, display_name), last_seen = @now, time_zone = COALESCE(@tz, time_zone)
            WHERE tenant_id = @tenantId AND user_id = @userId
            RETURNING display_name, time_zone;
            """, parameters, cancellationToken: cancellationToken));
        return new Person(tenantId, who.UserId, stored.Name, stored.Tz, IsNew: false);
    }

    /// <summary>The name a person chose with <c>name</c>, for channels that give none. Returns the person as stored.</summary>
    public async Task<Person> RenameAsync(Person person, string name, CancellationToken cancellationToken)
    {
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE people SET display_name = @name WHERE tenant_id = @tenantId AND user_id = @userId;",
            new { name, tenantId = person.TenantId, userId = person.UserId }, cancellationToken: cancellationToken));
        return person with { DisplayName = name };
    }

    /// <summary>
    /// Checks a name someone typed after <c>name</c>: on one line, 1 to <see cref="MaxChosenName"/> characters, with at
    /// least one letter or digit. Returns the cleaned name, or null with what to fix. Markup is fine: it's shown as text.
    /// </summary>
    public static string? CleanChosenName(string typed, out string? problem)
    {
        var name = Said.OneLine(typed).Trim().Trim('"', '\'', '“', '”');
        problem = new StringInfo(name).LengthInTextElements switch
        {
            0 => "empty",
            > MaxChosenName => "long",
            _ when !name.Any(char.IsLetterOrDigit) => "no letters",
            _ => null,
        };
        return problem is null ? name : null;
    }

    /// <summary>
    /// A friendly name for someone whose channel gives none, until they choose their own: the same for the same id every
    /// time (a stable hash, not string.GetHashCode, which changes per process).
    /// </summary>
    public static string DefaultName(string userId)
    {
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(userId))
        {
            hash = (hash ^ b) * 16777619;
        }

        return $"{Adjectives[hash % (uint)Adjectives.Length]} {Animals[(hash / (uint)Adjectives.Length) % (uint)Animals.Length]}";
    }

    private static readonly string[] Adjectives = ["Calm", "Nimble", "Limber", "Steady", "Sunny", "Bendy", "Breezy", "Gentle", "Lively", "Mellow", "Plucky", "Supple", "Zesty", "Easy", "Bright", "Jolly"];

    private static readonly string[] Animals = ["Otter", "Heron", "Panda", "Koala", "Lynx", "Gecko", "Puffin", "Ibex", "Seal", "Crane", "Fox", "Lemur", "Tapir", "Wombat", "Quokka", "Yak"];

    // last_seen is kept to the minute: a burst of clicks doesn't rewrite the row each time.
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    private sealed class PersonRow
    {
        public string DisplayName { get; set; } = string.Empty;
        public string? TimeZone { get; set; }
        public string? LastSeen { get; set; }
    }
}
