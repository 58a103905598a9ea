using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.LocalChannel;

public sealed class StretchFlowTests : AppTest
{
    [Fact]
    public async Task FirstContactGetsTheSafetyAdviceBeforeTheStretch()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());

        await chat.SayAsync("stretch desk");
        var replies = await chat.RepliesAsync();

        Assert.Equal(2, replies.Count);
        var welcome = CardReader.AllText(DirectLineClient.CardOf(replies[0]));
        Assert.Contains("When to see the doctor", welcome);
        Assert.Contains("ask your doctor", welcome, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(DirectLineClient.CardOf(replies[1]));

        // Second contact: no welcome again.
        await chat.SayAsync("stretch desk");
        Assert.Single(await chat.RepliesAsync());
    }

    [Fact]
    public async Task StretchDeskWalksThroughADeskStretchStepByStep()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("hi");
        await chat.PollAsync();

        await chat.SayAsync("stretch desk");
        var card = DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))!;

        Assert.Equal("1.5", (string?)card["version"]);
        var step1 = CardReader.ById(card, "step-1");
        Assert.NotNull(step1);
        Assert.NotEqual(false, (bool?)step1["isVisible"]);
        var step2 = CardReader.ById(card, "step-2");
        if (step2 is not null)
        {
            Assert.False((bool?)step2["isVisible"]);
        }

        var actions = CardReader.Actions(card);
        // Web Chat can't send Action.Execute: the local channel gets a plain Submit for Done.
        Assert.DoesNotContain(actions, a => (string?)a["type"] == "Action.Execute");
        var done = Assert.Single(actions, a => (string?)a["data"]?["action"] == "done");
        Assert.Equal("Action.Submit", (string?)done["type"]);
        Assert.StartsWith("p_", (string?)done["data"]!["promptId"]);
        // Later works without Universal Actions too: a Submit naming the same card.
        var later = Assert.Single(actions, a => (string?)a["data"]?["action"] == "later");
        Assert.Equal("Action.Submit", (string?)later["type"]);
        Assert.Equal((string?)done["data"]!["promptId"], (string?)later["data"]!["promptId"]);
        Assert.Contains(actions, a => (string?)a["title"] == "Another stretch");
        Assert.Contains(actions, a => (string?)a["type"] == "Action.ShowCard" && CardReader.AllText(a["card"]).Contains("When to see the doctor"));
        Assert.Contains("desk", CardReader.AllText(card), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DoneRecordsOneCompletionAndConfirmsWithStreak()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("stretch cat and cow");
        var stretchCard = DirectLineClient.CardOf((await chat.RepliesAsync()).Last())!;
        var done = DirectLineClient.DoneDataOf(stretchCard);

        await chat.SubmitAsync(done);
        var confirmation = DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))!;

        var text = CardReader.AllText(confirmation);
        Assert.Contains("Done", text);
        Assert.Matches(@"\b1\s+🔥 day streak", text);
        Assert.Contains("Cat", text);

        var rows = ReadCompletions();
        var row = Assert.Single(rows);
        Assert.Equal("u-ada", row.UserId);
        Assert.Equal("Ada Lovelace", row.DisplayName);
        Assert.Equal("cat-cow", row.StretchId);
        Assert.Equal((string)done["promptId"]!, row.PromptId);
        Assert.Equal(chat.ConversationId, row.ConversationId);
        Assert.Equal("local", row.TenantId);
        Assert.Equal("on_demand", row.Source);
        Assert.Equal("2026-11-18", row.LocalDate);
    }

    [Fact]
    public async Task ASecondClickOnDoneCountsNothingButAnswersNicely()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("stretch");
        var done = await chat.LastDoneDataAsync();

        await chat.SubmitAsync(done);
        await chat.PollAsync();
        await chat.SubmitAsync(done);
        var again = CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync())));

        Assert.Contains("already", again, StringComparison.OrdinalIgnoreCase);
        Assert.Single(ReadCompletions());
    }

    [Fact]
    public async Task FiftyConcurrentDonesForOnePromptStoreExactlyOneCompletion()
    {
        var http = Factory.CreateClient();
        var chat = await DirectLineClient.StartAsync(http);
        await chat.SayAsync("stretch");
        var done = await chat.LastDoneDataAsync();

        var clicks = Enumerable.Range(0, 50).Select(_ => chat.SubmitAsync((JsonObject)done.DeepClone()));
        await Task.WhenAll(clicks);

        Assert.Single(ReadCompletions());
        var confirmations = (await chat.RepliesAsync()).Select(r => CardReader.AllText(DirectLineClient.CardOf(r))).ToList();
        Assert.Equal(50, confirmations.Count);
        Assert.Single(confirmations, c => !c.Contains("already", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task StatsCountsMyStretchesAndStreakAcrossAWeekend()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        // Thursday, Friday, then Monday: the weekend doesn't break the streak.
        foreach (var day in new[] { "2026-11-19T09:00:00Z", "2026-11-20T09:00:00Z", "2026-11-23T09:00:00Z" })
        {
            Factory.Clock.Set(DateTimeOffset.Parse(day, System.Globalization.CultureInfo.InvariantCulture));
            await chat.SayAsync("stretch");
            await chat.SubmitAsync(await chat.LastDoneDataAsync());
            await chat.PollAsync();
        }

        await chat.SayAsync("stats");
        var stats = CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync())));

        Assert.Matches(@"\b3\s+🔥 day streak", stats);
        Assert.Matches(@"\b3\s+in total", stats);
    }

    [Fact]
    public async Task LeaderboardRanksThisWeekInThisConversation()
    {
        var http = Factory.CreateClient();
        var chat = await DirectLineClient.StartAsync(http);
        for (var i = 0; i < 2; i++)
        {
            await chat.SayAsync("stretch", User.Grace);
            await chat.SubmitAsync(await chat.LastDoneDataAsync(), User.Grace);
        }

        await chat.SayAsync("stretch");
        await chat.SubmitAsync(await chat.LastDoneDataAsync());

        // Someone in another conversation doesn't show up here.
        var elsewhere = await DirectLineClient.StartAsync(http);
        await elsewhere.SayAsync("stretch", new User("u-other", "Other Person"));
        await elsewhere.SubmitAsync(await elsewhere.LastDoneDataAsync(), new User("u-other", "Other Person"));

        await chat.PollAsync();
        await chat.SayAsync("leaderboard");
        var board = DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()));
        var text = CardReader.AllText(board);

        Assert.True(text.IndexOf("Grace Hopper", StringComparison.Ordinal) < text.IndexOf("Ada Lovelace", StringComparison.Ordinal), text);
        Assert.DoesNotContain("Other Person", text);
        Assert.Contains("You: #2 with 1", text);
    }

    [Fact]
    public async Task OnDemandStretchesDoNotRepeatTheLastThree()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        var offered = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            await chat.SayAsync("stretch");
            var card = DirectLineClient.CardOf((await chat.RepliesAsync()).Last())!;
            offered.Add((string)DirectLineClient.DoneDataOf(card)["stretchId"]!);
        }

        for (var i = 1; i < offered.Count; i++)
        {
            var window = offered.Skip(Math.Max(0, i - 3)).Take(Math.Min(3, i));
            Assert.DoesNotContain(offered[i], window);
        }
    }

    [Fact]
    public async Task AMistypedCommandGetsAFriendlyReplyNamingTheClosestCommand()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("hi");
        await chat.PollAsync();

        await chat.SayAsync("strech desk");
        var reply = DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync()));

        Assert.Contains("`stretch desk`", reply);
        Assert.Contains("help", reply);
    }

    [Fact]
    public async Task AnUnknownStretchNameSuggestsTheClosestOnes()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("hi");
        await chat.PollAsync();

        await chat.SayAsync("stretch cobra pose");
        var reply = DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync()));

        Assert.Contains("cobra pose", reply);
        Assert.Contains("stretches", reply);
    }

    [Fact]
    public async Task StretchesListsTheWholeCatalogWithAStartButtonEach()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("hi");
        await chat.PollAsync();

        await chat.SayAsync("stretches");
        var card = DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()));
        var starts = CardReader.Actions(card).Where(a => (string?)a["data"]?["action"] == "stretch" && a["data"]?["stretchId"] is not null).ToList();

        Assert.True(starts.Count >= 14, $"only {starts.Count} stretches listed");
        await chat.SubmitAsync(starts[0]["data"]!.DeepClone().AsObject());
        var started = DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()));
        Assert.Equal((string?)starts[0]["data"]!["stretchId"], (string?)DirectLineClient.DoneDataOf(started!)["stretchId"]);
    }

    private List<CompletionRow> ReadCompletions() => ReadCompletions(Factory.DatabasePath);

    internal static List<CompletionRow> ReadCompletions(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT prompt_id, tenant_id, conversation_id, user_id, display_name, stretch_id, source, local_date FROM completions ORDER BY id";
        using var reader = command.ExecuteReader();
        var rows = new List<CompletionRow>();
        while (reader.Read())
        {
            rows.Add(new CompletionRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    }

    internal sealed record CompletionRow(string PromptId, string TenantId, string ConversationId, string UserId, string DisplayName, string StretchId, string Source, string LocalDate);
}

public sealed class UniversalActionTests : AppTest
{
    [Fact]
    public async Task AnAdaptiveCardActionInvokeWithVerbDoneCountsLikeTheSubmit()
    {
        // Web Chat can't send Action.Execute, so the invoke is posted straight to the endpoint, as Teams would send it.
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("stretch bar hang");
        var data = await chat.LastDoneDataAsync();
        var invoke = new JsonObject
        {
            ["type"] = "invoke",
            ["name"] = "adaptiveCard/action",
            ["from"] = new JsonObject { ["id"] = User.Ada.Id, ["name"] = User.Ada.Name },
            ["value"] = new JsonObject
            {
                ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "done", ["data"] = data },
                ["trigger"] = "manual",
            },
        };

        await chat.SendAsync(invoke);
        await chat.SendAsync((JsonObject)invoke.DeepClone());

        var row = Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath));
        Assert.Equal("bar-hang", row.StretchId);
        var replies = (await chat.RepliesAsync()).Select(r => CardReader.AllText(DirectLineClient.CardOf(r))).ToList();
        Assert.Equal(2, replies.Count);
        Assert.Contains("already", replies[1], StringComparison.OrdinalIgnoreCase);
    }
}
