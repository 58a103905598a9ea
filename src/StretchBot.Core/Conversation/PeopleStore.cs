using Dapper;
using StretchBot.Storage;

namespace StretchBot.Conversation;

public sealed record Person(string TenantId, string UserId, string DisplayName, string? TimeZone, bool IsNew);

/// <summary>People we have talked to: their display name and time zone, and whether this is first contact.</summary>
public sealed class PeopleStore(Database database, TimeProvider time)
{
    /// <summary>Records that the person spoke now; IsNew is true exactly once per person.</summary>
    public async Task<Person> TouchAsync(string tenantId, Who who, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var parameters = new { tenantId, userId = who.UserId, name = who.DisplayName, now = now.ToString("O"), tz = who.TimeZone };
        // Most turns come from people we know whose name and zone haven't changed: a read, no write.
        await using (var reader = await database.OpenAsync(cancellationToken))
        {
            var known = await reader.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
                "SELECT display_name AS DisplayName, time_zone AS TimeZone, last_seen AS LastSeen FROM people WHERE tenant_id = @tenantId AND user_id = @userId;",
                parameters, cancellationToken: cancellationToken));
            if (known is not null
                && known.DisplayName == who.DisplayName
                && (who.TimeZone is null || who.TimeZone == known.TimeZone)
                && known.LastSeen is { } lastSeen
                && now - DateTimeOffset.Parse(lastSeen, System.Globalization.CultureInfo.InvariantCulture) < LastSeenResolution)
            {
                return new Person(tenantId, who.UserId, known.DisplayName, known.TimeZone, IsNew: false);
            }
        }

        await using var write = await database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO people (tenant_id, user_id, display_name, first_seen, last_seen, time_zone)
            VALUES (@tenantId, @userId, @name, @now, @now, @tz)
            ON CONFLICT (tenant_id, user_id) DO NOTHING;
            """, parameters, cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            return new Person(tenantId, who.UserId, who.DisplayName, who.TimeZone, IsNew: true);
        }

        // A time zone we are told now beats the one we stored; a missing one keeps what we had.
        var stored = await connection.QuerySingleAsync<(string Name, string? Tz)>(new CommandDefinition("""
            UPDATE people SET display_name = @name, last_seen = @now, time_zone = COALESCE(@tz, time_zone)
            WHERE tenant_id = @tenantId AND user_id = @userId
            RETURNING display_name, time_zone;
            """, parameters, cancellationToken: cancellationToken));
        return new Person(tenantId, who.UserId, stored.Name, stored.Tz, IsNew: false);
    }

    // last_seen is kept to the minute: a burst of clicks doesn't rewrite the row each time.
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    private sealed class PersonRow
    {
        public string DisplayName { get; set; } = string.Empty;
        public string? TimeZone { get; set; }
        public string? LastSeen { get; set; }
    }
}
