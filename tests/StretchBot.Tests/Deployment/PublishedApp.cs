using System.Diagnostics;

namespace StretchBot.Tests.Deployment;

/// <summary>
/// The README's deployment, done once per test run: <c>dotnet publish src/StretchBot -c Release -o out</c> into a
/// temp folder. Each test starts the published StretchBot.dll as its own process (see <see cref="PublishedAppProcess"/>).
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(6);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "stretchbot-publish", Guid.NewGuid().ToString("N"));

    /// <summary>The publish folder: what a person copies to a server.</summary>
    public string OutputDirectory => Path.Combine(Root, "out");

    public string AppDll => Path.Combine(OutputDirectory, "StretchBot.dll");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var project = Path.Combine(NodeScript.RepoRoot, "src", "StretchBot");
        // The test run has just built and restored the app; publishing rebuilds incrementally and copies what ships.
        // No build server is left behind: it would outlive the test run.
        var result = await RunAsync(
            "dotnet",
            ["publish", project, "-c", "Release", "-o", OutputDirectory, "--no-restore", "-nodeReuse:false", "-p:UseSharedCompilation=false"],
            Root,
            PublishTimeout);
        if (result.ExitCode != 0 || !File.Exists(AppDll))
        {
            throw new InvalidOperationException($"dotnet publish failed (exit {result.ExitCode}):\n{result.StdOut}\n{result.StdErr}");
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return Task.CompletedTask;
    }

    /// <summary>A fresh empty folder to start the app from: nothing the app needs is in it.</summary>
    public string NewWorkingDirectory()
    {
        var path = Path.Combine(Root, "cwd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs the published app to completion (for start-up failures, which exit by themselves).</summary>
    public Task<NodeRunResult> RunToExitAsync(string workingDirectory, params string[] args) =>
        RunAsync("dotnet", [AppDll, .. args], workingDirectory, TimeSpan.FromMinutes(1));

    private static async Task<NodeRunResult> RunAsync(string fileName, IReadOnlyList<string> args, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = PublishedAppProcess.StartInfo(fileName, args, workingDirectory);
        using var process = new Process { StartInfo = startInfo };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeoutSource = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within {timeout}.\n{await stdout}\n{await stderr}");
        }

        return new NodeRunResult(process.ExitCode, await stdout, await stderr);
    }
}
