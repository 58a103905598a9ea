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
    [Fact]
    public async Task WritesWaitingTogetherCommitInOneTransactionAndOneThatFailsFailsAlone()
    {
        // The writer is busy while 50 writes arrive; one of them breaks a constraint.
        var busy = await Database.OpenForWriteAsync();
        var writes = Enumerable.Range(0, 50).Select(i => Database.WriteTogetherAsync(async (connection, token) =>
        {
            var id = i == 17 ? "u-0" : $"u-{i}";
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', @id, @name, '2026-11-21');",
                new { id, name = $"Person {i}" }, cancellationToken: token));
            // What this write sees on its own connection, and what another connection sees committed: while they differ
            // the writes before it in the same transaction are not committed yet.
            var own = await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM people");
            await using var reader = await Database.OpenAsync(token);
            var committed = await reader.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM people");
            return own - committed;
        })).ToList();
        Assert.All(writes, w => Assert.False(w.IsCompleted));
        await busy.DisposeAsync();

        var failed = await Assert.ThrowsAsync<SqliteException>(() => writes[17].WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(19, failed.SqliteErrorCode); // SQLITE_CONSTRAINT: only this write, rolled back alone
        var uncommittedSeen = await Task.WhenAll(writes.Where((_, i) => i != 17)).WaitAsync(TimeSpan.FromSeconds(10));
        // Shared commits: a later write saw earlier ones of its batch not yet committed (one commit each would show none).
        Assert.Contains(uncommittedSeen, seen => seen > 1);
        await using var check = await Database.OpenAsync();
        Assert.Equal(49, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM people"));
        Assert.Equal("Person 0", await check.ExecuteScalarAsync<string>("SELECT display_name FROM people WHERE user_id = 'u-0'"));
    }

    [Fact]
    public async Task AWriteCancelledWhileWaitingIsNeverRun()
    {
        var busy = await Database.OpenForWriteAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = Database.WriteTogetherAsync((connection, token) => connection.ExecuteAsync(
            "INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'cancelled', 'C', '2026-11-21');"), cancel.Token);
        var kept = Database.WriteTogetherAsync((connection, token) => connection.ExecuteAsync(
            "INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'kept', 'K', '2026-11-21');"));

        // Given up before any turn took it: its caller hears "cancelled", and no later turn runs it.
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
        await busy.DisposeAsync();

        Assert.Equal(1, await kept.WaitAsync(TimeSpan.FromSeconds(10)));
        await using var check = await Database.OpenAsync();
        Assert.Equal(["kept"], await check.QueryAsync<string>("SELECT user_id FROM people"));
    }

    [Fact]
    public async Task AWriteThatAsksForTheWriterAgainFailsInsteadOfHangingEveryWriter()
    {
        var nested = Database.WriteTogetherAsync((connection, token) => Database.WriteTogetherAsync((c, t) => Task.FromResult(1), token));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => nested.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("inside another write", error.Message);

        // The writer is free for the next one.
        Assert.Equal(1, await Database.WriteTogetherAsync((connection, token) => connection.ExecuteAsync(
            "INSERT INTO people (tenant_id, user_id, display_name, first_seen) VALUES ('t', 'after', 'A', '2026-11-21');")).WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
