using StretchBot.Catalog;

namespace StretchBot.Core.Tests.Catalog;

/// <summary>The built-in data carries every stretch of both articles, faithfully and in order.</summary>
public class BuiltInCatalogTests
{
    private static readonly StretchCatalog Catalog = StretchCatalogLoader.Load(new CatalogOptions());

    public static TheoryData<string, string[]> StepsInArticleOrder => new()
    {
        // lower-back-9
        { "downward-dog", ["plank", "palms and feet", "hips up", "heels and chest", "towards the floor"] },
        { "standing-incline", ["parallel with the floor", "palms on your hips", "with your hands", "spine longer", "harder off your hips", "stronger"] },
        { "standing-tilt", ["stand", "tilt your upper body forward", "relaxed", "arms along your legs", "spine relax", "weight of your body"] },
        { "sitting-tilt", ["sit on the floor", "both legs straight", "towel or strap behind your feet", "feet or lower legs", "tilt your upper body forward", "hands", "towards your feet"] },
        { "bar-hang", ["horizontal bar", "straight arms", "short and comfortable"] },
        { "swedish-wall", ["crossbar", "any stable support", "step back", "parallel with the floor", "holding on tightly", "hips back", "stretch your spine"] },
        { "hyperextension-stretch", ["hyperextension machine", "feet fixed", "hips resting on the pads", "lower your back as far down", "relax all your muscles"] },
        { "fitball-stretch", ["sit on the ball", "feet resting on the floor", "slowly", "lying position", "back over the ball", "spine in contact with the ball", "straighten your legs", "arms back"] },
        // both articles
        { "cat-cow", ["all fours", "hands and knees", "parallel to the floor", "press down", "breathe in", "arch", "lift your chin", "breathe out", "round your back", "chin towards your chest", "each vertebra", "smoothly", "rhythm of your breath", "5 to 10 cycles"] },
        // back-pain-6
        { "knee-to-chest", ["lie on your back", "knees bent", "heels flat", "one knee with both hands", "towards your chest", "other leg bent", "along the floor", "breathe deeply", "breathe out", "repeat several times", "switch legs"] },
        { "back-twist", ["chair", "hands behind your hips", "twist your back", "few seconds", "relax", "other side", "5 times in each direction"] },
        { "spinal-torsion", ["sit on the floor", "back straight", "stretch one leg out and bend the other", "cross the bent leg over the straight one", "left leg straight", "left arm", "left elbow past your bent right knee", "other hand behind you for support", "twist your back to the right", "few seconds", "twisting to the left"] },
        { "hip-bridge", ["lie on your back", "knees bent", "heels flat", "head and shoulders firmly", "arms by your sides", "lift your hips and chest", "straight line from your knees to your shoulders", "as long as you can", "lower yourself back down", "repeat several times"] },
        { "child-pose", ["hands and knees", "parallel to the floor", "stretch your hands forward", "planted on the floor", "bend at the hips", "back on your heels", "belly on your thighs, face down", "few seconds", "slowly come back", "bend down again"] },
    };

    [Theory]
    [MemberData(nameof(StepsInArticleOrder))]
    public void StepsKeepEveryDetailOfTheArticleInOrder(string id, string[] phrases)
    {
        var stretch = Catalog.Find(id);

        Assert.NotNull(stretch);
        AssertInOrder(stretch.Steps, phrases);
    }

    [Fact]
    public void EveryStretchOfTheLowerBackArticleIsPresent()
    {
        string[] sections =
        [
            "Downward facing dog or slide pose",
            "Cat Pose",
            "Stretching the spine while standing in an inclination",
            "Standing tilt",
            "Sitting tilt",
            "6. Hang on the horizontal bar",
            "Stretching on the Swedish wall",
            "Instead of trunk extensions in the hyperextension machine",
            "Stretching on a fitball",
        ];

        var cited = Catalog.All.SelectMany(s => s.Sources).Where(s => s.Article == "lower-back-9").Select(s => s.Section);

        Assert.Equal(sections.Order(), cited.Order());
    }

    [Fact]
    public void EveryStretchOfTheBackPainArticleIsPresent()
    {
        string[] sections =
        [
            "1. Stretch from knee to chest",
            "2. Back twist",
            "3. Spinal Torsion",
            "4. Hip bridge exercises",
            "5. Cat and cow stretch",
            "6. Child posture",
        ];

        var cited = Catalog.All.SelectMany(s => s.Sources).Where(s => s.Article == "back-pain-6").Select(s => s.Section);

        Assert.Equal(sections.Order(), cited.Order());
    }

    [Fact]
    public void BothArticlesMakeFourteenEntriesBecauseCatAndCowAreOne()
    {
        Assert.Equal(14, Catalog.All.Count);
        Assert.Equal(Catalog.All.Count, Catalog.All.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public void CatPoseAndCatAndCowAreOneEntryKeepingBothArticles()
    {
        var cat = Assert.Single(Catalog.All, s => s.Name.Contains("cat", StringComparison.OrdinalIgnoreCase)
            || s.Aliases.Any(a => a.Contains("cat", StringComparison.OrdinalIgnoreCase)));

        Assert.Equal("cat-cow", cat.Id);
        Assert.Equal(["back-pain-6", "lower-back-9"], cat.Sources.Select(s => s.Article).Order());
        Assert.Equal("5 to 10 slow cycles", cat.Dose);
        Assert.Contains(cat.Steps, s => s.Contains("5 to 10 cycles", StringComparison.Ordinal));
        Assert.Contains(cat.Steps, s => s.Contains("all fours", StringComparison.Ordinal));
        Assert.Contains(cat.Steps, s => s.Contains("hands and knees", StringComparison.Ordinal));
        Assert.Contains(cat.Steps, s => s.Contains("parallel to the floor", StringComparison.Ordinal));
        Assert.Contains(cat.Steps, s => s.Contains("smoothly", StringComparison.Ordinal));
        Assert.Contains("cat pose", cat.Aliases);
        Assert.Contains(StretchPlace.Floor, cat.Places);
    }

    [Fact]
    public void CatAndCowUsesTheConventionalBreathingCueAndRecordsTheChoice()
    {
        var cat = Catalog.Find("cat-cow")!;

        // In on the arch with the chin up, out on the round: never the other way round.
        AssertInOrder([cat.Breathing!], ["breathe in", "arches", "chin lifts", "breathe out", "rounds"]);
        var inhale = Assert.Single(cat.Steps, s => s.StartsWith("Breathe in", StringComparison.Ordinal));
        Assert.Contains("arch", inhale, StringComparison.Ordinal);
        Assert.Contains("lift your chin", inhale, StringComparison.Ordinal);
        var exhale = Assert.Single(cat.Steps, s => s.StartsWith("Breathe out", StringComparison.Ordinal));
        Assert.Contains("round", exhale, StringComparison.Ordinal);

        Assert.NotNull(cat.EditorialNote);
        Assert.Contains("opposite breathing cues", cat.EditorialNote, StringComparison.Ordinal);
        Assert.Contains("lower-back-9", cat.EditorialNote, StringComparison.Ordinal);
        Assert.Contains("back-pain-6", cat.EditorialNote, StringComparison.Ordinal);
        Assert.Contains("conventional", cat.EditorialNote, StringComparison.Ordinal);
    }

    [Fact]
    public void BarHangWarnsToKeepItShort()
    {
        var hang = Catalog.Find("bar-hang")!;

        var caution = Assert.Single(hang.Cautions);
        Assert.Contains("short and comfortable", caution, StringComparison.Ordinal);
        Assert.Contains("discs", caution, StringComparison.Ordinal);
        Assert.Equal([StretchPlace.Gym], hang.Places);
        Assert.Equal(["horizontal bar"], hang.Equipment);
    }

    [Fact]
    public void FitballIsBestDoneUnderSupervision()
    {
        var ball = Catalog.Find("fitball-stretch")!;

        var caution = Assert.Single(ball.Cautions);
        Assert.Contains("unstable", caution, StringComparison.Ordinal);
        Assert.Contains("under supervision", caution, StringComparison.Ordinal);
        Assert.Equal(["fitball"], ball.Equipment);
    }

    [Theory]
    [InlineData("standing-tilt", "Don't pull your back towards your legs with your hands")]
    [InlineData("sitting-tilt", "stretch your back, not your hamstrings")]
    public void ArticleWarningsBecomeCautions(string id, string phrase) =>
        Assert.Contains(Catalog.Find(id)!.Cautions, c => c.Contains(phrase, StringComparison.Ordinal));

    [Fact]
    public void SafetyAdviceKeepsBothDoctorParagraphsAndTheBreathingRule()
    {
        var safety = Catalog.Safety;

        Assert.Equal("When to see the doctor", safety.Title);
        Assert.Equal("back-pain-6", safety.Source);
        Assert.Contains(
            "Before stretching or exercising to relieve back pain, please ask your doctor for permission. Wrong movements may cause further injury to your back.",
            safety.Paragraphs);
        Assert.Contains(
            "If you feel pain or discomfort worsens, stop exercising and rest for a while. If the pain persists, you may need immediate medical attention. Your doctor may perform some diagnostic tests to determine the cause of the discomfort.",
            safety.Paragraphs);
        Assert.Contains(
            "Always breathe while doing stretching exercises, and use breathing as a guide to avoid excessive stretching.",
            safety.Paragraphs);
        Assert.Contains(safety.Paragraphs, p => p.Contains("pain worse", StringComparison.Ordinal) && p.Contains("stop", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("back-twist", new[] { StretchPlace.Desk })]
    [InlineData("standing-incline", new[] { StretchPlace.Desk })]
    [InlineData("standing-tilt", new[] { StretchPlace.Desk })]
    [InlineData("swedish-wall", new[] { StretchPlace.Gym, StretchPlace.Desk })]
    [InlineData("hyperextension-stretch", new[] { StretchPlace.Gym })]
    [InlineData("child-pose", new[] { StretchPlace.Floor })]
    [InlineData("hip-bridge", new[] { StretchPlace.Floor })]
    public void PlacesSayWhereEachStretchCanBeDone(string id, StretchPlace[] places) =>
        Assert.Equal(places, Catalog.Find(id)!.Places);

    [Fact]
    public void EveryEntryIsCompleteForACard()
    {
        Assert.All(Catalog.All, s =>
        {
            Assert.NotEmpty(s.Steps);
            Assert.NotEmpty(s.Places);
            Assert.NotEmpty(s.BodyAreas);
            Assert.NotEmpty(s.Sources);
            Assert.False(string.IsNullOrWhiteSpace(s.Targets));
            Assert.InRange(s.DurationSeconds, 5, 900);
            Assert.All(s.Steps, step => Assert.EndsWith(".", step, StringComparison.Ordinal));
        });
    }

    [Fact]
    public void CatalogTextIsConsistentlyBritish()
    {
        var text = string.Join('\n', Catalog.All.SelectMany(s => s.Steps.Concat(s.Cautions).Append(s.Targets)));

        Assert.DoesNotContain(" toward ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("color", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FindIgnoresCase()
    {
        Assert.Same(Catalog.Find("cat-cow"), Catalog.Find("CAT-Cow"));
        Assert.Null(Catalog.Find("no-such-stretch"));
        Assert.Null(Catalog.Find(""));
    }

    internal static void AssertInOrder(IEnumerable<string> texts, IEnumerable<string> phrases)
    {
        var all = string.Join('\n', texts);
        var from = 0;
        foreach (var phrase in phrases)
        {
            var at = all.IndexOf(phrase, from, StringComparison.OrdinalIgnoreCase);
            Assert.True(at >= 0, $"'{phrase}' not found after position {from} in:\n{all}");
            from = at + phrase.Length;
        }
    }
}
