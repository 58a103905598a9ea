namespace StretchBot.TeamsPackage.Tests;

public class BadInputTests
{
    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["--bot-id", "not-a-guid", "--domain", Packager.Domain], "--bot-id" },
        { ["--bot-id", "{6c1f3a9e-2b47-4d8a-9f05-8e3d2c1b0a97}", "--domain", Packager.Domain], "--bot-id" },
        { ["--bot-id", "6c1f3a9e2b474d8a9f058e3d2c1b0a97", "--domain", Packager.Domain], "--bot-id" },
        { ["--bot-id", Packager.BotId, "--domain", "https://stretchbot.contoso.example"], "without the scheme" },
        { ["--bot-id", Packager.BotId, "--domain", "stretchbot.contoso.example/api/messages"], "without a path" },
        { ["--bot-id", Packager.BotId, "--domain", "https://stretchbot.contoso.example/api/messages"], "without the scheme" },
        { ["--bot-id", Packager.BotId, "--domain", "stretchbot.contoso.example:8443"], "without a port" },
        { ["--bot-id", Packager.BotId, "--domain", "stretch bot.example"], "host name" },
        { ["--bot-id", Packager.BotId, "--domain", "localhost"], "host name" },
        { ["--bot-id", Packager.BotId, "--domain", "*.contoso.example"], "host name" },
        { ["--bot-id", Packager.BotId, "--domain", Packager.Domain, "--app-id", "nope"], "--app-id" },
        { ["--domain", Packager.Domain], "--bot-id is required" },
        { ["--bot-id", Packager.BotId], "--domain is required" },
        { ["--bot-id", Packager.BotId, "--domain", Packager.Domain, "--colour", "red"], "unknown option '--colour'" },
        { ["--bot-id", Packager.BotId, "--domain"], "--domain needs a value" },
        { ["--bot-id", Packager.BotId, "--bot-id", Packager.BotId, "--domain", Packager.Domain], "given twice" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_input_exits_2_with_one_line_and_writes_no_zip(string[] args, string expected)
    {
        using var dir = new TempDirectory();
        var run = Packager.Run(dir, args);

        Assert.Equal(TeamsPackageCommand.BadInput, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal("", run.StdOut);
        Assert.False(File.Exists(run.ZipPath));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void An_out_path_that_is_a_directory_is_bad_input()
    {
        using var dir = new TempDirectory();
        var run = Packager.RunIn(dir.Path, dir.Path, ["--bot-id", Packager.BotId, "--domain", Packager.Domain, "--out", dir.Path]);

        Assert.Equal(TeamsPackageCommand.BadInput, run.ExitCode);
        Assert.Contains("is a directory", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("not-a-guid", Packager.Domain)]
    [InlineData(Packager.BotId, "https://stretchbot.contoso.example")]
    [InlineData(Packager.BotId, "stretchbot.contoso.example/api/messages")]
    public async Task As_a_process_bad_input_exits_2_with_one_line_and_no_stack_trace(string botId, string domain)
    {
        using var dir = new TempDirectory();
        var run = await Packager.RunProcessAsync(dir, ["--bot-id", botId, "--domain", domain], CancellationToken.None);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.StdErr.Replace(line, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("", run.StdOut);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task As_a_process_good_input_exits_0_and_says_what_it_wrote()
    {
        using var dir = new TempDirectory();
        var run = await Packager.RunProcessAsync(dir, ["--bot-id", Packager.BotId, "--domain", Packager.Domain], CancellationToken.None);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.StdErr);
        Assert.Contains($"Wrote {run.ZipPath}", run.StdOut, StringComparison.Ordinal);
        foreach (var name in new[] { "manifest.json", "color.png", "outline.png" })
        {
            Assert.Contains(name, run.StdOut, StringComparison.Ordinal);
        }

        Assert.Equal(3, run.Entries().Count);
    }
}
