using Microsoft.Data.Sqlite;
using StretchBot.Storage;
using StretchBot.Tests.Infrastructure;
using StretchBot.Tests.LocalChannel;

namespace StretchBot.Tests.Storage;

public sealed class MigrationTests : AppTest
{
    [Fact]
    public async Task AnExistingVersionOneDatabaseIsUpgradedWithoutLosingCompletions()
    {
        // A database as the first release left it: schema version 1 with a person and a completion.
        Directory.CreateDirectory(Factory.DataDirectory);
        using (var connection = new SqliteConnection($"Data Source={Factory.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
                {Migrations.All.Single(m => m.Version == 1).Sql}
                INSERT INTO schema_version VALUES (1, 'prompts, completions, people', '2026-11-01T09:00:00Z');
                INSERT INTO people VALUES ('local', 'u-ada', 'Ada Lovelace', '2026-11-16T09:00:00Z');
                INSERT INTO prompts VALUES ('p_old', 'local', 'directline', 'dl_old', 'cat-cow', 'on_demand', 'u-ada', '2026-11-16T09:00:00Z');
                INSERT INTO completions (prompt_id, tenant_id, channel_id, conversation_id, team_id, user_id, display_name, stretch_id, source, completed_at, local_date)
                    VALUES ('p_old', 'local', 'directline', 'dl_old', NULL, 'u-ada', 'Ada Lovelace', 'cat-cow', 'on_demand', '2026-11-16T09:01:00Z', '2026-11-16');
                """;
            command.ExecuteNonQuery();
        }

        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("stats");
        var stats = CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync())));

        Assert.Contains("Cat", stats);
        var old = Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Equal("p_old", old.PromptId);
        using var check = new SqliteConnection($"Data Source={Factory.DatabasePath};Mode=ReadOnly;Pooling=False");
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT MAX(version) FROM schema_version; ";
        Assert.Equal((long)Migrations.All.Max(m => m.Version), (long)version.ExecuteScalar()!);
        using var carried = check.CreateCommand();
        carried.CommandText = "SELECT COUNT(*) FROM conversations WHERE conversation_id = 'dl_old' AND channel_id = 'local'";
        Assert.Equal(1L, (long)carried.ExecuteScalar()!);
        // The playground's rows moved from 'directline' to its own channel id, weekly tallies with them.
        using var channels = check.CreateCommand();
        channels.CommandText = """
            SELECT (SELECT COUNT(*) FROM completions WHERE channel_id = 'directline') + (SELECT COUNT(*) FROM prompts WHERE channel_id = 'directline')
                 + (SELECT COUNT(*) FROM week_counts WHERE channel_id = 'directline'),
                   (SELECT n FROM week_counts WHERE channel_id = 'local' AND conversation_id = 'dl_old' AND user_id = 'u-ada'),
                   (SELECT source FROM completions WHERE prompt_id = 'p_old')
            """;
        using var moved = channels.ExecuteReader();
        Assert.True(moved.Read());
        Assert.Equal(0L, moved.GetInt64(0));
        Assert.Equal(1L, moved.GetInt64(1));
        Assert.Equal("on_demand", moved.GetString(2));
    }

    [Fact]
    public async Task AFreshStartCreatesTheDatabaseInWalMode()
    {
        using var client = Factory.CreateClient();
        await client.GetAsync("/healthz");

        using var connection = new SqliteConnection($"Data Source={Factory.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
    }
}
