using StretchBot.Conversation;

namespace StretchBot.Core.Tests.Conversation;

public sealed class CommandsTests
{
    [Theory]
    [InlineData("help", CommandKind.Help, "")]
    [InlineData("  HELP! ", CommandKind.Help, "")]
    [InlineData("/stretch desk", CommandKind.Stretch, "desk")]
    [InlineData("Stretch  Cat and Cow", CommandKind.Stretch, "cat and cow")]
    [InlineData("stretch please", CommandKind.Stretch, "")]
    [InlineData("give me a quick stretch", CommandKind.Stretch, "quick")]
    [InlineData("give me a back stretch", CommandKind.Stretch, "back")]
    [InlineData("stretches floor", CommandKind.Stretches, "floor")]
    [InlineData("my stats", CommandKind.Stats, "")]
    [InlineData("leaderboard", CommandKind.Leaderboard, "")]
    [InlineData("safety", CommandKind.Safety, "")]
    [InlineData("", CommandKind.Help, "")]
    public void ReadsCommandsForgivingly(string text, CommandKind kind, string argument)
    {
        var command = Commands.Parse(text);

        Assert.Equal(kind, command.Kind);
        Assert.Equal(argument, command.Argument);
    }

    [Theory]
    [InlineData("strech desk", "stretch desk")]
    [InlineData("strecth", "stretch")]
    [InlineData("leaderbord", "leaderboard")]
    [InlineData("stast", "stats")]
    [InlineData("halp", "help")]
    [InlineData("saftey", "safety")]
    public void AMistypedCommandSuggestsTheClosestOne(string text, string suggestion)
    {
        var command = Commands.Parse(text);

        Assert.Equal(CommandKind.Unknown, command.Kind);
        Assert.Equal(suggestion, command.Suggestion);
    }

    [Theory]
    [InlineData("what is the weather like")]
    [InlineData("xyzzy")]
    public void NonsenseHasNoSuggestion(string text)
    {
        var command = Commands.Parse(text);

        Assert.Equal(CommandKind.Unknown, command.Kind);
        Assert.Null(command.Suggestion);
    }

    [Fact]
    public void VeryLongTextIsCutNotRejected()
    {
        var command = Commands.Parse("stretch " + new string('a', 10_000));

        Assert.Equal(CommandKind.Stretch, command.Kind);
        Assert.True(command.Argument.Length < Commands.MaxTextLength);
    }

    [Theory]
    [InlineData("stretch", "stretch", 0)]
    [InlineData("strecth", "stretch", 1)]
    [InlineData("stats", "stast", 1)]
    [InlineData("help", "halp", 1)]
    [InlineData("", "abc", 3)]
    public void EditDistanceCountsAnAdjacentSwapAsOneTypo(string a, string b, int expected) =>
        Assert.Equal(expected, StretchBot.Text.EditDistance.Between(a, b));
}
