using System.ComponentModel;
using System.Diagnostics;

namespace StretchBot.Tests;

/// <summary>The outcome of one node process.</summary>
public sealed record NodeRunResult(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// Runs the Node.js scripts in <c>tests/js</c>, where the official Adaptive Cards packages serve as test oracles.
/// Shared by the test projects through <c>&lt;Compile Include="../Shared/*.cs" /&gt;</c>. A missing Node.js or
/// missing <c>tests/js/node_modules</c> fails the calling test with the command that fixes it: these tests are
/// never skipped.
/// </summary>
public static class NodeScript
{
    public const string InstallHint = "Install the test tools once with: cd tests/js && npm ci --ignore-scripts";

    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The repository root: the nearest ancestor of the test binaries that holds StretchBot.sln.</summary>
    public static string RepoRoot => Root.Value;

    public static string JsDirectory => Path.Combine(RepoRoot, "tests", "js");

    /// <summary>Throws, with <see cref="InstallHint"/>, unless tests/js/node_modules holds <paramref name="packages"/>.</summary>
    public static void EnsureInstalled(params string[] packages)
    {
        var modules = Path.Combine(JsDirectory, "node_modules");
        if (!Directory.Exists(modules))
        {
            throw new InvalidOperationException($"{modules} is missing. {InstallHint}");
        }

        foreach (var package in packages)
        {
            if (!File.Exists(Path.Combine(modules, package, "package.json")))
            {
                throw new InvalidOperationException($"The npm package '{package}' is missing from {modules}. {InstallHint}");
            }
        }
    }

    /// <summary>Runs <c>node &lt;script&gt; &lt;args&gt;</c> in tests/js and returns its exit code and output.</summary>
    public static async Task<NodeRunResult> RunAsync(
        string script,
        IReadOnlyList<string> args,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        EnsureInstalled();
        var scriptPath = Path.Combine(JsDirectory, script);
        if (!File.Exists(scriptPath))
        {
            throw new FileNotFoundException($"Node script {scriptPath} does not exist.", scriptPath);
        }

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = JsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(scriptPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The oracles format numbers and case with Intl's default locale, which node takes from the environment;
        // pinning it keeps their answers the same on every machine.
        startInfo.Environment["LC_ALL"] = "en_US.UTF-8";
        startInfo.Environment["LANG"] = "en_US.UTF-8";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start 'node' ({e.Message}). Install Node.js 20 or later and put it on PATH. {InstallHint}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within {timeout ?? TimeSpan.FromMinutes(1)}.");
        }

        return new NodeRunResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StretchBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No StretchBot.sln above {AppContext.BaseDirectory}; run the tests from inside the repository.");
    }
}
