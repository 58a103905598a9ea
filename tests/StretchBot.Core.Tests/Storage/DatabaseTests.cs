using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using StretchBot.Storage;

namespace StretchBot.Core.Tests.Storage;

/// <summary>A migrated database in a temporary file of its own.</summary>
public abstract class SqliteFileTest : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stretchbot-db-" + Guid.NewGuid().ToString("N"));

    protected Database Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = new Database(Path.Combine(_directory, "stretchbot.db"));
        await Database.MigrateAsync(NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>The write turn on a real SQLite file: one writer at a time, and nothing a turn leaves open reaches the next.</summary>
public sealed class DatabaseTests : SqliteFileTest
{
    [Fact]
    public async Task WriteTurnsTakeTurns()
    {
        var first = await Database.OpenForWriteAsync();
        var second = Database.OpenForWriteAsync();

        // The first writer's turn lasts as long as its work; the second is still waiting when that work is done.
        await first.Connection.ExecuteAsync("INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'first', 'First', '2026-11-21');");
        Assert.Equal(1, await first.Connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM people"));
        Assert.False(second.IsCompleted, "a second writer got its turn while the first still had it");

        await first.DisposeAsync();
        await using var next = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(first.Connection, next.Connection);
    }

    [Fact]
    public async Task ATransactionLeftOpenIsRolledBackNotHandedToTheNextWriter()
    {
        await using (var careless = await Database.OpenForWriteAsync())
        {
            await careless.Connection.ExecuteAsync("BEGIN; INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'u', 'Lost', '2026-11-21');");
        }

        await using (var next = await Database.OpenForWriteAsync())
        {
            await next.Connection.ExecuteAsync("INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'kept', 'Kept', '2026-11-21');");
        }

        await using var reader = await Database.OpenAsync();
        Assert.Equal(["kept"], await reader.QueryAsync<string>("SELECT user_id FROM people"));
    }

    [Fact]
    public async Task AWriterConnectionClosedByMistakeIsReopened()
    {
        await using (var turn = await Database.OpenForWriteAsync())
        {
            turn.Connection.Dispose();
        }

        await using var next = await Database.OpenForWriteAsync();
        Assert.Equal(1, await next.Connection.ExecuteAsync("INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'u', 'Ada', '2026-11-21');"));
    }

    [Fact]
    public async Task AfterDisposeNoWriteTurnIsGiven()
    {
        await Database.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Database.OpenForWriteAsync());
    }
}
