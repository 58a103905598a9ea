using StretchBot.Catalog;

namespace StretchBot.Core.Tests.Catalog;

public class MatchTests
{
    private static readonly StretchCatalog Catalog = StretchCatalogLoader.Load(new CatalogOptions());

    [Theory]
    // ids and names
    [InlineData("cat-cow", "cat-cow")]
    [InlineData("Knee to chest", "knee-to-chest")]
    [InlineData("CHILD'S POSE", "child-pose")]
    // aliases
    [InlineData("down dog", "downward-dog")]
    [InlineData("slide pose", "downward-dog")]
    [InlineData("cat pose", "cat-cow")]
    [InlineData("bridge", "hip-bridge")]
    [InlineData("forward fold", "standing-tilt")]
    [InlineData("swiss ball", "fitball-stretch")]
    [InlineData("seated twist", "back-twist")]
    [InlineData("spinal twist", "spinal-torsion")]
    // partial words and missing little words
    [InlineData("cat", "cat-cow")]
    [InlineData("knee chest", "knee-to-chest")]
    [InlineData("downward dog", "downward-dog")]
    [InlineData("childs pose", "child-pose")]
    [InlineData("child pose", "child-pose")]
    [InlineData("hang", "bar-hang")]
    [InlineData("hyper", "hyperextension-stretch")]
    [InlineData("kneetochest", "knee-to-chest")]
    [InlineData("Cat & Cow!", "cat-cow")]
    // typos
    [InlineData("dwnward dgo", "downward-dog")]
    [InlineData("kne to chset", "knee-to-chest")]
    [InlineData("brige", "hip-bridge")]
    [InlineData("chlid pose", "child-pose")]
    [InlineData("cat cwo", "cat-cow")]
    [InlineData("fitbal", "fitball-stretch")]
    [InlineData("hyperextention", "hyperextension-stretch")]
    [InlineData("sweedish wall", "swedish-wall")]
    public void FindsWhatPeopleMean(string query, string id)
    {
        var match = Catalog.Match(query);

        Assert.Equal(id, match.Best?.Id);
        Assert.DoesNotContain(match.Best, match.Suggestions);
    }

    [Theory]
    [InlineData("twist", new[] { "back-twist", "spinal-torsion" })]
    [InlineData("tilt", new[] { "standing-tilt", "sitting-tilt" })]
    [InlineData("knee twist", new[] { "knee-to-chest", "back-twist", "spinal-torsion" })]
    public void AsksWhenTheNameFitsSeveralStretches(string query, string[] suggestions)
    {
        var match = Catalog.Match(query);

        Assert.Null(match.Best);
        Assert.Equal(suggestions, match.Suggestions.Select(s => s.Id));
    }

    [Theory]
    [InlineData("cobra")]
    [InlineData("xyzzy")]
    [InlineData("neck roll")]
    [InlineData("")]
    [InlineData("   ")]
    public void NothingCloseMeansNoMatchAndNoSuggestions(string query)
    {
        var match = Catalog.Match(query);

        Assert.Null(match.Best);
        Assert.Empty(match.Suggestions);
    }

    [Fact]
    public void SuggestionsAreAtMostThree() =>
        Assert.All(
            new[] { "back", "stretch back twist", "seated", "floor twist bridge" },
            q => Assert.InRange(Catalog.Match(q).Suggestions.Count, 0, 3));

    [Fact]
    public void AGoodMatchStillOffersCloseAlternatives()
    {
        var match = Catalog.Match("sitting tilt");

        Assert.Equal("sitting-tilt", match.Best?.Id);
        Assert.Equal("standing-tilt", match.Suggestions[0].Id);
    }
}
