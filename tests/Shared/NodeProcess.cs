using System.ComponentModel;
using System.Diagnostics;

namespace StretchBot.Tests;

/// <summary>
/// A node script from <c>tests/js</c> that runs alongside the test and talks to it line by line on stdout: the test
/// reads a line (a signal, such as "the page is ready"), acts, and then waits for the script to finish.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private NodeProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static NodeProcess Start(string script, IReadOnlyList<string> args)
    {
        NodeScript.EnsureInstalled();
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeScript.JsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(NodeScript.JsDirectory, script));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["LC_ALL"] = "en_US.UTF-8";
        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start 'node' ({e.Message}). {NodeScript.InstallHint}", e);
        }

        return new NodeProcess(process);
    }

    /// <summary>The next line the script prints; fails the test with the script's errors if it ends or stays silent first.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _process.StandardOutput.ReadLineAsync(cancel.Token)
                ?? throw new InvalidOperationException($"The script ended without a line. stderr:\n{await StdErrAsync()}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The script printed nothing within {timeout}.");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async Task<string> StdErrAsync() => _process.HasExited ? await _stderr : "(still running)";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
