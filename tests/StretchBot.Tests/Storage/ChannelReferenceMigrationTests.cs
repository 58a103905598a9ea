using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using StretchBot.Storage;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Storage;

/// <summary>
/// A database from before channel references were the adapter's own data (schema v4: Bot Framework columns in
/// installs and card_posts) is upgraded in place, and the Teams install and posted card in it keep working.
/// </summary>
public sealed class ChannelReferenceMigrationTests : TeamsTest
{
    private const string PromptId = "p_before_v5";
    private const string ThreadId = TeamsClient.Channel + ";messageid=1700000000001";

    protected override void Configure(StretchBotFactory factory)
    {
        Directory.CreateDirectory(factory.DataDirectory);
        using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
            + string.Concat(Migrations.All.Where(m => m.Version <= 4).Select(m => m.Sql + $"\nINSERT INTO schema_version VALUES ({m.Version}, '{m.Name}', '2026-11-01T09:00:00Z');\n"))
            + $"""
            INSERT INTO prompts VALUES ('{PromptId}', '{TeamsClient.Tenant}', 'msteams', '{TeamsClient.Channel}', 'cat-cow', 'on_demand', '29:1ada-lovelace', '2026-11-18T10:00:00Z');
            INSERT INTO installs (tenant_id, channel_id, conversation_id, conversation_type, team_id, team_name, name, service_url, bot_id, installed_by, installed_at, updated_at)
                VALUES ('{TeamsClient.Tenant}', 'msteams', '{TeamsClient.Channel}', 'channel', '{TeamsClient.Channel}', 'Office', 'General',
                        '{TeamsClient.ServiceUrl}', '{TeamsClient.BotId}', '29:1ada-lovelace', '2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z');
            INSERT INTO card_posts (prompt_id, channel_id, service_url, conversation_id, activity_id, posted_at)
                VALUES ('{PromptId}', 'msteams', '{TeamsClient.ServiceUrl}', '{ThreadId}', 'card-activity-1', '2026-11-18T10:00:01Z');
            """;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task ATeamsInstallAndPostedCardFromVersionFourAreCarriedIntoTheAdaptersReference()
    {
        await Http.GetAsync("/healthz");

        var install = Assert.Single(Factory.Rows("SELECT conversation_id, reference FROM installs"));
        Assert.Equal(TeamsClient.Channel, install[0]);
        var reference = JsonNode.Parse((string)install[1]!)!;
        Assert.Equal(TeamsClient.ServiceUrl, (string?)reference["serviceUrl"]);
        Assert.Equal(TeamsClient.BotId, (string?)reference["botId"]);
        Assert.Equal(TeamsClient.Channel, (string?)reference["conversationId"]);

        // The card is keyed by the channel (stats, prompts), and its reference keeps the exact thread to update.
        var post = Assert.Single(Factory.Rows("SELECT tenant_id, conversation_id, reference FROM card_posts"));
        Assert.Equal([TeamsClient.Tenant, TeamsClient.Channel], post[..2]);
        var posted = JsonNode.Parse((string)post[2]!)!;
        Assert.Equal(ThreadId, (string?)posted["conversationId"]);
        Assert.Equal("card-activity-1", (string?)posted["activityId"]);
        Assert.Empty(Factory.Rows("SELECT name FROM pragma_table_info('installs') WHERE name IN ('service_url', 'bot_id')"));
        Assert.Empty(Factory.Rows("SELECT name FROM pragma_table_info('card_posts') WHERE name IN ('service_url', 'activity_id')"));
    }

    [Fact]
    public async Task ADoneOnACardPostedBeforeTheUpgradeStillUpdatesThatCardInPlace()
    {
        var data = new JsonObject { ["action"] = "done", ["promptId"] = PromptId, ["stretchId"] = "cat-cow" };

        var answer = await Teams.InvokeAsync(TeamsClient.Execute(data, TeamsUser.Grace, "card-activity-1", rootId: "1700000000001"));

        Assert.Contains("Done ✓", CardReader.AllText(answer["value"]));
        var update = await Fake.WaitForAsync(r => r.Method == "PUT");
        Assert.Equal($"/amer/v3/conversations/{Uri.EscapeDataString(ThreadId)}/activities/card-activity-1", update.Path);
        Assert.Contains("1 person did this stretch", CardReader.AllText(update.Card));
    }
}
