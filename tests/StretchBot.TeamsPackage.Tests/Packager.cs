using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using StretchBot.Tests;

namespace StretchBot.TeamsPackage.Tests;

/// <summary>The outcome of one packager run: exit code, what it printed, and the zip it was asked to write.</summary>
public sealed record PackagerRun(int ExitCode, string StdOut, string StdErr, string ZipPath)
{
    public IReadOnlyList<string> ErrorLines =>
        StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every zip entry's full name and bytes, in the order they were written.</summary>
    public IReadOnlyList<(string FullName, byte[] Bytes)> Entries()
    {
        using var zip = ZipFile.OpenRead(ZipPath);
        return zip.Entries.Select(entry =>
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (entry.FullName, copy.ToArray());
        }).ToList();
    }

    public byte[] Entry(string name) => Entries().Single(e => e.FullName == name).Bytes;
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("stretchbot-teams-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Runs the real packager: in-process through its entry point, or as its own <c>dotnet</c> process.</summary>
public static class Packager
{
    public const string BotId = "6c1f3a9e-2b47-4d8a-9f05-8e3d2c1b0a97";
    public const string Domain = "stretchbot.contoso.example";

    /// <summary>The template and icons as they ship beside the packager (copied from manifests/teams at build).</summary>
    public static string TemplateDirectory => TeamsPackageCommand.DefaultTemplateDirectory;

    public static string RepoManifestDirectory => Path.Combine(NodeScript.RepoRoot, "manifests", "teams");

    /// <summary>Runs the command in-process with <c>--out</c> pointing into <paramref name="dir"/>.</summary>
    public static PackagerRun Run(TempDirectory dir, params string[] args) =>
        RunIn(dir.Path, dir.File("stretchbot-teams.zip"), [.. args, "--out", dir.File("stretchbot-teams.zip")]);

    /// <summary>Runs the command in-process in <paramref name="currentDirectory"/> exactly with <paramref name="args"/>.</summary>
    public static PackagerRun RunIn(string currentDirectory, string expectedZip, string[] args, string? templateDirectory = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = TeamsPackageCommand.Run(args, stdout, stderr, currentDirectory, templateDirectory);
        return new PackagerRun(exit, stdout.ToString(), stderr.ToString(), expectedZip);
    }

    /// <summary>Runs <c>dotnet StretchBot.TeamsPackage.dll</c> as a process, as <c>dotnet run</c> would.</summary>
    public static async Task<PackagerRun> RunProcessAsync(TempDirectory dir, string[] args, CancellationToken cancellationToken)
    {
        var dll = typeof(TeamsPackageCommand).Assembly.Location;
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.ArgumentList.Add("--out");
        startInfo.ArgumentList.Add(dir.File("stretchbot-teams.zip"));

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start 'dotnet' ({e.Message}).", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new PackagerRun(process.ExitCode, await stdout, await stderr, dir.File("stretchbot-teams.zip"));
    }
}
