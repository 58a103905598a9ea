namespace StretchBot.Templating.Tests;

public sealed class ParseErrorTests
{
    [Fact]
    public void InvalidJsonIsRejectedWithItsLine()
    {
        var e = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse("{\"a\": 1,\n \"b\": }"));

        Assert.Contains("not valid JSON", e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Theory]
    [InlineData("Hello ${name")]
    [InlineData("Hello ${name + '}")]
    [InlineData("${}")]
    public void UnterminatedOrEmptyExpressionIsRejectedWithItsPath(string text)
    {
        var e = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse(Card(text)));

        Assert.Equal("$.body[1].text", e.JsonPath);
        Assert.Contains(text, e.Message);
        Assert.Contains("\\${", e.Message);
    }

    [Fact]
    public void EscapedDollarBraceIsLiteralText()
    {
        var json = AdaptiveCardTemplate.Parse("""{"text":"\\${name"}""").ExpandToJson(null);

        Assert.Equal("""{"text":"${name"}""", json);
    }

    [Theory]
    [InlineData("${frobnicate(1)}", "frobnicate")]
    [InlineData("Hi ${ToUpper(name)}", "ToUpper")]
    [InlineData("${a <> b}", "<>")]
    public void UnknownFunctionIsRejectedAtParse(string text, string function)
    {
        var e = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse(Card(text)));

        Assert.Contains($"Unknown function '{function}'", e.Message);
        Assert.Equal("$.body[1].text", e.JsonPath);
    }

    [Theory]
    [InlineData("${1 +}", "syntax error")]
    [InlineData("${a%b}", "syntax error")]
    [InlineData("${1e5}", "syntax error")]
    [InlineData("${'open}", "not closed")]
    [InlineData("${1 + true}", "is not any of [Number, String]")]
    [InlineData("${count(x).y}", "must have an object")]
    [InlineData("${select(items, 'x', 1)}", "Second parameter is not an identifier")]
    [InlineData("${ {a: 1} }", "not supported")]
    [InlineData("code ` ${name}", "backtick")]
    public void MalformedExpressionIsRejectedWithAClearMessage(string text, string expected)
    {
        var e = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse(Card(text)));

        Assert.Contains(expected, e.Message);
        Assert.Equal("$.body[1].text", e.JsonPath);
    }

    [Fact]
    public void BadWhenAndDataExpressionsNameTheirKey()
    {
        var when = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse("""{"body":[{"$when":"${nope(1)}"}]}"""));
        var data = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse("""{"body":[{"$data":"${items["}]}"""));

        Assert.Equal("$.body[0].$when", when.JsonPath);
        Assert.Equal("$.body[0].$data", data.JsonPath);
    }

    [Fact]
    public void DuplicatePropertyIsRejected()
    {
        var e = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse("""{"a":1,"b":{"x":1,"x":2}}"""));

        Assert.Equal("$.b.x", e.JsonPath);
    }

    [Fact]
    public void LiteralDataWithExpressionsIsRejected()
    {
        var e = Assert.Throws<TemplateException>(() => AdaptiveCardTemplate.Parse("""{"$data":{"name":"${x}"},"text":"${name}"}"""));

        Assert.Equal("$.$data", e.JsonPath);
    }

    [Fact]
    public void ExpansionFailureNamesThePath()
    {
        var template = AdaptiveCardTemplate.Parse("""{"body":[{"type":"TextBlock","text":"${items[3]}"}]}""");

        var e = Assert.Throws<TemplateException>(() => template.Expand(System.Text.Json.Nodes.JsonNode.Parse("""{"items":[]}""")));

        Assert.Equal("$.body[0].text", e.JsonPath);
    }

    [Fact]
    public void NonEnglishNumberLocaleFailsLoudly()
    {
        var template = AdaptiveCardTemplate.Parse("""{"text":"${formatNumber(1234.5, 1, 'de-DE')}"}""");

        var e = Assert.Throws<TemplateException>(() => template.Expand(null));

        Assert.Contains("de-DE", e.Message);
    }

    [Fact]
    public void HalfAnEmojiFailsLoudly()
    {
        var template = AdaptiveCardTemplate.Parse("""{"text":"${first(s)}"}""");

        var e = Assert.Throws<TemplateException>(() => template.Expand(System.Text.Json.Nodes.JsonNode.Parse("""{"s":"🧘ab"}""")));

        Assert.Contains("surrogate", e.Message);
    }

    private static string Card(string text) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["type"] = "TextBlock", ["text"] = "ok" },
                new System.Text.Json.Nodes.JsonObject { ["type"] = "TextBlock", ["text"] = text }),
        }.ToJsonString();
}
