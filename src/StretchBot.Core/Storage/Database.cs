using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace StretchBot.Storage;

/// <summary>Opens connections to the SQLite database and brings its schema up to date.</summary>
public sealed class Database : IAsyncDisposable
{
    private readonly string _connectionString;

    public Database(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            DefaultTimeout = 30,
        }.ToString();
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
    }

    private readonly string _writerConnectionString;
    private SqliteConnection? _writer;
    private bool _disposed;

    public string Path { get; }

    // SQLite has one writer at a time. Writers of this process queue here (asynchronously, in order) instead of
    // meeting SQLITE_BUSY, which Microsoft.Data.Sqlite answers by sleeping 150 ms and trying again.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// This process's write turn, on its one long-lived writer connection. Only this connection writes, so its page
    /// cache is never invalidated by another writer: the pages a click touches stay hot from one click to the next.
    /// Dispose the turn to hand the writer on.
    /// </summary>
    public async Task<WriteTurn> OpenForWriteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfInsideWrite();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not { State: System.Data.ConnectionState.Open })
            {
                _writer?.Dispose();
                _writer = null;
                var writer = new SqliteConnection(_writerConnectionString);
                try
                {
                    await writer.OpenAsync(cancellationToken);
                    // In WAL mode NORMAL is durable across application crashes (a power cut may lose the last
                    // commits, never corrupt the file) and skips an fsync per commit. The busy timeout covers other
                    // processes (backups, the sqlite3 shell) holding the write lock with SQLite's own short waits.
                    await ExecuteAsync(writer, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;", cancellationToken);
                }
                catch
                {
                    await writer.DisposeAsync();
                    throw;
                }

                _writer = writer;
            }

            return new WriteTurn(_writer, _writeGate);
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<BatchedWrite> _batched = new();

    /// <summary>
    /// A short write that commits together with the other writes waiting at the same moment: one transaction (and one
    /// commit) for all of them, each in a savepoint of its own, so one that fails is rolled back alone and its caller gets
    /// its exception. Returns once the transaction holding it committed. For the many small writes of a fan-out (a
    /// nudge's attempt, its card, its "sent"), which otherwise queue for the writer one commit each. Inside
    /// <paramref name="write"/>, use only the connection it is given, with no transaction object of its own.
    /// </summary>
    public async Task<T> WriteTogetherAsync<T>(Func<DbConnection, CancellationToken, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ThrowIfInsideWrite();
        var item = new BatchedWrite<T>(write, cancellationToken);
        _batched.Enqueue(item);
        // Whoever holds the writer next commits everything queued by then, this write included, or leaves it to the one
        // after: a caller waits for its own write at most two turns, and stops waiting for the writer once it is done.
        try
        {
            while (!item.Done.IsCompleted)
            {
                var turn = OpenForWriteAsync(cancellationToken);
                if (await Task.WhenAny(item.Done, turn) == item.Done)
                {
                    // Committed (or failed) in someone else's turn: hand this turn straight back when it comes.
                    _ = turn.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    break;
                }

                await using var held = await turn;
                if (!item.Done.IsCompleted)
                {
                    await CommitQueuedAsync(held.Connection);
                }
            }
        }
        catch (Exception) when (!item.TryAbandon())
        {
            // Given up waiting (cancelled, or the writer couldn't be opened) after another turn had taken this write:
            // it runs to its end, and its caller hears how it went, never "cancelled" for a write that committed.
        }

        await item.Done;
        return item.Result!;
    }

    // A write's callback runs while this process holds the writer: asking for the writer again there would wait forever.
    private static readonly AsyncLocal<bool> InsideWrite = new();

    private static void ThrowIfInsideWrite()
    {
        if (InsideWrite.Value)
        {
            throw new InvalidOperationException("A database write asked for the writer from inside another write: use the connection it was given.");
        }
    }

    /// <summary>Runs every queued write (up to a bound) in one transaction on the writer connection, then tells their callers.</summary>
    private async Task CommitQueuedAsync(DbConnection connection)
    {
        var batch = new List<BatchedWrite>();
        while (batch.Count < 512 && _batched.TryDequeue(out var next))
        {
            if (next.TryClaim())
            {
                batch.Add(next);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await RunInOneTransactionAsync(connection, batch);
        }
        catch (Exception)
        {
            // The transaction itself failed (the file busy past the timeout, the disk): nothing of it was written. Each
            // write gets a transaction of its own, so one bad moment doesn't fail a batch of unrelated writes.
            await RollBackIfOpenAsync(connection);
            foreach (var write in batch)
            {
                write.Failed = null;
                try
                {
                    await RunInOneTransactionAsync(connection, [write]);
                }
                catch (Exception exception)
                {
                    await RollBackIfOpenAsync(connection);
                    write.Failed = exception;
                }
            }
        }

        foreach (var write in batch)
        {
            write.Finish();
        }
    }

    private static async Task RunInOneTransactionAsync(DbConnection connection, IReadOnlyList<BatchedWrite> batch)
    {
        await ExecuteAsync(connection, "BEGIN IMMEDIATE;", CancellationToken.None);
        foreach (var write in batch)
        {
            await ExecuteAsync(connection, "SAVEPOINT batched;", CancellationToken.None);
            try
            {
                InsideWrite.Value = true;
                await write.RunAsync(connection);
                await ExecuteAsync(connection, "RELEASE batched;", CancellationToken.None);
            }
            catch (Exception exception)
            {
                write.Failed = exception;
                await ExecuteAsync(connection, "ROLLBACK TO batched; RELEASE batched;", CancellationToken.None);
            }
            finally
            {
                InsideWrite.Value = false;
            }
        }

        await ExecuteAsync(connection, "COMMIT;", CancellationToken.None);
    }

    private static async Task RollBackIfOpenAsync(DbConnection connection)
    {
        if (connection is SqliteConnection { State: System.Data.ConnectionState.Open, Handle: { } handle } && SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
        {
            await ExecuteAsync(connection, "ROLLBACK;", CancellationToken.None);
        }
    }

    private abstract class BatchedWrite(CancellationToken cancellationToken)
    {
        private const int Queued = 0, Claimed = 1, Abandoned = 2;
        private int _state;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Exception? Failed { get; set; }

        /// <summary>A turn takes the write; false when its caller gave up first (then it never runs).</summary>
        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        /// <summary>The caller gives up; false when a turn already took the write (then the caller waits for it).</summary>
        public bool TryAbandon()
        {
            if (Interlocked.CompareExchange(ref _state, Abandoned, Queued) != Queued)
            {
                return false;
            }

            Cancel();
            return true;
        }

        public abstract Task RunAsync(DbConnection connection);

        public abstract void Finish();

        protected abstract void Cancel();
    }

    private sealed class BatchedWrite<T>(Func<DbConnection, CancellationToken, Task<T>> write, CancellationToken cancellationToken) : BatchedWrite(cancellationToken)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;

        public T? Result { get; private set; }

        // Claimed means it runs to its end: the caller's token no longer cuts it short half-way through a batch.
        public override async Task RunAsync(DbConnection connection) => Result = await write(connection, CancellationToken.None);

        public override void Finish()
        {
            if (Failed is { } failed)
            {
                _done.TrySetException(failed);
            }
            else
            {
                _done.TrySetResult();
            }
        }

        protected override void Cancel() => _done.TrySetCanceled(CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // At shutdown a write in flight gets a few seconds to finish; a turn that is never handed back doesn't hang it.
        var entered = await _writeGate.WaitAsync(TimeSpan.FromSeconds(10));
        try
        {
            _disposed = true;
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }
        }
        finally
        {
            if (entered)
            {
                _writeGate.Release();
            }
        }
    }

    /// <summary>Creates the database on first start and applies every migration it has not seen yet.</summary>
    public async Task MigrateAsync(ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """, cancellationToken);

        var current = await ScalarAsync(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;", cancellationToken);
        foreach (var migration in Migrations.All.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            // Each migration and its version row commit together, so a crash mid-way leaves the old schema intact.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, migration.Sql, cancellationToken, transaction);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, strftime('%Y-%m-%dT%H:%M:%fZ','now'));";
                insert.Parameters.Add(new SqliteParameter("$v", migration.Version));
                insert.Parameters.Add(new SqliteParameter("$n", migration.Name));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Database migrated to version {Version} ({Name})", migration.Version, migration.Name);
        }
    }

    public async Task<long> SchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ScalarAsync(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;", cancellationToken);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The write turn of <see cref="Database.OpenForWriteAsync"/>: write on <see cref="Connection"/>, then dispose (do not dispose the connection).</summary>
public sealed class WriteTurn : IAsyncDisposable, IDisposable
{
    private SemaphoreSlim? _gate;

    internal WriteTurn(DbConnection connection, SemaphoreSlim gate)
    {
        Connection = connection;
        _gate = gate;
    }

    public DbConnection Connection { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _gate, null) is not { } gate)
        {
            return;
        }

        // A turn that left a transaction open (a bug, or an exception before the transaction was disposed) must not
        // hand it to the next writer: closing the connection rolls it back, and the next turn opens a fresh one.
        try
        {
            if (Connection is SqliteConnection { State: System.Data.ConnectionState.Open, Handle: { } handle } && SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
            {
                Connection.Dispose();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
