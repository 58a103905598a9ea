namespace StretchBot;

internal static class ContentRoot
{
    /// <summary>Whether the command line or the environment names the content root (as the host reads it).</summary>
    public static bool IsGiven(string[] args) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[WebHostDefaults.ContentRootKey] is { Length: > 0 };
}
