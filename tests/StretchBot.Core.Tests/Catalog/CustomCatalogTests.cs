using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StretchBot.Catalog;

namespace StretchBot.Core.Tests.Catalog;

public sealed class CustomCatalogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stretchbot-catalog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static JsonObject NeckRoll() => new()
    {
        ["id"] = "neck-roll",
        ["name"] = "Neck roll",
        ["aliases"] = new JsonArray("neck circles"),
        ["targets"] = "Neck",
        ["bodyAreas"] = new JsonArray("neck"),
        ["places"] = new JsonArray("desk"),
        ["equipment"] = new JsonArray(),
        ["steps"] = new JsonArray("Sit tall.", "Roll your head slowly in a circle.", "Change direction."),
        ["dose"] = "3 circles each way",
        ["breathing"] = null,
        ["cautions"] = new JsonArray(),
        ["durationSeconds"] = 30,
        ["sources"] = new JsonArray(new JsonObject { ["article"] = "team-physio", ["section"] = "Neck" }),
        ["editorialNote"] = null,
    };

    private static JsonObject Minimal(string id) => new()
    {
        ["id"] = id,
        ["name"] = "Shoulder shrug",
        ["targets"] = "Shoulders",
        ["bodyAreas"] = new JsonArray("shoulders"),
        ["places"] = new JsonArray("desk"),
        ["steps"] = new JsonArray("Lift your shoulders to your ears, then let them drop."),
        ["durationSeconds"] = 20,
    };

    private string Write(string json, string name = "my.json")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    private string WriteEntries(params JsonObject[] entries) =>
        Write(new JsonObject { ["stretches"] = new JsonArray([.. entries]) }.ToJsonString());

    private static StretchCatalog Load(string path) => StretchCatalogLoader.Load(new CatalogOptions { CustomPath = path });

    [Fact]
    public void CustomStretchesAreAddedAfterTheBuiltInOnes()
    {
        var catalog = Load(WriteEntries(NeckRoll(), Minimal("shoulder-shrug")));

        Assert.Equal(16, catalog.All.Count);
        Assert.Equal(["neck-roll", "shoulder-shrug"], catalog.All.TakeLast(2).Select(s => s.Id));
        var neck = catalog.Find("neck-roll")!;
        Assert.Equal(["Sit tall.", "Roll your head slowly in a circle.", "Change direction."], neck.Steps);
        Assert.Equal([StretchPlace.Desk], neck.Places);
        Assert.Equal("neck-roll", catalog.Match("neck circles").Best?.Id);
        Assert.True(catalog.TryParseFilter("neck", out var filter, out _));
        Assert.Equal(["neck-roll"], catalog.Filter(filter).Select(s => s.Id));
    }

    [Fact]
    public void OptionalFieldsMayBeLeftOut()
    {
        var shrug = Load(WriteEntries(Minimal("shoulder-shrug"))).Find("shoulder-shrug")!;

        Assert.Empty(shrug.Aliases);
        Assert.Empty(shrug.Equipment);
        Assert.Empty(shrug.Cautions);
        Assert.Empty(shrug.Sources);
        Assert.Null(shrug.Dose);
        Assert.Null(shrug.Breathing);
        Assert.Null(shrug.EditorialNote);
    }

    [Fact]
    public void ACustomStretchWithABuiltInIdReplacesItInPlace()
    {
        var ours = NeckRoll();
        ours["id"] = "cat-cow";
        ours["name"] = "Our cat and cow";
        ours["places"] = new JsonArray("floor");
        var builtIn = StretchCatalogLoader.Load(new CatalogOptions());

        var catalog = Load(WriteEntries(ours));

        Assert.Equal(builtIn.All.Count, catalog.All.Count);
        Assert.Equal(builtIn.All.Select(s => s.Id), catalog.All.Select(s => s.Id));
        Assert.Equal("Our cat and cow", catalog.Find("cat-cow")!.Name);
        Assert.Single(catalog.All, s => s.Id == "cat-cow");
    }

    [Fact]
    public void AnEmptyCustomFileChangesNothing() =>
        Assert.Equal(14, Load(Write("""{ "stretches": [] }""")).All.Count);

    [Fact]
    public void TheBuiltInFilePassesTheSameValidationAsACustomFile()
    {
        using var stream = typeof(StretchCatalog).Assembly.GetManifestResourceStream("StretchBot.Catalog.stretches.json")!;
        var builtIn = JsonNode.Parse(stream)!.AsObject();
        builtIn.Remove("safety");

        var catalog = Load(Write(builtIn.ToJsonString()));

        Assert.Equal(14, catalog.All.Count);
    }

    [Theory]
    [InlineData("missing name", "name", "is required")]
    [InlineData("blank targets", "targets", "is required")]
    [InlineData("missing steps", "steps", "must have at least one step.")]
    [InlineData("empty steps", "steps", "must have at least one step.")]
    [InlineData("blank step", "steps", "item 2 is empty")]
    [InlineData("thirteen steps", "steps", "has 13 items; the limit is 12")]
    [InlineData("long step", "steps", "item 1 is 301 characters long; the limit is 300")]
    [InlineData("long name", "name", "is 61 characters long; the limit is 60")]
    [InlineData("unknown place", "places", "unknown place 'office'; use desk, floor or gym")]
    [InlineData("no places", "places", "must list at least one of desk, floor, gym")]
    [InlineData("duration too short", "durationSeconds", "must be between 5 and 900 seconds, not 2")]
    [InlineData("duration too long", "durationSeconds", "must be between 5 and 900 seconds, not 1000")]
    [InlineData("missing duration", "durationSeconds", "is required")]
    [InlineData("duration as text", "durationSeconds", "has a value of the wrong type. Expected a whole number.")]
    [InlineData("steps as text", "steps", "has a value of the wrong type. Expected an array of strings.")]
    [InlineData("no body areas", "bodyAreas", "must have at least one item")]
    [InlineData("body area with spaces", "bodyAreas", "'lower back' must be a lower-case keyword")]
    [InlineData("source without section", "sources[0].section", "is required")]
    [InlineData("empty dose", "dose", "must be null or left out rather than empty")]
    [InlineData("id not kebab-case", "id", "must be lower-case kebab-case")]
    public void EachBrokenFieldIsReportedWithFileEntryAndField(string broken, string field, string problem)
    {
        var entry = NeckRoll();
        Break(entry, broken);
        var path = WriteEntries(Minimal("shoulder-shrug"), Minimal("side-bend"), entry);
        var id = entry["id"]?.GetValue<string>();

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        var message = Assert.Single(ex.Errors);
        Assert.Equal(message, ex.Message);
        Assert.StartsWith($"Custom catalog {path}: entry #3 (id '{id}'): '{field}' ", message, StringComparison.Ordinal);
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    private static void Break(JsonObject entry, string broken)
    {
        switch (broken)
        {
            case "missing name": entry.Remove("name"); break;
            case "blank targets": entry["targets"] = "  "; break;
            case "missing steps": entry.Remove("steps"); break;
            case "empty steps": entry["steps"] = new JsonArray(); break;
            case "blank step": entry["steps"] = new JsonArray("Sit tall.", ""); break;
            case "thirteen steps": entry["steps"] = new JsonArray([.. Enumerable.Range(1, 13).Select(i => JsonValue.Create($"Step {i}."))]); break;
            case "long step": entry["steps"] = new JsonArray(new string('x', 300) + "."); break;
            case "long name": entry["name"] = new string('n', 61); break;
            case "unknown place": entry["places"] = new JsonArray("desk", "office"); break;
            case "no places": entry["places"] = new JsonArray(); break;
            case "duration too short": entry["durationSeconds"] = 2; break;
            case "duration too long": entry["durationSeconds"] = 1000; break;
            case "missing duration": entry.Remove("durationSeconds"); break;
            case "duration as text": entry["durationSeconds"] = "sixty"; break;
            case "steps as text": entry["steps"] = "Sit tall and roll your head."; break;
            case "no body areas": entry["bodyAreas"] = new JsonArray(); break;
            case "body area with spaces": entry["bodyAreas"] = new JsonArray("lower back"); break;
            case "source without section": entry["sources"] = new JsonArray(new JsonObject { ["article"] = "team-physio" }); break;
            case "empty dose": entry["dose"] = ""; break;
            case "id not kebab-case": entry["id"] = "Neck Roll"; break;
            default: throw new ArgumentOutOfRangeException(nameof(broken), broken, null);
        }
    }

    [Fact]
    public void UnknownPropertiesAreRejectedByName()
    {
        var entry = NeckRoll();
        entry["repetitions"] = 5;
        entry["video"] = "https://example.com";
        var path = WriteEntries(entry);

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.StartsWith($"Custom catalog {path}: entry #1 (id 'neck-roll') unknown properties 'repetitions', 'video'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PropertyNamesAreCaseSensitiveSoTyposInCaseAreCaught()
    {
        var entry = NeckRoll();
        entry.Remove("durationSeconds");
        entry["DurationSeconds"] = 30;
        var path = WriteEntries(entry);

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.Contains("unknown property 'DurationSeconds'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateIdsWithinTheFileAreRejected()
    {
        var path = WriteEntries(NeckRoll(), Minimal("shoulder-shrug"), NeckRoll());

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.Equal($"Custom catalog {path}: entry #3 (id 'neck-roll'): 'id' duplicates the id of entry #1; ids must be unique within a file.", ex.Message);
    }

    [Fact]
    public void AnEntryWithoutAnIdIsNamedByItsIndex()
    {
        var entry = NeckRoll();
        entry.Remove("id");
        var path = WriteEntries(Minimal("shoulder-shrug"), entry);

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.StartsWith($"Custom catalog {path}: entry #2: 'id' is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemInTheFileIsReportedAtOnce()
    {
        var first = NeckRoll();
        first["durationSeconds"] = 0;
        var second = Minimal("shoulder-shrug");
        second["steps"] = new JsonArray();
        second["places"] = new JsonArray("beach");
        var path = WriteEntries(first, second);

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.Contains("entry #1 (id 'neck-roll'): 'durationSeconds'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("entry #2 (id 'shoulder-shrug'): 'places' unknown place 'beach'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("entry #2 (id 'shoulder-shrug'): 'steps'", StringComparison.Ordinal));
        Assert.Equal(string.Join(Environment.NewLine, ex.Errors), ex.Message);
    }

    [Fact]
    public void JsonSyntaxErrorsGiveLineAndPosition()
    {
        var path = Write("""
            {
              "stretches": [
                { "id": "neck-roll", "name" "Neck roll" }
              ]
            }
            """);

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.StartsWith($"Custom catalog {path}: not valid JSON at line 3, position 33: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APropertyGivenTwiceIsRejected()
    {
        var path = Write("""{ "stretches": [ { "id": "neck-roll", "name": "Neck roll", "name": "Neck rolls" } ] }""");

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.Equal($"Custom catalog {path}: entry #1 (id 'neck-roll'): 'name' is given more than once.", ex.Message);
    }

    [Theory]
    [InlineData("""[]""", "the top level must be an object")]
    [InlineData("""{ }""", "'stretches' is required")]
    [InlineData("""{ "stretches": {} }""", "'stretches' must be an array, not an object")]
    [InlineData("""{ "stretches": [], "safety": {} }""", "unknown top-level property 'safety'; allowed: stretches")]
    [InlineData("""{ "stretches": [ "neck-roll" ] }""", "entry #1 must be an object, not a string")]
    public void TheFileShapeIsChecked(string json, string problem)
    {
        var path = Write(json);

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.StartsWith($"Custom catalog {path}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var path = Path.Combine(_directory, "nope.json");

        var ex = Assert.Throws<CatalogValidationException>(() => Load(path));

        Assert.Equal($"Custom catalog {path}: file not found. Set Catalog:CustomPath to an existing JSON file, or remove the setting to use only the built-in stretches.", ex.Message);
    }

    [Fact]
    public void TheServiceCollectionBindsTheCatalogSection()
    {
        var path = WriteEntries(NeckRoll());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Catalog:CustomPath"] = path })
            .Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddStretchCatalog()
            .BuildServiceProvider();

        var catalog = provider.GetRequiredService<StretchCatalog>();

        Assert.Same(catalog, provider.GetRequiredService<StretchCatalog>());
        Assert.NotNull(catalog.Find("neck-roll"));
    }

    [Fact]
    public void WithNoConfigurationOnlyTheBuiltInStretchesAreLoaded()
    {
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddStretchCatalog()
            .BuildServiceProvider();

        Assert.Equal(14, provider.GetRequiredService<StretchCatalog>().All.Count);
    }

    [Fact]
    public async Task ARelativePathIsResolvedAgainstTheContentRoot()
    {
        WriteEntries(NeckRoll());
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Catalog:CustomPath"] = "my.json" });
        builder.Services.AddStretchCatalog();
        using var host = builder.Build();

        await host.StartAsync(CancellationToken.None);

        Assert.NotNull(host.Services.GetRequiredService<StretchCatalog>().Find("neck-roll"));
        await host.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ABrokenCustomFileStopsTheHostAtStartUp()
    {
        var entry = NeckRoll();
        entry["steps"] = new JsonArray();
        var path = WriteEntries(entry);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Catalog:CustomPath"] = path });
        builder.Services.AddStretchCatalog();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<CatalogValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Equal($"Custom catalog {path}: entry #1 (id 'neck-roll'): 'steps' must have at least one step.", ex.Message);
    }
}
