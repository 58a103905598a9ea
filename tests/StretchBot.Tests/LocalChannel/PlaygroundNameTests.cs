using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.LocalChannel;

/// <summary>
/// Someone on the playground, whose Web Chat sends no name: they get a friendly name, told once, that "name ..." changes;
/// the Done card, stats and leaderboard use it. A channel that gives a real name keeps it.
/// </summary>
public sealed class PlaygroundNameTests : AppTest
{
    private const string Id = "local-abc123";

    [Fact]
    public async Task APersonWithoutANameGetsAFriendlyOneAndCanChooseTheirOwn()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());

        // The playground says hello on open: a newcomer gets the welcome card only, naming them.
        await chat.SendAsync(Nameless(value: new JsonObject { ["action"] = "hello" }));
        var welcome = CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync())));
        var given = System.Text.RegularExpressions.Regex.Match(welcome, @"I'll call you (\w+ \w+) here").Groups[1].Value;
        Assert.NotEmpty(given);
        Assert.Contains("name [your name]", welcome.Replace("\\", string.Empty, StringComparison.Ordinal));

        await chat.SendAsync(Nameless("name Ada L. [Lovelace]"));
        Assert.Contains("I'll call you Ada L. \\[Lovelace\\] from now on", DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync())));

        await chat.SendAsync(Nameless("stretch cat and cow"));
        var done = DirectLineClient.DoneDataOf(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))!);
        await chat.SendAsync(Nameless(value: done));
        Assert.Contains("Nice work, Ada L. \\[Lovelace\\]!", CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))));
        await chat.SendAsync(Nameless("leaderboard"));
        Assert.Contains("Ada L. \\[Lovelace\\] (you)", CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))));
        await chat.SendAsync(Nameless("stats"));
        Assert.Contains("Ada L. \\[Lovelace\\]", CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))));
        Assert.Equal("Ada L. [Lovelace]", Assert.Single(StretchFlowTests.ReadCompletions(Factory.DatabasePath)).DisplayName);

        // Opening the playground again: a short hello by the chosen name, no second welcome card.
        await chat.SendAsync(Nameless(value: new JsonObject { ["action"] = "hello" }));
        var hello = DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync()));
        Assert.Contains("Welcome back", hello);
        Assert.Contains("Good to see you, Ada L. \\[Lovelace\\]", hello);
    }

    [Theory]
    [InlineData("name", "What should I call you?")]
    [InlineData("name   ", "What should I call you?")]
    [InlineData("name ***", "A name needs at least one letter or digit")]
    [InlineData("name 0123456789012345678901234567890123456789x", "A name can be up to 40 characters")]
    public async Task AMistakeInNameGetsAReplySayingHowToWriteIt(string text, string expected)
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SendAsync(Nameless("hi"));
        await chat.PollAsync();

        await chat.SendAsync(Nameless(text));

        var reply = DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync()));
        Assert.Contains(expected, reply);
        Assert.Contains("Type `name` and then your name, for example `name Ada`", reply);
    }

    [Fact]
    public async Task AChannelThatGivesARealNameKeepsIt()
    {
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());
        await chat.SayAsync("hi");
        await chat.PollAsync();

        await chat.SayAsync("name Mallory");
        Assert.Contains("Here I call you Ada Lovelace", DirectLineClient.TextOf(Assert.Single(await chat.RepliesAsync())));

        await chat.SayAsync("stats");
        var stats = CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync())));
        Assert.Contains("Ada Lovelace", stats);
        Assert.DoesNotContain("Mallory", stats);
        // The help card doesn't offer "name" where it can't change anything.
        await chat.SayAsync("help");
        Assert.DoesNotContain("your name", CardReader.AllText(DirectLineClient.CardOf(Assert.Single(await chat.RepliesAsync()))));
    }

    /// <summary>A message as the playground's Web Chat sends it: an id, no name.</summary>
    private static JsonObject Nameless(string? text = null, JsonObject? value = null)
    {
        var activity = DirectLineClient.Message(new User(Id, "unused", "Europe/London"), text);
        activity["from"]!.AsObject().Remove("name");
        if (value is not null)
        {
            activity["value"] = value.DeepClone();
            activity["channelData"]!["postBack"] = true;
        }

        return activity;
    }
}
