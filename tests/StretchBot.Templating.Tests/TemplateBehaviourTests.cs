using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace StretchBot.Templating.Tests;

public sealed class TemplateBehaviourTests(ITestOutputHelper output)
{
    [Fact]
    public void OneParsedTemplateExpandsManyDataObjectsConcurrently()
    {
        var template = AdaptiveCardTemplate.Parse("""{"items":[{"$data":"${people}","text":"${$index}: ${name}"}],"title":"static"}""");

        var results = new string[200];
        Parallel.For(0, results.Length, i =>
            results[i] = template.ExpandToJson(JsonNode.Parse($$"""{"people":[{"name":"a{{i}}"},{"name":"b{{i}}"}]}""")));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal($$"""{"items":[{"text":"0: a{{i}}"},{"text":"1: b{{i}}"}],"title":"static"}""", results[i]);
        }
    }

    [Fact]
    public void ExpansionsShareNoNodesWithTheDataOrEachOther()
    {
        var template = AdaptiveCardTemplate.Parse("""{"person":"${person}","fixed":{"a":[1,2]}}""");
        var data = JsonNode.Parse("""{"person":{"name":"Ana"}}""");

        var first = template.Expand(data)!;
        first["person"]!["name"] = "changed";
        first["fixed"]!["a"]!.AsArray().Add(3);
        var second = template.Expand(data)!;

        Assert.Equal("Ana", (string?)data!["person"]!["name"]);
        Assert.Equal("""{"person":{"name":"Ana"},"fixed":{"a":[1,2]}}""", second.ToJsonString());
    }

    [Fact]
    public void ExpandToJsonIsCompactAndKeepsUnicodeReadable()
    {
        var json = AdaptiveCardTemplate.Parse("""{ "text" : "Olá ${name} — ok", "n" : [ 1, 2 ] }""").ExpandToJson(JsonNode.Parse("""{"name":"Zoë <b>"}"""));

        // System.Text.Json still writes characters outside the BMP (emoji) as \u escape pairs, which is valid JSON.
        Assert.Equal("""{"text":"Olá Zoë <b> — ok","n":[1,2]}""", json);
    }

    [Fact]
    public void NullDataIsTheRoot()
    {
        var json = AdaptiveCardTemplate.Parse("""{"root":"${$root}","missing":"${name}"}""").ExpandToJson(null);

        Assert.Equal("""{"root":null,"missing":"${name}"}""", json);
    }

    [Fact]
    public void TypicalCardExpandsInTensOfMicroseconds()
    {
        var (template, data) = PerformanceCard.Create();
        Assert.InRange(template.Length, 9_000, 12_000);
        var parsed = AdaptiveCardTemplate.Parse(template);
        for (var i = 0; i < 200; i++)
        {
            parsed.ExpandToJson(data);
        }

        const int iterations = 2_000;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            parsed.ExpandToJson(data);
        }

        stopwatch.Stop();
        var perExpansion = stopwatch.Elapsed.TotalMicroseconds / iterations;
        var bytesPerExpansion = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / iterations;
        output.WriteLine($"{template.Length / 1024.0:F1} KB template: {perExpansion:F1} µs and {bytesPerExpansion / 1024.0:F1} KB allocated per ExpandToJson");

        // A loose bound so a slow CI machine passes while an accidental per-call re-parse (milliseconds) fails.
        Assert.True(perExpansion < 1_000, $"{perExpansion:F1} µs per expansion");
    }
}

/// <summary>A ~10 KB stretch card with 8 repeated steps, the size and shape the bot sends.</summary>
public static class PerformanceCard
{
    public static (string Template, JsonNode Data) Create()
    {
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = "${stretch.name}", ["size"] = "Large", ["weight"] = "Bolder", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = "Stretches ${join(stretch.targets, ', ')} · ${stretch.place}", ["isSubtle"] = true, ["wrap"] = true },
            new JsonObject
            {
                ["type"] = "Container",
                ["items"] = new JsonArray(new JsonObject
                {
                    ["$data"] = "${stretch.steps}",
                    ["type"] = "ColumnSet",
                    ["id"] = "step-${$index}",
                    ["isVisible"] = "${$index == $root.currentStep}",
                    ["columns"] = new JsonArray(
                        new JsonObject
                        {
                            ["type"] = "Column", ["width"] = "auto",
                            ["items"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = "${$index + 1}.", ["weight"] = "Bolder" }),
                        },
                        new JsonObject
                        {
                            ["type"] = "Column", ["width"] = "stretch",
                            ["items"] = new JsonArray(
                                new JsonObject { ["type"] = "TextBlock", ["text"] = "${text}", ["wrap"] = true },
                                new JsonObject { ["type"] = "TextBlock", ["$when"] = "${exists(hold)}", ["text"] = "Hold for ${hold} seconds, breathing slowly.", ["isSubtle"] = true, ["wrap"] = true }),
                        }),
                }),
            },
            new JsonObject { ["type"] = "TextBlock", ["$when"] = "${count(stretch.cautions) > 0}", ["text"] = "⚠️ ${join(stretch.cautions, ' ')}", ["color"] = "Warning", ["wrap"] = true },
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray(
                    new JsonObject { ["title"] = "Done today", ["value"] = "${done} ${if(done == 1, 'person', 'people')}" },
                    new JsonObject { ["title"] = "Your streak", ["value"] = "${streak} days" }),
            },
        };
        for (var i = 0; i < 44; i++)
        {
            body.Add(new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = $"Static guidance paragraph {i}: keep your shoulders relaxed, move slowly and stop if anything hurts; this text is not templated.",
                ["wrap"] = true,
                ["spacing"] = "Small",
                ["isSubtle"] = true,
            });
        }

        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = "1.5",
            ["body"] = body,
            ["actions"] = new JsonArray(
                new JsonObject { ["type"] = "Action.Execute", ["title"] = "Done", ["verb"] = "done", ["data"] = new JsonObject { ["stretchId"] = "${stretch.id}", ["promptId"] = "${$root.promptId}" } },
                new JsonObject { ["type"] = "Action.Execute", ["title"] = "Next step", ["verb"] = "next", ["data"] = new JsonObject { ["step"] = "${currentStep + 1}" } }),
        };

        var steps = new JsonArray();
        for (var i = 0; i < 8; i++)
        {
            steps.Add(new JsonObject { ["text"] = $"Step {i + 1}: move gently into position and breathe.", ["hold"] = i % 2 == 0 ? 15 : null });
        }

        var data = new JsonObject
        {
            ["promptId"] = "p-42",
            ["currentStep"] = 0,
            ["done"] = 3,
            ["streak"] = 12,
            ["stretch"] = new JsonObject
            {
                ["id"] = "cat-cow",
                ["name"] = "Cat–cow",
                ["place"] = "floor",
                ["targets"] = new JsonArray("spine", "neck"),
                ["cautions"] = new JsonArray("Move slowly."),
                ["steps"] = steps,
            },
        };
        return (card.ToJsonString(), data);
    }
}
