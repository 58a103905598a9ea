using System.Diagnostics;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Conversation;

public sealed class CustomCatalogTests : AppTest
{
    [Fact]
    public async Task ABrokenCustomCatalogStopsTheAppWithAMessageNamingTheFileEntryAndField()
    {
        Directory.CreateDirectory(Factory.DataDirectory);
        var path = Path.Combine(Factory.DataDirectory, "my-stretches.json");
        await File.WriteAllTextAsync(path, """
            { "stretches": [ { "id": "neck-roll", "name": "Neck roll", "aliases": [], "targets": "neck", "bodyAreas": ["neck"],
              "places": ["desk"], "equipment": [], "steps": [], "dose": null, "breathing": null, "cautions": [],
              "durationSeconds": 30, "sources": [], "editorialNote": null } ] }
            """);

        // The real app, as an operator would start it.
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Factory.DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "StretchBot.dll"), "--urls", "http://127.0.0.1:0", $"--Catalog:CustomPath={path}", $"--Storage:SqlitePath={Factory.DatabasePath}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var app = Process.Start(start)!;
        var stderr = app.StandardError.ReadToEndAsync();
        var stdout = app.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.WaitForExitAsync(timeout.Token);
        var error = await stderr;

        Assert.Equal(1, app.ExitCode);
        Assert.Contains($"Custom catalog {path}: entry #1 (id 'neck-roll'): 'steps'", error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("   at ", await stdout);
        Assert.False(File.Exists(Factory.DatabasePath), "nothing is stored when the catalog is broken");
    }

    [Fact]
    public async Task ACustomCatalogAddsStretchesPeopleCanAskFor()
    {
        Directory.CreateDirectory(Factory.DataDirectory);
        var path = Path.Combine(Factory.DataDirectory, "my-stretches.json");
        await File.WriteAllTextAsync(path, """
            { "stretches": [ { "id": "neck-roll", "name": "Neck roll", "aliases": ["neck circles"], "targets": "Neck", "bodyAreas": ["neck"],
              "places": ["desk"], "equipment": [], "steps": ["Sit tall.", "Roll your head slowly in a circle.", "Switch direction."],
              "dose": "3 circles each way", "breathing": null, "cautions": ["Move gently."],
              "durationSeconds": 40, "sources": [], "editorialNote": null } ] }
            """);
        Factory.Settings["Catalog:CustomPath"] = path;
        var chat = await DirectLineClient.StartAsync(Factory.CreateClient());

        await chat.SayAsync("stretch neck circles");
        var card = DirectLineClient.CardOf((await chat.RepliesAsync()).Last());

        Assert.Contains("Neck roll", CardReader.AllText(card));
    }
}
