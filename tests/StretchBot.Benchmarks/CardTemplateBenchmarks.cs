using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using StretchBot.Templating;

namespace StretchBot.Benchmarks;

/// <summary>Expanding the stretch card template with its sample data: the work of every stretch card we post.</summary>
public class CardTemplateBenchmarks
{
    private AdaptiveCardTemplate _template = null!;
    private JsonNode _data = null!;
    private string _templateJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        var folder = Paths.CardsFolder();
        _templateJson = File.ReadAllText(Path.Combine(folder, "stretch.json"));
        _template = AdaptiveCardTemplate.Parse(_templateJson);
        _data = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "stretch.data.json")))!;
    }

    [Benchmark(Baseline = true, Description = "expand stretch card (parsed template)")]
    public JsonNode? Expand() => _template.Expand(_data);

    [Benchmark(Description = "expand stretch card to JSON text")]
    public string ExpandToJson() => _template.ExpandToJson(_data);

    [Benchmark(Description = "parse stretch template")]
    public AdaptiveCardTemplate Parse() => AdaptiveCardTemplate.Parse(_templateJson);
}

internal static class Paths
{
    public static string CardsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "cards", "teams");
            if (File.Exists(Path.Combine(candidate, "stretch.data.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("cards/teams not found above " + AppContext.BaseDirectory);
    }
}
