using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace StretchBot.Templating.Tests.Conformance;

/// <summary>Runs the official package once over the whole case table (Conformance/cases.json).</summary>
public sealed class OfficialCaseExpansions : IAsyncLifetime
{
    public IReadOnlyList<TemplateCase> Cases { get; } = CaseTable.Load();

    public IReadOnlyDictionary<string, OfficialExpansion> Official { get; private set; } = new Dictionary<string, OfficialExpansion>();

    public TimeSpan OracleDuration { get; private set; }

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        Official = await OfficialTemplating.ExpandAllAsync(Cases);
        OracleDuration = stopwatch.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public static class CaseTable
{
    public static IReadOnlyList<TemplateCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "cases.json");
        return [.. JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(c => new TemplateCase(
            (string)c!["name"]!,
            c["template"]?.DeepClone(),
            c["data"]?.DeepClone()))];
    }
}

/// <summary>Each case in the table expands exactly as adaptivecards-templating 2.3.1 expands it (or fails where it fails).</summary>
public sealed class ConformanceCaseTests(OfficialCaseExpansions fixture, ITestOutputHelper output) : IClassFixture<OfficialCaseExpansions>
{
    public static TheoryData<string> CaseNames => [.. CaseTable.Load().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ExpandsLikeTheOfficialPackage(string name)
    {
        var testCase = fixture.Cases.Single(c => c.Name == name);
        Assert.True(fixture.Official.TryGetValue(name, out var official), $"The official package returned nothing for case {name}.");
        var mismatch = OfficialTemplating.Compare(testCase, official);
        Assert.True(mismatch is null, mismatch);
    }

    [Fact]
    public void CaseTableIsBroadAndUniquelyNamed()
    {
        output.WriteLine($"{fixture.Cases.Count} cases; the official package took {fixture.OracleDuration.TotalMilliseconds:F0} ms.");
        Assert.True(fixture.Cases.Count >= 60, $"only {fixture.Cases.Count} cases");
        Assert.Equal(fixture.Cases.Count, fixture.Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }
}
