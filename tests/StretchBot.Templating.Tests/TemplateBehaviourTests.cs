using System.Text.Json.Nodes;

namespace StretchBot.Templating.Tests;

public sealed class TemplateBehaviourTests
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
}
