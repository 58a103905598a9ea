using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Channels.Local;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.LocalChannel;

/// <summary>The in-memory Direct Line store is bounded in total, so no local client can grow the process without limit.</summary>
public sealed class DirectLineMemoryTests : AppTest
{
    private const long Budget = 256 * 1024;

    private readonly FakeTimeProvider _clock = new(StretchBotFactory.Start);

    [Fact]
    public void AllConversationsTogetherStayUnderTheByteBudgetAndTheLeastRecentlyUsedGoFirst()
    {
        var store = Store(Budget);
        var conversations = new List<DirectLineConversation>();

        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            var conversation = store.Create();
            conversations.Add(conversation);
            for (var j = 0; j < 10; j++)
            {
                conversation.Append(Activity(8 * 1024));
                Assert.InRange(store.StoredBytes, 0, Budget);
            }
        }

        var kept = conversations.Where(c => store.Find(c.Id, c.Token) is not null).ToList();
        Assert.InRange(kept.Count, 2, 4);
        // The newest survive, whole; the oldest were dropped.
        Assert.Equal(conversations[^kept.Count..], kept);
        Assert.Equal(10, conversations[^1].Since(-1).Activities.Count);
        Assert.Null(store.Find(conversations[0].Id, conversations[0].Token));
    }

    [Fact]
    public void AConversationInUseOutlivesOneLeftIdle()
    {
        var store = Store(Budget);
        var first = store.Create();
        first.Append(Activity(60 * 1024));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = store.Create();
        second.Append(Activity(60 * 1024));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(store.Find(first.Id, first.Token));
        _clock.Advance(TimeSpan.FromMinutes(1));

        var third = store.Create();
        third.Append(Activity(60 * 1024));
        third.Append(Activity(60 * 1024));
        third.Append(Activity(60 * 1024));

        Assert.Null(store.Find(second.Id, second.Token));
        Assert.NotNull(store.Find(first.Id, first.Token));
        Assert.InRange(store.StoredBytes, 0, Budget);
    }

    [Fact]
    public void AConversationAloneOverTheBudgetDropsItsOldestActivitiesAndKeepsCounting()
    {
        var store = Store(Budget);
        var conversation = store.Create();

        for (var i = 0; i < 20; i++)
        {
            conversation.Append(Activity(30 * 1024));
        }

        var (activities, watermark) = conversation.Since(-1);
        Assert.Equal(20, watermark);
        Assert.InRange(activities.Count, 1, 8);
        Assert.EndsWith("|0000020", (string?)activities[^1]!["id"]);
        Assert.InRange(store.StoredBytes, 0, Budget);
    }

    [Fact]
    public void AnActivityThatCannotBeWrittenIsRefusedAndLaterPollsStillWork()
    {
        var store = Store(Budget);
        var conversation = store.Create();
        conversation.Append(Activity(10));
        var before = store.StoredBytes;
        var broken = Activity(10);
        broken["value"] = new JsonObject { ["note"] = "\ud800" };

        Assert.Throws<ArgumentException>(() => conversation.Append(broken));

        var (activities, watermark) = conversation.Since(-1);
        Assert.Single(activities);
        Assert.Equal(1, watermark);
        Assert.Equal(before, store.StoredBytes);
    }

    [Fact]
    public async Task ThroughTheEndpointAChattyClientEvictsIdleConversationsNotItsOwn()
    {
        Factory.Settings["LocalChannel:MaxStoredBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var http = Factory.CreateClient();
        var idle = await DirectLineClient.StartAsync(http);
        await idle.SayAsync("stretch");
        var chatty = await DirectLineClient.StartAsync(http);
        var store = Factory.Services.GetRequiredService<DirectLineConversations>();

        for (var i = 0; i < 16; i++)
        {
            await chatty.SayAsync("help " + new string('x', 20 * 1024));
            Assert.InRange(store.StoredBytes, 0, Budget);
        }

        using var read = new HttpRequestMessage(HttpMethod.Get, idle.ActivitiesUrl);
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", idle.Token);
        using var gone = await http.SendAsync(read);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.NotEmpty(await chatty.RepliesAsync());
    }

    private DirectLineConversations Store(long budget) =>
        new(Options.Create(new LocalChannelOptions { MaxStoredBytes = budget }), _clock);

    private static JsonObject Activity(int textLength) => new()
    {
        ["type"] = "message",
        ["from"] = new JsonObject { ["id"] = "u-ada", ["role"] = "user" },
        ["text"] = new string('x', textLength),
    };
}
