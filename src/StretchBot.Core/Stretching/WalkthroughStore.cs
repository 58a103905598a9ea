using Dapper;
using StretchBot.Storage;

namespace StretchBot.Stretching;

/// <summary>
/// Where each person is in a shared card's walkthrough. The step lives here, not on the card: a shared card that is
/// re-sent with a new tally, or refreshed by the platform, asks the server and comes back at the same step.
/// </summary>
public sealed class WalkthroughStore(Database database, TimeProvider time)
{
    /// <summary>The step this person last reached on this prompt (1-based), or null when they never started it.</summary>
    public async Task<int?> StepAsync(string promptId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var step = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT step FROM walkthroughs WHERE prompt_id = @promptId AND user_id = @userId;",
            new { promptId, userId }, cancellationToken: cancellationToken));
        return step is { } s ? (int)s : null;
    }

    /// <summary>Records the step this person is on now; the latest click wins.</summary>
    public async Task SaveAsync(string promptId, string userId, int step, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        await using var write = await database.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO walkthroughs (prompt_id, user_id, step, updated_at) VALUES (@promptId, @userId, @step, @now)
            ON CONFLICT (prompt_id, user_id) DO UPDATE SET step = excluded.step, updated_at = excluded.updated_at;
            """,
            // The same text form as completions.completed_at, so the two sort together (see CompletionStore.ActiveAsync).
            new { promptId, userId, step, now = time.GetUtcNow().UtcDateTime.ToString("O") },
            cancellationToken: cancellationToken));
    }
}
