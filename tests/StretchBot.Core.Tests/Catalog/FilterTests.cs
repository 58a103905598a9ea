using StretchBot.Catalog;

namespace StretchBot.Core.Tests.Catalog;

public class FilterTests
{
    private static readonly StretchCatalog Catalog = StretchCatalogLoader.Load(new CatalogOptions());

    private static string[] Ids(StretchFilter filter) => [.. Catalog.Filter(filter).Select(s => s.Id)];

    [Fact]
    public void DeskStretchesAreTheOnesForTheOffice() =>
        Assert.Equal(["standing-incline", "standing-tilt", "swedish-wall", "back-twist"], Ids(new(StretchPlace.Desk)));

    [Fact]
    public void GymStretchesNeedEquipment()
    {
        Assert.Equal(["bar-hang", "swedish-wall", "hyperextension-stretch", "fitball-stretch"], Ids(new(StretchPlace.Gym)));
        Assert.All(Catalog.Filter(new(StretchPlace.Gym)), s => Assert.NotEmpty(s.Equipment));
    }

    [Fact]
    public void FloorStretchesNeedNoEquipmentBeyondATowel() =>
        Assert.All(Catalog.Filter(new(StretchPlace.Floor)), s => Assert.All(s.Equipment, e => Assert.Contains("optional", e, StringComparison.Ordinal)));

    [Fact]
    public void QuickMeansAMinuteOrLess()
    {
        var quick = Catalog.Filter(new(QuickOnly: true));

        Assert.NotEmpty(quick);
        Assert.All(quick, s => Assert.True(s.DurationSeconds <= 60));
        Assert.Equal(Catalog.All.Count(s => s.DurationSeconds <= 60), quick.Count);
        Assert.DoesNotContain(quick, s => s.Id is "cat-cow" or "knee-to-chest" or "hip-bridge" or "fitball-stretch" or "back-twist");
    }

    [Fact]
    public void FiltersCombine() =>
        Assert.Equal(["downward-dog", "sitting-tilt", "spinal-torsion", "child-pose"], Ids(new(StretchPlace.Floor, QuickOnly: true)));

    [Fact]
    public void TheEmptyFilterKeepsEverything()
    {
        Assert.True(StretchFilter.None.IsEmpty);
        Assert.Equal(Catalog.All, Catalog.Filter(StretchFilter.None));
        Assert.Equal("all stretches", StretchFilter.None.Describe());
    }

    [Theory]
    [InlineData("hamstrings", new[] { "downward-dog", "standing-tilt" })]
    [InlineData("calves", new[] { "downward-dog" })]
    [InlineData("glutes", new[] { "knee-to-chest", "hip-bridge" })]
    [InlineData("lower-back", new[] { "sitting-tilt", "hyperextension-stretch", "knee-to-chest", "hip-bridge", "child-pose" })]
    [InlineData("Lower back", new[] { "sitting-tilt", "hyperextension-stretch", "knee-to-chest", "hip-bridge", "child-pose" })]
    [InlineData("legs", new[] { "downward-dog", "standing-tilt", "knee-to-chest" })]
    [InlineData("neck", new string[0])]
    public void BodyAreaFiltersUseKeywordsAndGroups(string area, string[] expected) =>
        Assert.Equal(expected, Ids(new(BodyArea: area)));

    [Fact]
    public void BackCoversEveryBackStretch() =>
        Assert.Equal(Catalog.All.Count, Catalog.Filter(new(BodyArea: "back")).Count);

    [Theory]
    [InlineData("desk", StretchPlace.Desk, null, false)]
    [InlineData("DESK", StretchPlace.Desk, null, false)]
    [InlineData("office", StretchPlace.Desk, null, false)]
    [InlineData("floor quick", StretchPlace.Floor, null, true)]
    [InlineData("on the mat", StretchPlace.Floor, null, false)]
    [InlineData("gym", StretchPlace.Gym, null, false)]
    [InlineData("quick", null, null, true)]
    [InlineData("back", null, "back", false)]
    [InlineData("hamstrings", null, "hamstrings", false)]
    [InlineData("hamstring", null, "hamstrings", false)]
    [InlineData("lower back", null, "lower-back", false)]
    [InlineData("Lower-Back!", null, "lower-back", false)]
    [InlineData("low back", null, "lower-back", false)]
    [InlineData("legs", null, "legs", false)]
    [InlineData("leg", null, "legs", false)]
    [InlineData("calf", null, "calves", false)]
    [InlineData("hip", null, "hips", false)]
    [InlineData("buttocks", null, "glutes", false)]
    [InlineData("spinal", null, "spine", false)]
    [InlineData("quick desk stretch for my lower back, please", StretchPlace.Desk, "lower-back", true)]
    [InlineData("", null, null, false)]
    [InlineData("stretch", null, null, false)]
    public void FilterWordsAreParsed(string text, StretchPlace? place, string? area, bool quick)
    {
        Assert.True(Catalog.TryParseFilter(text, out var filter, out var unknown));

        Assert.Equal(new StretchFilter(place, area, quick), filter);
        Assert.Equal("", unknown);
    }

    [Theory]
    [InlineData("knee to chest", "knee")]
    [InlineData("hip bridge", "bridge")]
    [InlineData("back twist", "twist")]
    [InlineData("cat", "cat")]
    [InlineData("Downward dog", "downward dog")]
    [InlineData("desk neck roll", "roll")]
    public void OtherWordsAreProbablyAStretchName(string text, string unknown)
    {
        Assert.False(Catalog.TryParseFilter(text, out _, out var leftOver));

        Assert.Equal(unknown, leftOver);
    }

    [Fact]
    public void ACustomCatalogsBodyAreasBecomeFilterWords()
    {
        var wrists = Catalog.All[0] with { Id = "wrist-circles", Name = "Wrist circles", BodyAreas = ["wrists"], Aliases = [] };
        var catalog = new StretchCatalog([.. Catalog.All, wrists], Catalog.Safety);

        Assert.True(catalog.TryParseFilter("wrist", out var filter, out _));
        Assert.Equal(["wrist-circles"], catalog.Filter(filter).Select(s => s.Id));
        Assert.Contains("wrists", catalog.BodyAreas);
    }

    [Theory]
    [InlineData(null, null, false, "all stretches")]
    [InlineData(StretchPlace.Desk, null, false, "desk stretches")]
    [InlineData(StretchPlace.Floor, null, true, "quick floor stretches")]
    [InlineData(null, "lower-back", false, "stretches for the lower back")]
    [InlineData(StretchPlace.Gym, "hamstrings", true, "quick gym stretches for the hamstrings")]
    public void FiltersDescribeThemselvesInPlainWords(StretchPlace? place, string? area, bool quick, string expected) =>
        Assert.Equal(expected, new StretchFilter(place, area, quick).Describe());
}
