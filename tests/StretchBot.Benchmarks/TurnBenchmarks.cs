using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StretchBot.Benchmarks;

/// <summary>
/// One full on-demand turn through the real app: "stretch desk" posted to the Direct Line endpoint, the turn handled
/// (person touched, recent stretches read, prompt stored in SQLite), the card rendered and appended. In-memory HTTP.
/// </summary>
public class TurnBenchmarks
{
    private WebApplicationFactory<global::Program> _factory = null!;
    private HttpClient _http = null!;
    private string _directory = null!;
    private string _url = null!;
    private string _token = null!;
    private string _body = null!;

    // BenchmarkDotNet 0.14's in-process toolchain doesn't await an async GlobalSetup, so this one waits itself.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "stretchbot-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        // WebApplicationFactory's way to find the app's content root from outside a test project.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STRETCHBOT", Path.Combine(Path.GetDirectoryName(Paths.CardsFolder())!, "..", "src", "StretchBot"));
        _factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Benchmark");
            b.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:SqlitePath"] = Path.Combine(_directory, "bench.db"),
                ["Logging:LogLevel:Default"] = "Warning",
            }));
            b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new LoopbackFilter()));
        });
        _http = _factory.CreateClient();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/conversations");
        using var started = await _http.SendAsync(start);
        var conversation = (await started.Content.ReadFromJsonAsync<JsonObject>())!;
        _url = $"/v3/directline/conversations/{conversation["conversationId"]}/activities";
        _token = (string)conversation["token"]!;
        _body = new JsonObject
        {
            ["type"] = "message",
            ["text"] = "stretch desk",
            ["from"] = new JsonObject { ["id"] = "bench-user", ["name"] = "Bench User" },
            ["localTimezone"] = "Europe/Berlin",
        }.ToJsonString();
    }

    [Benchmark(Description = "on-demand turn: 'stretch desk' in, card out (SQLite)")]
    public async Task<int> StretchDeskTurn()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new StringContent(_body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        using var response = await _http.SendAsync(request);
        return (int)response.StatusCode;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _factory.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class LoopbackFilter : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((context, n) =>
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
                return n(context);
            });
            next(app);
        };
    }
}
