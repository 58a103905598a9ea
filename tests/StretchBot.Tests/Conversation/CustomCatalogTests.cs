using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Conversation;

public sealed class CustomCatalogTests : IDisposable
{
    private readonly StretchBotFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void ABrokenCustomCatalogStopsTheAppNamingTheFileEntryAndField()
    {
        Directory.CreateDirectory(_factory.DataDirectory);
        var path = Path.Combine(_factory.DataDirectory, "my-stretches.json");
        File.WriteAllText(path, """
            { "stretches": [ { "id": "neck-roll", "name": "Neck roll", "aliases": [], "targets": "neck", "bodyAreas": ["neck"],
              "places": ["desk"], "equipment": [], "steps": [], "dose": null, "breathing": null, "cautions": [],
              "durationSeconds": 30, "sources": [], "editorialNote": null } ] }
            """);
        _factory.Settings["Catalog:CustomPath"] = path;

        var error = Assert.ThrowsAny<Exception>(() => _factory.CreateClient());

        var message = error is StartupException ? error.Message : error.ToString();
        Assert.Contains(path, message);
        Assert.Contains("neck-roll", message);
        Assert.Contains("steps", message);
    }

    [Fact]
    public async Task ACustomCatalogAddsStretchesPeopleCanAskFor()
    {
        Directory.CreateDirectory(_factory.DataDirectory);
        var path = Path.Combine(_factory.DataDirectory, "my-stretches.json");
        File.WriteAllText(path, """
            { "stretches": [ { "id": "neck-roll", "name": "Neck roll", "aliases": ["neck circles"], "targets": "Neck", "bodyAreas": ["neck"],
              "places": ["desk"], "equipment": [], "steps": ["Sit tall.", "Roll your head slowly in a circle.", "Switch direction."],
              "dose": "3 circles each way", "breathing": null, "cautions": ["Move gently."],
              "durationSeconds": 40, "sources": [], "editorialNote": null } ] }
            """);
        _factory.Settings["Catalog:CustomPath"] = path;
        var chat = await DirectLineClient.StartAsync(_factory.CreateClient());

        await chat.SayAsync("stretch neck circles");
        var card = DirectLineClient.CardOf((await chat.RepliesAsync()).Last());

        Assert.Contains("Neck roll", Cards.AllText(card));
    }
}
