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
        var now = time.GetUtcNow().ToString("O");
        await using var connection = await database.OpenAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO people (tenant_id, user_id, display_name, first_seen, last_seen, time_zone)
            VALUES (@tenantId, @userId, @name, @now, @now, @tz)
            ON CONFLICT (tenant_id, user_id) DO NOTHING;
            """, new { tenantId, userId = who.UserId, name = who.DisplayName, now, tz = who.TimeZone }, cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            return new Person(tenantId, who.UserId, who.DisplayName, who.TimeZone, IsNew: true);
        }

        // A time zone we are told now beats the one we stored; a missing one keeps what we had.
        var stored = await connection.QuerySingleAsync<(string Name, string? Tz)>(new CommandDefinition("""
            UPDATE people SET display_name = @name, last_seen = @now, time_zone = COALESCE(@tz, time_zone)
            WHERE tenant_id = @tenantId AND user_id = @userId
            RETURNING display_name, time_zone;
            """, new { tenantId, userId = who.UserId, name = who.DisplayName, now, tz = who.TimeZone }, cancellationToken: cancellationToken));
        return new Person(tenantId, who.UserId, stored.Name, stored.Tz, IsNew: false);
    }
}
