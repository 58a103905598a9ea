using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace StretchBot.Tests.Deployment;

/// <summary>
/// The published app running as a separate process on a free loopback port, started from a working folder of the
/// test's choosing. Ready once the host says it started (then <c>/healthz</c> must answer); killed on dispose.
/// </summary>
public sealed partial class PublishedAppProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PublishedAppProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Everything the app wrote so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Starts <c>dotnet StretchBot.dll</c> in <paramref name="workingDirectory"/> and waits until it serves.</summary>
    public static async Task<PublishedAppProcess> StartAsync(PublishedApp app, string workingDirectory, params string[] args)
    {
        // Port 0: the OS picks a free port and the app says which in its "Now listening on" line, so two runs never race for one.
        var startInfo = StartInfo("dotnet", [app.AppDll, "--Urls=http://127.0.0.1:0", .. args], workingDirectory);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var running = new PublishedAppProcess(process);
        process.OutputDataReceived += (_, e) => running.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => running.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            running._listening.TrySetException(new InvalidOperationException("The app exited before it listened."));
            running._started.TrySetException(new InvalidOperationException("The app exited before it started."));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await running.WaitUntilReadyAsync();
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }

        return running;
    }

    internal static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> args, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // As on a server: no environment or content root inherited from the test host.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_CONTENTROOT", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        return startInfo;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }

        // Logged once every hosted service has started and the server accepts requests.
        if (line.Contains("Application started.", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        try
        {
            BaseAddress = await _listening.Task.WaitAsync(timeout.Token);
            await _started.Task.WaitAsync(timeout.Token);
            using var http = CreateClient();
            using var response = await http.GetAsync("/healthz", timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"/healthz answered {(int)response.StatusCode} after the app said it started.");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The published app did not become ready within {ReadyTimeout}: {e.Message}\n{Output}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
