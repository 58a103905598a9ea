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

    [Theory]
    [InlineData("name Ada Lovelace", "Ada Lovelace")]
    [InlineData("/name   Ada  L.  ", "Ada  L.")]
    [InlineData("NAME [Reset](http://x)", "[Reset](http://x)")]
    [InlineData("name", "")]
    [InlineData("rename Grace", "Grace")]
    public void NameKeepsWhatWasTypedAsTyped(string text, string name)
    {
        var command = Commands.Parse(text);

        Assert.Equal(CommandKind.Name, command.Kind);
        Assert.Equal(name, command.Typed);
    }

    [Fact]
    public void MyNameIsInASentenceIsNotARename() =>
        Assert.NotEqual(CommandKind.Name, Commands.Parse("my name is Ada").Kind);

    [Theory]
    [InlineData("strech desk", "stretch desk")]
    [InlineData("strech `` ` <script>", "stretch")]
    [InlineData("strech [x](http://y)", "stretch")]
    [InlineData("strech aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "stretch")]
    public void ASuggestionKeepsTheRestOnlyWhenItIsAFewPlainWords(string text, string suggestion) =>
        Assert.Equal(suggestion, Commands.Parse(text).Suggestion);

    [Fact]
    public void AnUnknownCommandKeepsWhatWasTypedForTheEcho()
    {
        var command = Commands.Parse("  Frobnicate the *Thing*!  ");

        Assert.Equal(CommandKind.Unknown, command.Kind);
        Assert.Equal("Frobnicate the *Thing*!", command.Typed);
    }

    [Theory]
    [InlineData("Ada", "Ada")]
    [InlineData("  \"Ada\"  ", "Ada")]
    [InlineData("Ada\nLovelace", "Ada Lovelace")]
    [InlineData("[Reset](http://x)", "[Reset](http://x)")]
    public void AChosenNameIsCleanedToOneLine(string typed, string expected) =>
        Assert.Equal(expected, PeopleStore.CleanChosenName(typed, out _));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("***", "no letters")]
    [InlineData("0123456789012345678901234567890123456789x", "long")]
    public void AChosenNameWithAMistakeSaysWhat(string typed, string problem)
    {
        Assert.Null(PeopleStore.CleanChosenName(typed, out var found));
        Assert.Equal(problem, found);
    }

    [Fact]
    public void TheDefaultNameIsFriendlyAndTheSameForTheSameId()
    {
        Assert.Equal(PeopleStore.DefaultName("local-abc"), PeopleStore.DefaultName("local-abc"));
        Assert.Matches(@"^[A-Z][a-z]+ [A-Z][a-z]+$", PeopleStore.DefaultName("local-abc"));
        Assert.True(Enumerable.Range(0, 50).Select(i => PeopleStore.DefaultName($"local-{i}")).Distinct().Count() > 20);
    }
}
